"""Encrypted file blobs tied to a conversation (docs/protocol.md §15, docs/relay.md "File blobs").

Revision ID: 0008_blobs
Revises: 0007_counsellor_presentation
Create Date: 2026-12-01 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_blobs"
down_revision: str | None = "0007_counsellor_presentation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("blob_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("conv_id", sa.Uuid(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conv_id"],
            ["conversations.conv_id"],
            name=op.f("fk_blobs_conv_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_blobs_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("blob_id", name=op.f("pk_blobs")),
    )
    op.create_index(op.f("ix_blobs_conv_id"), "blobs", ["conv_id"], unique=False)
    op.create_index(op.f("ix_blobs_expires_at"), "blobs", ["expires_at"], unique=False)
    op.create_index(op.f("ix_blobs_org_id"), "blobs", ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_blobs_org_id"), table_name="blobs")
    op.drop_index(op.f("ix_blobs_expires_at"), table_name="blobs")
    op.drop_index(op.f("ix_blobs_conv_id"), table_name="blobs")
    op.drop_table("blobs")
