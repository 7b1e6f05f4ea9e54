"""Reporter devices, conversations, ciphertext messages, extra key wraps, statistics, feedback.

Nothing here holds plaintext chat text or pseudonyms: envelopes and wraps are opaque bytes. Statistics
tables carry no device id, only per-period keyed tags whose key is deleted when the period closes.
Feedback is plaintext by design (the reporter writes it for the vendor).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from opgelucht_relay.db import Base, UTCDateTime

CHANNEL_CHAT = "chat"  # reporter <-> counsellors
CHANNEL_STAFF = "staff"  # counsellor notes and conversation metadata, never shown to the device
CHANNELS = (CHANNEL_CHAT, CHANNEL_STAFF)

_BigId = BigInteger().with_variant(Integer, "sqlite")


class Device(Base):
    """A reporter installation registered with an org code: public keys only."""

    __tablename__ = "devices"

    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    org_code: Mapped[str] = mapped_column(ForeignKey("org_codes.code", ondelete="CASCADE"), index=True)
    enc_pk: Mapped[bytes] = mapped_column(LargeBinary(32))
    sign_pk: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[date] = mapped_column(Date, index=True)  # the day only, for stats and idle purge


class RequestNonce(Base):
    """Nonces of signed device requests, kept until their timestamps leave the window (replay guard)."""

    __tablename__ = "request_nonces"

    device_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("devices.device_id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class OrgCursor(Base):
    """The last change cursor handed out in an org. Its row lock orders concurrent posts of one org, so
    cursors become visible in increasing order (a sync never skips a row committed late)."""

    __tablename__ = "org_cursors"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    last_cursor: Mapped[int] = mapped_column(BigInteger, default=0)


class Conversation(Base):
    __tablename__ = "conversations"

    conv_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("devices.device_id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_activity: Mapped[datetime] = mapped_column(UTCDateTime)
    # Each channel numbers its own messages, so a device sees no gaps where counsellors wrote notes.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_staff_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conv_id", "msg_id", name="uq_messages_conv_msg"),
        UniqueConstraint("conv_id", "channel", "seq", name="uq_messages_conv_seq"),
        Index("ix_messages_org_cursor", "org_id", "cursor", unique=True),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    conv_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.conv_id", ondelete="CASCADE"))
    cursor: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(BigInteger)
    msg_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ExtraWrap(Base):
    """A content key re-wrapped for a device added later, with its signed ``opg/rewrap/v1`` record."""

    __tablename__ = "extra_wraps"
    __table_args__ = (
        UniqueConstraint("message_id", "key_id", name="uq_extra_wraps_message_key"),
        Index("ix_extra_wraps_org_cursor", "org_id", "cursor", unique=True),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    cursor: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[bytes] = mapped_column(LargeBinary(8), index=True)
    wrap: Mapped[bytes] = mapped_column(LargeBinary)
    record: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StatsSalt(Base):
    """The secret salt of one open statistics bucket (a calendar month, or an ISO week across two months).
    Device tags of the bucket are HMAC(salt, device id); the salt is deleted when the bucket closes, and
    with it any way to link a tag to a device (docs/stats.md)."""

    __tablename__ = "stats_salts"

    bucket: Mapped[str] = mapped_column(String(8), primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))


class StatsDevice(Base):
    """A device tag active in an open bucket: its code, whether it was registered well before the bucket
    began, and how many distinct usage cells it has contributed to (capped). No device id."""

    __tablename__ = "stats_devices"

    bucket: Mapped[str] = mapped_column(String(8), primary_key=True)
    tag: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    org_code: Mapped[str] = mapped_column(ForeignKey("org_codes.code", ondelete="CASCADE"), index=True)
    registered_early: Mapped[bool] = mapped_column(Boolean)
    cells: Mapped[int] = mapped_column(Integer, default=0)


class StatsDay(Base):
    """A day on which a device tag was active in its bucket."""

    __tablename__ = "stats_days"
    __table_args__ = (
        ForeignKeyConstraint(
            ["bucket", "tag"], ["stats_devices.bucket", "stats_devices.tag"], ondelete="CASCADE"
        ),
    )

    bucket: Mapped[str] = mapped_column(String(8), primary_key=True)
    tag: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class StatsItem(Base):
    """A usage cell (kind, item) a device tag contributed to on a day of its bucket: counted once per
    device, however many events it sent."""

    __tablename__ = "stats_items"
    __table_args__ = (
        ForeignKeyConstraint(
            ["bucket", "tag"], ["stats_devices.bucket", "stats_devices.tag"], ondelete="CASCADE"
        ),
    )

    bucket: Mapped[str] = mapped_column(String(8), primary_key=True)
    tag: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    item: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class StatsReport(Base):
    """A period's published report of an org, written once when first published and never changed."""

    __tablename__ = "stats_reports"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    report: Mapped[str] = mapped_column(Text)  # the JSON document served by GET /v1/stats
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Feedback(Base):
    """Feedback for the vendor, plaintext by design; read by ops with the CLI only."""

    __tablename__ = "feedback"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    text: Mapped[str] = mapped_column(Text)
    org_code: Mapped[str | None] = mapped_column(String(32))
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    session_code: Mapped[str | None] = mapped_column(String(64))
    app_version: Mapped[str | None] = mapped_column(String(32))
