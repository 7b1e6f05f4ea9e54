"""Accepting an org-signed roster: signature by the org key, version = current + 1, hash chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.errors import ProtocolError, RosterError
from opgelucht_desk.protocol.roster import ZERO_HASH, SignedRoster, roster_hash, verify_roster
from opgelucht_relay import audit
from opgelucht_relay.clock import unix
from opgelucht_relay.errors import bad_request, conflict
from opgelucht_relay.models import Org, Roster
from opgelucht_relay.schemas import SignedRosterBody
from opgelucht_relay.services.orgs import current_roster


async def accept_roster(db: AsyncSession, org: Org, body: SignedRosterBody, now: datetime) -> Roster:
    """Verify and store the next roster of ``org`` (in the caller's transaction). Raises ApiError 409
    for a bad signature, another org, an expired roster, or a version/prev_hash that does not follow."""
    if org.org_key is None:
        raise conflict("The organisation has no key yet.")
    signed = SignedRoster(body=b64d(body.body), sig=b64d(body.sig))
    try:
        roster = verify_roster(signed, org.org_key, now=unix(now))
    except RosterError as exc:
        if exc.kind == "malformed":
            raise bad_request("The roster is malformed.") from None
        raise conflict(f"Roster refused: {exc.kind}.") from None
    except ProtocolError:
        raise bad_request("The roster is malformed.") from None
    if roster.org_id != org.id:
        raise conflict("Roster refused: another organisation.")
    current = await current_roster(db, org.id)
    expected_version = 1 if current is None else current.version + 1
    expected_prev = ZERO_HASH if current is None else current.hash
    if roster.version != expected_version:
        raise conflict(f"Roster refused: version must be {expected_version}.")
    if roster.prev_hash != expected_prev:
        raise conflict("Roster refused: prev_hash does not match the current roster.")
    row = Roster(
        org_id=org.id,
        version=roster.version,
        body=signed.body,
        sig=signed.sig,
        hash=roster_hash(signed),
        uploaded_at=now,
    )
    db.add(row)
    audit.record(db, "roster_published", at=now, org_id=org.id, version=roster.version)
    return row


async def publish_roster(db: AsyncSession, org: Org, body: SignedRosterBody, now: datetime) -> None:
    """Accept and commit the org's next roster (``PUT /v1/org/roster``)."""
    await accept_roster(db, org, body, now)
    try:
        await db.commit()
    except IntegrityError:  # a concurrent upload took this version
        await db.rollback()
        raise conflict("Roster refused: version already taken.") from None
