"""Login (password + TOTP with replay guard and throttling), logout, own sessions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from sqlalchemy import delete, or_, select, update

from server import audit
from server.auth import totp
from server.auth.sessions import create_session, is_live
from server.clock import unix
from server.deps import Ctx, CurrentAuth, DbSession, client_address
from server.errors import ApiError, not_found, rate_limited
from server.models import Counsellor, Session
from server.models.accounts import STATUS_ACTIVE
from server.schemas import LoginRequest, LoginResult, SessionList, SessionOut
from server.services.live_events import end_streams, session_owner
from server.views import counsellor_out

router = APIRouter(prefix="/v1/auth", tags=["auth"])


def invalid_credentials() -> ApiError:
    # One answer for an unknown user, a wrong password and a wrong or replayed code.
    return ApiError(401, "invalid_credentials", "Username, password or code is not correct.")


@router.post(
    "/login",
    response_model=LoginResult,
    responses={401: {"description": "invalid_credentials"}, 429: {"description": "rate_limited"}},
)
async def login(body: LoginRequest, request: Request, ctx: Ctx, db: DbSession) -> LoginResult:
    now = ctx.clock.now()
    address = client_address(request)
    # Counted before the password is checked: parallel attempts cannot overtake the limits.
    retry_after = await ctx.throttle.begin(ctx.db, body.username, address, now)
    if retry_after is not None:
        ctx.metrics.logins.labels("throttled").inc()
        raise rate_limited(retry_after)
    counsellor = (
        await db.execute(
            select(Counsellor).where(
                Counsellor.username == body.username.casefold(), Counsellor.status == STATUS_ACTIVE
            )
        )
    ).scalar_one_or_none()
    password_ok = await ctx.passwords.verify(counsellor.password_hash if counsellor else None, body.password)

    async def refuse(reason: str) -> ApiError:
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
        return invalid_credentials()

    if counsellor is None:
        raise await refuse("unknown_user")
    if not password_ok:
        raise await refuse("wrong_password")
    step = totp.matching_step(counsellor.totp_secret, body.totp_code, now)
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
    await ctx.throttle.succeeded(db, body.username, address, now)
    new = create_session(db, counsellor, ctx.settings, now)
    audit.record(db, "login", at=now, org_id=counsellor.org_id, counsellor_id=counsellor.id)
    await db.commit()
    ctx.metrics.logins.labels("ok").inc()
    return LoginResult(
        token=new.token, expires_at=unix(new.row.expires_at), counsellor=counsellor_out(counsellor)
    )


@router.post("/logout", status_code=204)
async def logout(auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request) -> Response:
    await db.execute(delete(Session).where(Session.id == auth.session.id))
    audit.record(
        db, "logout", at=ctx.clock.now(), org_id=auth.counsellor.org_id, counsellor_id=auth.counsellor.id
    )
    await db.commit()
    await end_streams(request, auth.counsellor.org_id, session_owner(auth.session.id))
    return Response(status_code=204)


@router.get("/sessions", response_model=SessionList)
async def sessions(auth: CurrentAuth, ctx: Ctx, db: DbSession) -> SessionList:
    now = ctx.clock.now()
    rows = (
        await db.execute(
            select(Session).where(Session.counsellor_id == auth.counsellor.id).order_by(Session.created_at)
        )
    ).scalars()
    return SessionList(
        sessions=[
            SessionOut(
                id=row.id,
                created_at=unix(row.created_at),
                last_used_at=unix(row.last_used_at),
                current=row.id == auth.session.id,
            )
            for row in rows
            if is_live(row, ctx.settings, now)
        ]
    )


@router.delete("/sessions/{session_id}", status_code=204)
async def revoke_session(
    session_id: uuid.UUID, auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request
) -> Response:
    result = await db.execute(
        delete(Session).where(Session.id == session_id, Session.counsellor_id == auth.counsellor.id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise not_found()
    audit.record(
        db,
        "session_revoked",
        at=ctx.clock.now(),
        org_id=auth.counsellor.org_id,
        counsellor_id=auth.counsellor.id,
    )
    await db.commit()
    await end_streams(request, auth.counsellor.org_id, session_owner(session_id))
    return Response(status_code=204)
