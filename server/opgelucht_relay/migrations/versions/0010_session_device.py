"""Sessions bound to a counsellor device, and the devices a roster dropped (issue 9 item 3).

``sessions.device_id``: the device a session was opened on; ``counsellor_devices.dropped_at``: when a
published roster stopped listing the device. Sessions opened before this revision are bound to no
device and could do nothing but register one, so they are deleted: every counsellor logs in once more,
and that login binds the new session to the computer's device.

Revision ID: 0010_session_device
Revises: 0009_case_register
Create Date: 2026-12-01 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_session_device"
down_revision: str | None = "0009_case_register"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM sessions")
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("device_id", sa.Uuid(), nullable=True))
        batch.create_index(batch.f("ix_sessions_device_id"), ["device_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_sessions_device_id_counsellor_devices"),
            "counsellor_devices",
            ["device_id"],
            ["device_id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("counsellor_devices") as batch:
        batch.add_column(sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counsellor_devices") as batch:
        batch.drop_column("dropped_at")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint(batch.f("fk_sessions_device_id_counsellor_devices"), type_="foreignkey")
        batch.drop_index(batch.f("ix_sessions_device_id"))
        batch.drop_column("device_id")
