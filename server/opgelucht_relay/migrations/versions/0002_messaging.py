"""Messaging: reporter devices, nonces, conversations, messages, extra wraps, usage counters, feedback.

Revision ID: 0002_messaging
Revises: 0001_accounts
Create Date: 2026-11-25 01:47:42.053107
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_messaging"
down_revision: str | None = "0001_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("org_code", sa.String(length=32), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("session_code", sa.String(length=64), nullable=True),
        sa.Column("app_version", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_created_at"), ["created_at"], unique=False)

    op.create_table(
        "org_cursors",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("last_cursor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_org_cursors_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_cursors")),
    )
    op.create_table(
        "devices",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("org_code", sa.String(length=32), nullable=False),
        sa.Column("enc_pk", sa.LargeBinary(length=32), nullable=False),
        sa.Column("sign_pk", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_code"], ["org_codes.code"], name=op.f("fk_devices_org_code_org_codes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_devices_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_devices")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_last_seen"), ["last_seen"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_org_id"), ["org_id"], unique=False)

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
    op.create_table(
        "conversations",
        sa.Column("conv_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_staff_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.device_id"],
            name=op.f("fk_conversations_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_conversations_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("conv_id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversations_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversations_org_id"), ["org_id"], unique=False)

    op.create_table(
        "request_nonces",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.device_id"],
            name=op.f("fk_request_nonces_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "nonce", name=op.f("pk_request_nonces")),
    )
    with op.batch_alter_table("request_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_nonces_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "messages",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("conv_id", sa.Uuid(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("msg_id", sa.Uuid(), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conv_id"],
            ["conversations.conv_id"],
            name=op.f("fk_messages_conv_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_messages_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("conv_id", "msg_id", name="uq_messages_conv_msg"),
        sa.UniqueConstraint("conv_id", "channel", "seq", name="uq_messages_conv_seq"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index("ix_messages_org_cursor", ["org_id", "cursor"], unique=True)

    op.create_table(
        "extra_wraps",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.LargeBinary(length=8), nullable=False),
        sa.Column("wrap", sa.LargeBinary(), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_extra_wraps_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_extra_wraps_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extra_wraps")),
        sa.UniqueConstraint("message_id", "key_id", name="uq_extra_wraps_message_key"),
    )
    with op.batch_alter_table("extra_wraps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extra_wraps_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_extra_wraps_key_id"), ["key_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_extra_wraps_message_id"), ["message_id"], unique=False)
        batch_op.create_index("ix_extra_wraps_org_cursor", ["org_id", "cursor"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("extra_wraps", schema=None) as batch_op:
        batch_op.drop_index("ix_extra_wraps_org_cursor")
        batch_op.drop_index(batch_op.f("ix_extra_wraps_message_id"))
        batch_op.drop_index(batch_op.f("ix_extra_wraps_key_id"))
        batch_op.drop_index(batch_op.f("ix_extra_wraps_expires_at"))

    op.drop_table("extra_wraps")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_org_cursor")
        batch_op.drop_index(batch_op.f("ix_messages_expires_at"))

    op.drop_table("messages")
    with op.batch_alter_table("request_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_nonces_expires_at"))

    op.drop_table("request_nonces")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_org_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_device_id"))

    op.drop_table("conversations")
    op.drop_table("usage_counters")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_org_id"))
        batch_op.drop_index(batch_op.f("ix_devices_org_code"))
        batch_op.drop_index(batch_op.f("ix_devices_last_seen"))

    op.drop_table("devices")
    op.drop_table("org_cursors")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_created_at"))

    op.drop_table("feedback")
