"""Accepting an org-signed roster: signature by the org key, version = current + 1, hash chain; and the
devices it drops (listed by the roster before it, not by this one): marked dropped, their sessions
deleted (the caller ends their live streams)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.errors import ProtocolError, RosterError
from opgelucht_desk.protocol.roster import (
    ZERO_HASH,
    SignedRoster,
    parse_roster_body,
    roster_hash,
    verify_roster,
)
from opgelucht_desk.protocol.roster import (
    Roster as RosterBody,
)
from opgelucht_relay import audit
from opgelucht_relay.clock import unix
from opgelucht_relay.errors import bad_request, conflict
from opgelucht_relay.models import Counsellor, CounsellorDevice, Org, Roster, Session
from opgelucht_relay.schemas import SignedRosterBody
from opgelucht_relay.services.orgs import current_roster


@dataclass(frozen=True)
class Dropped:
    """What a new roster ended: the devices it dropped and the sessions (and their counsellors) that
    were bound to them, deleted in the caller's transaction."""

    devices: list[uuid.UUID] = field(default_factory=list)
    sessions: list[uuid.UUID] = field(default_factory=list)


def listed_devices(roster: RosterBody) -> set[tuple[uuid.UUID, uuid.UUID, bytes]]:
    """(counsellor id, device id, signing key) of each device the roster lists validly: the devices
    clients accept as counsellor devices (``Roster.valid_devices``, docs/protocol.md §7)."""
    return {(c.counsellor_id, d.device_id, d.sign_pk) for c, d in roster.valid_devices()}


async def drop_unlisted_devices(
    db: AsyncSession, org_id: uuid.UUID, previous: Roster | None, new: RosterBody, now: datetime
) -> Dropped:
    """Mark dropped every device of the org that ``previous`` (the current roster) listed and ``new``
    does not, and delete the sessions bound to them (in the caller's transaction). A device no roster
    listed yet (a further computer waiting for the admin) is left alone. Dropping is final: a dropped
    device never logs in again (its computer enrols anew as a further computer)."""
    if previous is None:
        return Dropped()
    before = listed_devices(parse_roster_body(previous.body))
    gone = before - listed_devices(new)
    if not gone:
        return Dropped()
    rows = (
        await db.execute(
            select(CounsellorDevice)
            .join(Counsellor, Counsellor.id == CounsellorDevice.counsellor_id)
            .where(Counsellor.org_id == org_id, CounsellorDevice.device_id.in_([d for _c, d, _k in gone]))
        )
    ).scalars()
    dropped = [
        row
        for row in rows
        if (row.counsellor_id, row.device_id, row.sign_pk) in gone and row.dropped_at is None
    ]
    if not dropped:
        return Dropped()
    ids = [row.device_id for row in dropped]
    for row in dropped:
        row.dropped_at = now
    sessions = list(await db.scalars(select(Session.id).where(Session.device_id.in_(ids))))
    await db.execute(delete(Session).where(Session.device_id.in_(ids)))
    for row in dropped:
        audit.record(
            db,
            "device_dropped",
            at=now,
            org_id=org_id,
            counsellor_id=row.counsellor_id,
            device_id=row.device_id,
            version=new.version,
        )
    return Dropped(ids, sessions)


async def accept_roster(db: AsyncSession, org: Org, body: SignedRosterBody, now: datetime) -> Dropped:
    """Verify and store the next roster of ``org`` (in the caller's transaction), dropping the devices
    it no longer lists (:func:`drop_unlisted_devices`). Raises ApiError 409 for a bad signature,
    another org, an expired roster, or a version/prev_hash that does not follow."""
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
    return await drop_unlisted_devices(db, org.id, current, roster, now)


async def publish_roster(db: AsyncSession, org: Org, body: SignedRosterBody, now: datetime) -> Dropped:
    """Accept and commit the org's next roster (``PUT /v1/org/roster``); what it dropped, for the caller
    to end the live streams of (after this commit)."""
    dropped = await accept_roster(db, org, body, now)
    try:
        await db.commit()
    except IntegrityError:  # a concurrent upload took this version
        await db.rollback()
        raise conflict("Roster refused: version already taken.") from None
    return dropped
