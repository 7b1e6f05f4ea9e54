"""Auth hardening: the shared login lock-out table and the username tries of an invitation.

Revision ID: 0004_auth_hardening
Revises: 0003_org_key_certificates
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_auth_hardening"
down_revision: str | None = "0003_org_key_certificates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failures")),
    )
    op.create_index(
        op.f("ix_login_failures_last_attempt_at"), "login_failures", ["last_attempt_at"], unique=False
    )
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("username_tries", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("username_tries")
    op.drop_index(op.f("ix_login_failures_last_attempt_at"), table_name="login_failures")
    op.drop_table("login_failures")
