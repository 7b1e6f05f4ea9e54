"""Counsellor sign-in (password + TOTP with replay guard and throttling, and the desk's device proven
by its signature), sign-out and own sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.request_auth import login_signature_valid
from opgelucht_relay import audit
from opgelucht_relay.auth import totp
from opgelucht_relay.auth.sessions import NewSession, create_session, is_live
from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import ApiError, device_removed, device_unknown, not_found, rate_limited
from opgelucht_relay.models import Counsellor, CounsellorDevice, Session
from opgelucht_relay.models.accounts import STATUS_ACTIVE


def invalid_credentials() -> ApiError:
    # One answer for an unknown user, a wrong password and a wrong or replayed code.
    return ApiError(401, "invalid_credentials", "Username, password or code is not correct.")


@dataclass(frozen=True)
class DeviceProof:
    """The desk's device and its ``opg/login/v1`` signature over username, TOTP code and device id."""

    device_id: uuid.UUID
    signature: bytes


async def login(
    ctx: AppContext,
    db: AsyncSession,
    username: str,
    password: str,
    totp_code: str,
    address: str | None,
    device: DeviceProof | None = None,
) -> NewSession:
    """A new session bound to ``device`` (None: bound to none, for a further computer that registers
    its device next), or 401 ``invalid_credentials`` (which check failed is only in the audit log),
    429 ``rate_limited``, and once password and code were right (the code is used up): 401
    ``device_unknown`` (not this counsellor's device, or a wrong signature) or 403 ``device_removed``
    (a roster dropped it). ``address`` is for the in-memory throttle only."""
    now = ctx.clock.now()
    # Counted before the password is checked: parallel attempts cannot overtake the limits.
    retry_after = await ctx.throttle.begin(ctx.db, username, address, now)
    if retry_after is not None:
        ctx.metrics.logins.labels("throttled").inc()
        raise rate_limited(retry_after)
    counsellor = (
        await db.execute(
            select(Counsellor).where(
                Counsellor.username == username.casefold(), Counsellor.status == STATUS_ACTIVE
            )
        )
    ).scalar_one_or_none()
    password_ok = await ctx.passwords.verify(counsellor.password_hash if counsellor else None, password)

    async def refuse(reason: str, answer: ApiError | None = None) -> ApiError:
        # The metric (and the answer) say only "refused": which check failed stays in the audit log.
        ctx.metrics.logins.labels("refused").inc()
        audit.record(
            db,
            "login_totp_replayed" if reason == "replayed_code" else "login_failed",
            at=now,
            org_id=counsellor.org_id if counsellor else None,
            counsellor_id=counsellor.id if counsellor else None,
            reason=reason,
        )
        await db.commit()
        return answer or invalid_credentials()

    if counsellor is None:
        raise await refuse("unknown_user")
    if not password_ok:
        raise await refuse("wrong_password")
    step = totp.matching_step(counsellor.totp_secret, totp_code, now)
    if step is None:
        raise await refuse("wrong_code")
    # Replay guard: an atomic compare-and-set; a step at or below the last accepted one is refused.
    advanced = await db.execute(
        update(Counsellor)
        .where(
            Counsellor.id == counsellor.id,
            or_(Counsellor.last_totp_step.is_(None), Counsellor.last_totp_step < step),
        )
        .values(last_totp_step=step)
        .execution_options(synchronize_session=False)
    )
    if advanced.rowcount != 1:  # type: ignore[attr-defined]
        raise await refuse("replayed_code")
    # The device last: only someone with password and code learns how it stands, and the code is used
    # up by then, so a signature (which covers the code) can never log in twice.
    if device is not None:
        row = await db.get(CounsellorDevice, device.device_id)
        if (
            row is None
            or row.counsellor_id != counsellor.id
            or not login_signature_valid(username, totp_code, device.device_id, device.signature, row.sign_pk)
        ):
            raise await refuse("unknown_device", device_unknown())
        if row.dropped_at is not None:
            raise await refuse("device_removed", device_removed())
    await ctx.throttle.succeeded(db, username, address, now)
    device_id = None if device is None else device.device_id
    new = create_session(db, counsellor, ctx.settings, now, device_id)
    audit.record(
        db,
        "login",
        at=now,
        org_id=counsellor.org_id,
        counsellor_id=counsellor.id,
        device_id=device_id,
    )
    await db.commit()
    ctx.metrics.logins.labels("ok").inc()
    return new


async def logout(ctx: AppContext, db: AsyncSession, counsellor: Counsellor, session_id: uuid.UUID) -> None:
    await db.execute(delete(Session).where(Session.id == session_id))
    audit.record(db, "logout", at=ctx.clock.now(), org_id=counsellor.org_id, counsellor_id=counsellor.id)
    await db.commit()


async def live_sessions(ctx: AppContext, db: AsyncSession, counsellor: Counsellor) -> list[Session]:
    """The counsellor's sessions that have not timed out, oldest first."""
    now = ctx.clock.now()
    rows = await db.scalars(
        select(Session).where(Session.counsellor_id == counsellor.id).order_by(Session.created_at)
    )
    return [row for row in rows if is_live(row, ctx.settings, now)]


async def revoke_session(
    ctx: AppContext, db: AsyncSession, counsellor: Counsellor, session_id: uuid.UUID
) -> None:
    """End one of the counsellor's own sessions (404 for any other)."""
    result = await db.execute(
        delete(Session).where(Session.id == session_id, Session.counsellor_id == counsellor.id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise not_found()
    audit.record(
        db, "session_revoked", at=ctx.clock.now(), org_id=counsellor.org_id, counsellor_id=counsellor.id
    )
    await db.commit()
