"""Org-level operations shared by the HTTP routes and the ops CLI: orgs, codes, invitations, keys."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.errors import RosterError
from opgelucht_desk.protocol.qr import ORG_CODE_RE
from opgelucht_desk.protocol.roster import verify_org_key_certificate
from opgelucht_relay import audit
from opgelucht_relay.auth.invitations import invitation_hash, new_invitation
from opgelucht_relay.config import Settings
from opgelucht_relay.errors import conflict, gone, not_found
from opgelucht_relay.models import Counsellor, Invitation, Org, OrgCode, OrgKeyCertificate, Roster, Session
from opgelucht_relay.models.accounts import ROLES, STATUS_ACTIVE, STATUS_REMOVED
from opgelucht_relay.schemas import OrgKeyLink, Presentation

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


async def own_org(db: AsyncSession, counsellor: Counsellor) -> Org:
    org = await db.get(Org, counsellor.org_id)
    assert org is not None  # foreign key
    return org


async def active_counsellors(db: AsyncSession, org_id: uuid.UUID) -> list[Counsellor]:
    rows = await db.scalars(
        select(Counsellor)
        .where(Counsellor.org_id == org_id, Counsellor.status == STATUS_ACTIVE)
        .order_by(Counsellor.created_at)
    )
    return list(rows)


async def set_org_key(
    db: AsyncSession, org: Org, new_key: bytes, certificate: bytes | None, now: datetime, *, by: uuid.UUID
) -> None:
    """The first org key, or a replacement certified by the old key (409 without a valid certificate);
    the same key again changes nothing. Commits."""
    if org.org_key is None:
        org.org_key = new_key
        audit.record(db, "org_key_set", at=now, org_id=org.id, by=by)
    elif org.org_key != new_key:
        if certificate is None:
            raise conflict("Replacing the org key needs a certificate signed by the old key.")
        try:
            verify_org_key_certificate(org.org_key, new_key, certificate)
        except RosterError:
            raise conflict("The certificate is not the old org key's signature over the new key.") from None
        await add_org_key_certificate(db, org, new_key, certificate, now)
        audit.record(db, "org_key_changed", at=now, org_id=org.id, by=by)
    await db.commit()


async def remove_counsellor(
    db: AsyncSession, org_id: uuid.UUID, counsellor_id: uuid.UUID, now: datetime, *, by: uuid.UUID
) -> None:
    """Remove a counsellor of the org (404 for none of it) and end their sessions; not oneself. Commits."""
    target = await db.get(Counsellor, counsellor_id)
    if target is None or target.org_id != org_id or target.status == STATUS_REMOVED:
        raise not_found()
    if target.id == by:
        raise conflict("You cannot remove yourself; ask another admin.")
    target.status = STATUS_REMOVED
    target.removed_at = now
    target.enrolment_token_hash = None
    await db.execute(delete(Session).where(Session.counsellor_id == target.id))
    audit.record(db, "counsellor_removed", at=now, org_id=target.org_id, counsellor_id=target.id, by=by)
    await db.commit()


async def org_codes(db: AsyncSession, org_id: uuid.UUID) -> list[OrgCode]:
    return list(
        await db.scalars(select(OrgCode).where(OrgCode.org_id == org_id).order_by(OrgCode.created_at))
    )


async def revoke_code(
    db: AsyncSession, org_id: uuid.UUID, code: str, now: datetime, *, by: uuid.UUID
) -> None:
    """Revoke one of the org's codes (404 for any other); revoking again changes nothing. Commits."""
    row = await find_code(db, code)
    if row is None or row.org_id != org_id:
        raise not_found()
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(db, "code_revoked", at=now, org_id=row.org_id, code=row.code, by=by)
        await db.commit()


async def live_code_org(db: AsyncSession, code: str) -> Org:
    """The org of a live org code: 404 unknown, 410 revoked."""
    row = await live_code(db, code)
    org = await db.get(Org, row.org_id)
    assert org is not None
    return org


async def set_presentation(db: AsyncSession, counsellor: Counsellor, body: Presentation) -> None:
    """Store a counsellor's presentation (role, introduction, availability) as given; an empty one
    clears it. Texts are stripped; the org admin's next roster carries them, signed."""
    value = body.model_dump(exclude_none=True)
    value["intro"] = {k: v.strip() for k, v in value.get("intro", {}).items() if v.strip()}
    value["availability"] = {k: v.strip() for k, v in value.get("availability", {}).items() if v.strip()}
    if "role" in value:
        value["role"] = value["role"].strip() or None
    empty = not value.get("role") and not value["intro"] and not value["availability"]
    counsellor.presentation = (
        None if empty else Presentation.model_validate(value).model_dump_json(exclude_none=True)
    )
    await db.commit()
