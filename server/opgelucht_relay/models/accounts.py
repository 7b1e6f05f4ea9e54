"""Organisations, their codes, keys and rosters, counsellors, sessions, invitations, articles, audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opgelucht_relay.db import Base, UTCDateTime

ROLE_ADMIN = "admin"
ROLE_COUNSELLOR = "counsellor"
ROLES = (ROLE_COUNSELLOR, ROLE_ADMIN)

STATUS_PENDING = "pending"  # enrolment started, TOTP not confirmed yet
STATUS_ACTIVE = "active"
STATUS_REMOVED = "removed"


class Org(Base):
    __tablename__ = "orgs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    org_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrgKeyCertificate(Base):
    """Every org key change, in order: the old key's ``opg/orgkey/v1`` signature over the new key, so
    clients that pinned an older key can follow the chain (the relay cannot forge a link)."""

    __tablename__ = "org_key_certificates"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    old_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    new_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    certificate: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Roster(Base):
    """Every signed roster an org uploaded; the highest version is the current one."""

    __tablename__ = "rosters"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sig: Mapped[bytes] = mapped_column(LargeBinary(64))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrgCode(Base):
    __tablename__ = "org_codes"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Counsellor(Base):
    __tablename__ = "counsellors"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str] = mapped_column(String(64))
    # Highest TOTP time-step ever accepted (enrolment included); only a higher one may log in.
    last_totp_step: Mapped[int | None] = mapped_column(BigInteger)
    identity_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    enrolment_token_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolment_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How the counsellor presents themselves to reporters (role, introduction, availability; JSON of
    # schemas.Presentation). Public to the org's admins, who sign it into the next roster.
    presentation: Mapped[str | None] = mapped_column(Text)

    devices: Mapped[list[CounsellorDevice]] = relationship(
        back_populates="counsellor",
        cascade="all, delete-orphan",
        order_by="CounsellorDevice.created_at",
        lazy="selectin",
    )


class CounsellorDevice(Base):
    """A desktop installation's public keys, signed by the counsellor's identity key and by itself."""

    __tablename__ = "counsellor_devices"

    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    counsellor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("counsellors.id", ondelete="CASCADE"), index=True
    )
    enc_pk: Mapped[bytes] = mapped_column(LargeBinary(32))
    sign_pk: Mapped[bytes] = mapped_column(LargeBinary(32))
    identity_sig: Mapped[bytes] = mapped_column(LargeBinary(64))
    self_sig: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When a published roster stopped listing this device that the roster before it listed (a lost or
    # stolen computer): its sessions were ended then and it cannot log in. Cleared when a roster lists
    # it again. A device no roster has listed yet (a new computer waiting for the admin) has none.
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    counsellor: Mapped[Counsellor] = relationship(back_populates="devices")


class Session(Base):
    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    counsellor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("counsellors.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # absolute time-out
    # The counsellor device this session was opened on (a signed login, the enrolment, or the device
    # registered with it). None: a login without a device (a further computer about to register its
    # device), which may only read /v1/me and its sessions, register the device, and log out.
    device_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("counsellor_devices.device_id", ondelete="CASCADE"), index=True
    )


class Invitation(Base):
    __tablename__ = "invitations"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Usernames tried with this invitation (each counted before it is looked up): bounds probing.
    username_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginFailure(Base):
    """Login attempts per account name since its last success, shared by every relay process: the
    account lock-out. Keyed by a hash of the name (attempted names are never stored, known or not)."""

    __tablename__ = "login_failures"

    key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Who did what when, without content: ids, roles, versions and outcomes only."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    event: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
