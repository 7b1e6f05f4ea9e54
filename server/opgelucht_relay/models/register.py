"""The organisations' case registers (docs/case-register.md): opaque record blobs, the register key's
wraps to counsellor devices, and each org's register retention.

The relay cannot read a record: the blob is encrypted under a register key only counsellor devices hold,
and its id is a keyed hash the relay cannot link to a conversation.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from opgelucht_relay.db import Base, UTCDateTime


class RegisterRecord(Base):
    """One content-free case record of an org, as the latest writing device sealed it."""

    __tablename__ = "register_records"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RegisterKeyWrap(Base):
    """The register key sealed to one counsellor device (signed by the device that shared it)."""

    __tablename__ = "register_key_wraps"

    device_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("counsellor_devices.device_id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegisterSettings(Base):
    """How long an org keeps its register records after their last change (set by its admin)."""

    __tablename__ = "register_settings"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    retention_days: Mapped[int] = mapped_column(Integer)
