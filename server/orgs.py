"""Org-level operations shared by the HTTP routes and the ops CLI: orgs, codes, invitations."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.qr import ORG_CODE_RE, qr_payload
from server import audit
from server.auth.invitations import invitation_hash, new_invitation
from server.config import Settings
from server.errors import gone, not_found
from server.models import Invitation, Org, OrgCode, OrgKeyCertificate, Roster
from server.models.accounts import ROLES
from server.schemas import OrgKeyLink

# Unambiguous upper-case letters and digits (no 0/O, 1/I/L): easy to type from a poster.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # ~49 bits: codes are semi-public, this only stops accidental collisions and guessing


def normalise_code(code: str) -> str | None:
    """The canonical form of a typed org code, or None when it cannot be one (never a lookup)."""
    code = code.strip().upper()
    return code if ORG_CODE_RE.fullmatch(code) else None


async def find_code(db: AsyncSession, code: str) -> OrgCode | None:
    """The org code row for a typed code (revoked ones included), or None; never queries an impossible
    code (NUL characters would make PostgreSQL fail)."""
    normalised = normalise_code(code)
    return None if normalised is None else await db.get(OrgCode, normalised)


async def live_code(db: AsyncSession, code: str) -> OrgCode:
    """The org code row of a code in use: 404 when unknown, 410 when revoked (joins, device
    registration and usage events all refuse a revoked code alike)."""
    row = await find_code(db, code)
    if row is None:
        raise not_found()
    if row.revoked_at is not None:
        raise gone("This org code was revoked.")
    return row


async def create_org(db: AsyncSession, name: str, now: datetime) -> Org:
    org = Org(id=uuid.uuid4(), name=name, created_at=now)
    db.add(org)
    await db.flush()
    audit.record(db, "org_created", at=now, org_id=org.id)
    return org


async def find_org(db: AsyncSession, ref: str) -> Org:
    """An org by id, or by its exact name when that is unique (the CLI's ORG argument)."""
    try:
        org = await db.get(Org, uuid.UUID(ref))
    except ValueError:
        rows = (await db.execute(select(Org).where(Org.name == ref))).scalars().all()
        org = rows[0] if len(rows) == 1 else None
    if org is None:
        raise not_found()
    return org


async def create_invitation(
    db: AsyncSession, org: Org, role: str, settings: Settings, now: datetime, *, by: uuid.UUID | None = None
) -> tuple[str, Invitation]:
    """A one-time invitation; only its hash is stored. Returns (the secret to hand out, the row)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    secret = new_invitation()  # grouped, for reading out; the hash is of the canonical form
    row = Invitation(
        token_hash=invitation_hash(secret),
        org_id=org.id,
        role=role,
        created_at=now,
        expires_at=now + timedelta(days=settings.invitation_days),
    )
    db.add(row)
    audit.record(db, "invitation_created", at=now, org_id=org.id, role=role, by=by)
    return secret, row


async def create_code(
    db: AsyncSession, org: Org, label: str, now: datetime, *, by: uuid.UUID | None = None
) -> OrgCode:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if await db.get(OrgCode, code) is None:
            break
    row = OrgCode(code=code, org_id=org.id, label=label, created_at=now)
    db.add(row)
    audit.record(db, "code_created", at=now, org_id=org.id, code=code, by=by)
    return row


def code_qr_payload(code: OrgCode, org: Org, settings: Settings) -> str | None:
    """The join QR text (relay URL, code, org key fingerprint), or None while the org has no key."""
    if org.org_key is None or code.revoked_at is not None:
        return None
    return qr_payload(settings.public_url, code.code, org.org_key)


async def current_roster(db: AsyncSession, org_id: uuid.UUID) -> Roster | None:
    return (
        await db.execute(
            select(Roster).where(Roster.org_id == org_id).order_by(Roster.version.desc()).limit(1)
        )
    ).scalar_one_or_none()


async def org_key_chain(db: AsyncSession, org_id: uuid.UUID) -> list[OrgKeyLink]:
    """Every org key change of the org, oldest first (clients verify each link from their pinned key)."""
    rows = (
        await db.execute(
            select(OrgKeyCertificate)
            .where(OrgKeyCertificate.org_id == org_id)
            .order_by(OrgKeyCertificate.seq)
        )
    ).scalars()
    return [
        OrgKeyLink(old_key=b64e(r.old_key), new_key=b64e(r.new_key), certificate=b64e(r.certificate))
        for r in rows
    ]


async def add_org_key_certificate(
    db: AsyncSession, org: Org, new_key: bytes, certificate: bytes, now: datetime
) -> None:
    """Record a verified key change (the caller checked ``certificate``) and switch the org's key."""
    assert org.org_key is not None
    count = len(
        (await db.execute(select(OrgKeyCertificate.seq).where(OrgKeyCertificate.org_id == org.id))).all()
    )
    db.add(
        OrgKeyCertificate(
            org_id=org.id,
            seq=count + 1,
            old_key=org.org_key,
            new_key=new_key,
            certificate=certificate,
            created_at=now,
        )
    )
    org.org_key = new_key
