"""Login (password + TOTP with replay guard and throttling), logout, own sessions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from opgelucht_desk.protocol.encoding import b64d
from opgelucht_relay.auth import login as signin
from opgelucht_relay.clock import unix
from opgelucht_relay.deps import AnySessionAuth, Ctx, CurrentAuth, DbSession, client_address
from opgelucht_relay.schemas import LoginRequest, LoginResult, SessionList, SessionOut, counsellor_out
from opgelucht_relay.services.live_events import end_streams, session_owner

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=LoginResult,
    responses={
        401: {"description": "invalid_credentials; device_unknown"},
        403: {"description": "device_removed"},
        429: {"description": "rate_limited"},
    },
)
async def login(body: LoginRequest, request: Request, ctx: Ctx, db: DbSession) -> LoginResult:
    device = None
    if body.device_id is not None and body.device_sig is not None:
        device = signin.DeviceProof(body.device_id, b64d(body.device_sig))
    new = await signin.login(
        ctx, db, body.username, body.password, body.totp_code, client_address(request), device
    )
    return LoginResult(
        token=new.token, expires_at=unix(new.row.expires_at), counsellor=counsellor_out(new.counsellor)
    )


@router.post("/logout", status_code=204)
async def logout(auth: AnySessionAuth, ctx: Ctx, db: DbSession, request: Request) -> Response:
    await signin.logout(ctx, db, auth.counsellor, auth.session.id)
    await end_streams(request, auth.counsellor.org_id, session_owner(auth.session.id))
    return Response(status_code=204)


@router.get("/sessions", response_model=SessionList)
async def sessions(auth: AnySessionAuth, ctx: Ctx, db: DbSession) -> SessionList:
    return SessionList(
        sessions=[
            SessionOut(
                id=row.id,
                created_at=unix(row.created_at),
                last_used_at=unix(row.last_used_at),
                current=row.id == auth.session.id,
                device_id=row.device_id,
            )
            for row in await signin.live_sessions(ctx, db, auth.counsellor)
        ]
    )


@router.delete("/sessions/{session_id}", status_code=204)
async def revoke_session(
    session_id: uuid.UUID, auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request
) -> Response:
    await signin.revoke_session(ctx, db, auth.counsellor, session_id)
    await end_streams(request, auth.counsellor.org_id, session_owner(session_id))
    return Response(status_code=204)
