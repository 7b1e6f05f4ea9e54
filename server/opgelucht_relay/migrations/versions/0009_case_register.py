"""The case register: opaque record blobs per org, the register key's wraps per counsellor device, and
each org's register retention (docs/case-register.md).

Revision ID: 0009_case_register
Revises: 0008_blobs
Create Date: 2026-12-01 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_case_register"
down_revision: str | None = "0008_blobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "register_records",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_register_records_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", "record_id", name=op.f("pk_register_records")),
    )
    with op.batch_alter_table("register_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_records_updated_at"), ["updated_at"], unique=False)
    op.create_table(
        "register_key_wraps",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["counsellor_devices.device_id"],
            name=op.f("fk_register_key_wraps_device_id_counsellor_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_register_key_wraps_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_register_key_wraps")),
    )
    with op.batch_alter_table("register_key_wraps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_key_wraps_org_id"), ["org_id"], unique=False)
    op.create_table(
        "register_settings",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_register_settings_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_register_settings")),
    )


def downgrade() -> None:
    op.drop_table("register_settings")
    with op.batch_alter_table("register_key_wraps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_key_wraps_org_id"))
    op.drop_table("register_key_wraps")
    with op.batch_alter_table("register_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_records_updated_at"))
    op.drop_table("register_records")
