"""Org key certificates: the chain of org key changes, each signed by the previous key.

Revision ID: 0003_org_key_certificates
Revises: 0002_messaging
Create Date: 2026-11-25 02:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_org_key_certificates"
down_revision: str | None = "0002_messaging"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_key_certificates",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("old_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("new_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("certificate", sa.LargeBinary(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_org_key_certificates_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", "seq", name=op.f("pk_org_key_certificates")),
    )


def downgrade() -> None:
    op.drop_table("org_key_certificates")
