"""Counsellor enrolment with a one-time invitation (password, TOTP, identity and device keys, and for
the first admin the org key with the first roster), further devices of an enrolled counsellor, and the
job that deletes enrolments never finished in time (they hold a username)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.roster import DeviceEntry
from opgelucht_relay import audit
from opgelucht_relay.auth import totp
from opgelucht_relay.auth.invitations import invitation_hash
from opgelucht_relay.auth.sessions import NewSession, create_session
from opgelucht_relay.auth.tokens import new_token, token_hash
from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import (
    ApiError,
    bad_request,
    conflict,
    forbidden,
    gone,
    not_found,
    unauthenticated,
)
from opgelucht_relay.models import Counsellor, CounsellorDevice, Invitation, Org, Session
from opgelucht_relay.models.accounts import ROLE_ADMIN, STATUS_ACTIVE, STATUS_PENDING
from opgelucht_relay.schemas import DeviceBundle, EnrolmentFinish, EnrolmentStart
from opgelucht_relay.services.rosters import accept_roster

MAX_ENROLMENT_FAILURES = 5
MAX_USERNAME_TRIES = 5  # usernames one invitation may try ("taken" answers), then it is burnt
MAX_DEVICES = 16  # the roster's limit per counsellor


@dataclass(frozen=True)
class Started:
    """An enrolment begun: the pending counsellor, its org, and what the enrolling desk needs next."""

    enrolment_token: str
    totp_secret: str
    totp_uri: str
    counsellor: Counsellor
    org: Org
    expires_at: datetime


async def start(ctx: AppContext, db: AsyncSession, body: EnrolmentStart) -> Started:
    """Use up the invitation and create the pending counsellor (404 unknown, 410 used or expired or
    tried with too many taken usernames, 409 username taken, 400 not an invitation code)."""
    now = ctx.clock.now()
    key = invitation_hash(body.invitation)  # a typo says so (InvitationCodeError), before any lookup
    invitation = await db.get(Invitation, key)
    if invitation is None:
        raise not_found()
    if invitation.used_at is not None or invitation.expires_at <= now:
        raise gone("The invitation was used or has expired.")
    # Each username tried is counted on the invitation before it is looked up, so one invitation can
    # learn about at most MAX_USERNAME_TRIES names (parallel tries included).
    counted = await db.execute(
        update(Invitation)
        .where(
            Invitation.token_hash == invitation.token_hash,
            Invitation.used_at.is_(None),
            Invitation.username_tries < MAX_USERNAME_TRIES,
        )
        .values(username_tries=Invitation.username_tries + 1)
    )
    await db.commit()
    if counted.rowcount != 1:  # type: ignore[attr-defined]
        raise gone(
            "This invitation was used, or tried with too many usernames that are taken: "
            "ask your admin for a new invitation."
        )
    username = body.username.casefold()
    if (await db.execute(select(Counsellor.id).where(Counsellor.username == username))).first():
        raise conflict("That username is taken.")
    consumed = await db.execute(
        update(Invitation)
        .where(Invitation.token_hash == invitation.token_hash, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        raise gone("The invitation was used or has expired.")
    enrolment_token = new_token()
    secret = totp.new_secret()
    expires_at = now + timedelta(minutes=ctx.settings.enrolment_minutes)
    counsellor = Counsellor(
        org_id=invitation.org_id,
        username=username,
        display_name=body.display_name,
        role=invitation.role,
        status=STATUS_PENDING,
        password_hash=await ctx.passwords.hash(body.password),
        totp_secret=secret,
        enrolment_token_hash=token_hash(enrolment_token),
        enrolment_expires_at=expires_at,
        enrolment_failures=0,
        created_at=now,
        devices=[],
    )
    db.add(counsellor)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise conflict("That username is taken.") from None
    audit.record(
        db,
        "enrolment_started",
        at=now,
        org_id=invitation.org_id,
        counsellor_id=counsellor.id,
        role=invitation.role,
    )
    org = await db.get(Org, invitation.org_id)
    assert org is not None
    await db.commit()
    return Started(
        enrolment_token, secret, totp.provisioning_uri(secret, username), counsellor, org, expires_at
    )


async def _pending(db: AsyncSession, enrolment_token: str, now: datetime) -> Counsellor:
    counsellor = (
        await db.execute(
            select(Counsellor).where(
                Counsellor.enrolment_token_hash == token_hash(enrolment_token),
                Counsellor.status == STATUS_PENDING,
            )
        )
    ).scalar_one_or_none()
    if (
        counsellor is None
        or counsellor.enrolment_expires_at is None
        or counsellor.enrolment_expires_at <= now
    ):
        raise unauthenticated("The enrolment token is invalid or has expired.")
    return counsellor


async def _confirm_code(db: AsyncSession, counsellor: Counsellor, code: str, now: datetime) -> int:
    """The TOTP step of ``code``; a wrong code is counted (and audited), the fifth burns the token."""
    step = totp.matching_step(counsellor.totp_secret, code, now)
    if step is not None:
        return step
    counsellor.enrolment_failures += 1
    if counsellor.enrolment_failures >= MAX_ENROLMENT_FAILURES:
        counsellor.enrolment_token_hash = None  # start again with a new invitation
    audit.record(
        db,
        "enrolment_totp_failed",
        at=now,
        org_id=counsellor.org_id,
        counsellor_id=counsellor.id,
        failures=counsellor.enrolment_failures,
    )
    await db.commit()
    raise ApiError(401, "invalid_credentials", "The code is not correct.")


async def _set_first_org_key(
    db: AsyncSession, org: Org, counsellor: Counsellor, body: EnrolmentFinish, now: datetime
) -> None:
    """The first admin uploads the org key with the first signed roster, both or neither."""
    if body.org_key is None and body.roster is None:
        return
    if counsellor.role != ROLE_ADMIN:
        raise forbidden()
    if org.org_key is not None:
        raise conflict("The organisation already has a key; change it with PUT /v1/org/key.")
    if body.org_key is None or body.roster is None:
        raise bad_request("The first org key and the first roster are uploaded together.")
    org.org_key = b64d(body.org_key)
    await accept_roster(db, org, body.roster, now)
    audit.record(db, "org_key_set", at=now, org_id=org.id, by=counsellor.id)


def _device_row(entry: DeviceEntry, now: datetime) -> CounsellorDevice:
    return CounsellorDevice(
        device_id=entry.device_id,
        enc_pk=entry.enc_pk,
        sign_pk=entry.sign_pk,
        identity_sig=entry.identity_sig,
        self_sig=entry.self_sig,
        created_at=now,
    )


async def finish(ctx: AppContext, db: AsyncSession, body: EnrolmentFinish) -> NewSession:
    """Confirm the TOTP code, register the identity key and the first device (and the first org key),
    activate the counsellor and sign them in: the new session."""
    now = ctx.clock.now()
    counsellor = await _pending(db, body.enrolment_token, now)
    step = await _confirm_code(db, counsellor, body.totp_code, now)
    identity_key = b64d(body.identity_key)
    entry = body.device.entry()
    if not entry.verifies(identity_key):
        raise bad_request("The device bundle's signatures do not verify with the identity key.")
    if await db.get(CounsellorDevice, entry.device_id) is not None:
        raise conflict("That device id is already registered.")
    org = await db.get(Org, counsellor.org_id)
    assert org is not None
    await _set_first_org_key(db, org, counsellor, body, now)
    counsellor.identity_key = identity_key
    counsellor.devices.append(_device_row(entry, now))
    counsellor.status = STATUS_ACTIVE
    counsellor.last_totp_step = step  # the enrolment code is used up: it cannot log in
    counsellor.enrolment_token_hash = None
    counsellor.enrolment_expires_at = None
    try:
        await db.flush()  # the device row first: the session refers to it
    except IntegrityError:
        await db.rollback()
        raise conflict() from None
    new = create_session(db, counsellor, ctx.settings, now, entry.device_id)  # bound to the new device
    audit.record(
        db,
        "enrolment_finished",
        at=now,
        org_id=org.id,
        counsellor_id=counsellor.id,
        device_id=entry.device_id,
        role=counsellor.role,
    )
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise conflict() from None
    return new


async def add_device(
    ctx: AppContext, db: AsyncSession, counsellor: Counsellor, body: DeviceBundle, session: Session
) -> None:
    """A further device of an enrolled counsellor, signed by their identity key. ``session`` (the
    caller's), if bound to no device yet (a login without one), is bound to the new device."""
    entry = body.entry()
    if counsellor.identity_key is None or not entry.verifies(counsellor.identity_key):
        raise bad_request("The device bundle's signatures do not verify with your identity key.")
    if await db.get(CounsellorDevice, entry.device_id) is not None:
        raise conflict("That device id is already registered.")
    if len(counsellor.devices) >= MAX_DEVICES:
        raise conflict("Too many devices.")
    now = ctx.clock.now()
    counsellor.devices.append(_device_row(entry, now))
    bind = session.device_id is None
    audit.record(
        db,
        "device_added",
        at=now,
        org_id=counsellor.org_id,
        counsellor_id=counsellor.id,
        device_id=entry.device_id,
        session_bound=bind,
    )
    try:
        await db.flush()  # the device row first: the session refers to it
        if bind:
            session.device_id = entry.device_id
        await db.commit()
    except IntegrityError:  # the same device id registered concurrently
        await db.rollback()
        raise conflict("That device id is already registered.") from None


async def purge_expired(ctx: AppContext) -> None:
    """Job: delete enrolments that were started but never finished in time (they hold a username)."""
    now = ctx.clock.now()
    async with ctx.db.sessions() as db:
        stale = (
            await db.execute(
                select(Counsellor).where(
                    Counsellor.status == STATUS_PENDING, Counsellor.enrolment_expires_at <= now
                )
            )
        ).scalars()
        for counsellor in stale:
            audit.record(
                db, "enrolment_expired", at=now, org_id=counsellor.org_id, counsellor_id=counsellor.id
            )
            await db.delete(counsellor)
        await db.commit()
