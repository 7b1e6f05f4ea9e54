"""Statistics against an insider: per-period activity under keyed tags, frozen reports; the per-event
usage counters go (they counted events, not distinct established devices, see docs/stats.md).

Revision ID: 0005_stats_hardening
Revises: 0004_auth_hardening
Create Date: 2026-12-01 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_stats_hardening"
down_revision: str | None = "0004_auth_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _device_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["bucket", "tag"],
        ["stats_devices.bucket", "stats_devices.tag"],
        name=op.f(f"fk_{table}_bucket_stats_devices"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "stats_salts",
        sa.Column("bucket", sa.String(length=8), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_stats_salts")),
    )
    op.create_table(
        "stats_devices",
        sa.Column("bucket", sa.String(length=8), nullable=False),
        sa.Column("tag", sa.LargeBinary(length=16), nullable=False),
        sa.Column("org_code", sa.String(length=32), nullable=False),
        sa.Column("registered_early", sa.Boolean(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_code"],
            ["org_codes.code"],
            name=op.f("fk_stats_devices_org_code_org_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bucket", "tag", name=op.f("pk_stats_devices")),
    )
    with op.batch_alter_table("stats_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stats_devices_org_code"), ["org_code"], unique=False)
    op.create_table(
        "stats_days",
        sa.Column("bucket", sa.String(length=8), nullable=False),
        sa.Column("tag", sa.LargeBinary(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _device_fk("stats_days"),
        sa.PrimaryKeyConstraint("bucket", "tag", "day", name=op.f("pk_stats_days")),
    )
    op.create_table(
        "stats_items",
        sa.Column("bucket", sa.String(length=8), nullable=False),
        sa.Column("tag", sa.LargeBinary(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _device_fk("stats_items"),
        sa.PrimaryKeyConstraint("bucket", "tag", "kind", "item", "day", name=op.f("pk_stats_items")),
    )
    op.create_table(
        "stats_reports",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_stats_reports_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", "period", name=op.f("pk_stats_reports")),
    )
    op.drop_table("usage_counters")


def downgrade() -> None:
    op.create_table(
        "usage_counters",
        sa.Column("org_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_code"],
            ["org_codes.code"],
            name=op.f("fk_usage_counters_org_code_org_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_code", "kind", "item", "day", name=op.f("pk_usage_counters")),
    )
    op.drop_table("stats_reports")
    op.drop_table("stats_items")
    op.drop_table("stats_days")
    with op.batch_alter_table("stats_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stats_devices_org_code"))
    op.drop_table("stats_devices")
    op.drop_table("stats_salts")
