"""Enrolment of a counsellor with a one-time invitation: password, TOTP, keys (and the org key)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from opgelucht_desk.protocol.encoding import b64d, b64e
from server import audit
from server.auth import totp
from server.auth.invitations import invitation_hash
from server.auth.sessions import create_session
from server.auth.tokens import new_token, token_hash
from server.clock import unix
from server.deps import Ctx, DbSession
from server.errors import ApiError, bad_request, conflict, forbidden, gone, not_found, unauthenticated
from server.models import Counsellor, CounsellorDevice, Invitation, Org
from server.models.accounts import ROLE_ADMIN, STATUS_ACTIVE, STATUS_PENDING
from server.rosters import accept_roster
from server.schemas import EnrolmentFinish, EnrolmentStart, EnrolmentStarted, LoginResult
from server.views import counsellor_out

router = APIRouter(prefix="/v1/enrolment", tags=["enrolment"])

MAX_ENROLMENT_FAILURES = 5
MAX_USERNAME_TRIES = 5  # usernames one invitation may try ("taken" answers), then it is burnt


@router.post("/start", response_model=EnrolmentStarted)
async def start(body: EnrolmentStart, ctx: Ctx, db: DbSession) -> EnrolmentStarted:
    now = ctx.clock.now()
    try:
        key = invitation_hash(body.invitation)
    except ValueError as exc:  # a typo: says so, before any lookup
        raise bad_request(str(exc)) from None
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
    counsellor = Counsellor(
        org_id=invitation.org_id,
        username=username,
        display_name=body.display_name,
        role=invitation.role,
        status=STATUS_PENDING,
        password_hash=await ctx.passwords.hash(body.password),
        totp_secret=secret,
        enrolment_token_hash=token_hash(enrolment_token),
        enrolment_expires_at=now + timedelta(minutes=ctx.settings.enrolment_minutes),
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
    return EnrolmentStarted(
        enrolment_token=enrolment_token,
        totp_secret=secret,
        totp_uri=totp.provisioning_uri(secret, username),
        counsellor_id=counsellor.id,
        org_id=org.id,
        role=counsellor.role,  # type: ignore[arg-type]
        org_key=None if org.org_key is None else b64e(org.org_key),
        expires_at=unix(now + timedelta(minutes=ctx.settings.enrolment_minutes)),
    )


@router.post("/finish", response_model=LoginResult)
async def finish(body: EnrolmentFinish, ctx: Ctx, db: DbSession) -> LoginResult:
    now = ctx.clock.now()
    counsellor = (
        await db.execute(
            select(Counsellor).where(
                Counsellor.enrolment_token_hash == token_hash(body.enrolment_token),
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
    step = totp.matching_step(counsellor.totp_secret, body.totp_code, now)
    if step is None:
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
    identity_key = b64d(body.identity_key)
    entry = body.device.entry()
    if not entry.verifies(identity_key):
        raise bad_request("The device bundle's signatures do not verify with the identity key.")
    if await db.get(CounsellorDevice, entry.device_id) is not None:
        raise conflict("That device id is already registered.")
    org = await db.get(Org, counsellor.org_id)
    assert org is not None
    if body.org_key is not None or body.roster is not None:
        if counsellor.role != ROLE_ADMIN:
            raise forbidden()
        if org.org_key is not None:
            raise conflict("The organisation already has a key; change it with PUT /v1/org/key.")
        if body.org_key is None or body.roster is None:
            raise bad_request("The first org key and the first roster are uploaded together.")
        org.org_key = b64d(body.org_key)
        await accept_roster(db, org, body.roster, now)
        audit.record(db, "org_key_set", at=now, org_id=org.id, by=counsellor.id)
    counsellor.identity_key = identity_key
    counsellor.devices.append(
        CounsellorDevice(
            device_id=entry.device_id,
            enc_pk=entry.enc_pk,
            sign_pk=entry.sign_pk,
            identity_sig=entry.identity_sig,
            self_sig=entry.self_sig,
            created_at=now,
        )
    )
    counsellor.status = STATUS_ACTIVE
    counsellor.last_totp_step = step  # the enrolment code is used up: it cannot log in
    counsellor.enrolment_token_hash = None
    counsellor.enrolment_expires_at = None
    new = create_session(db, counsellor, ctx.settings, now)
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
    return LoginResult(
        token=new.token, expires_at=unix(new.row.expires_at), counsellor=counsellor_out(counsellor)
    )
