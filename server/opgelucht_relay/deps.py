"""FastAPI dependencies shared by all routers: the app context, a database session, the signed-in
counsellor, and the reporter device of a signed request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.auth.sessions import authenticate
from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import device_required, forbidden, unauthenticated
from opgelucht_relay.models import Counsellor, Device, Session
from opgelucht_relay.models.accounts import ROLE_ADMIN
from opgelucht_relay.services.device_auth import (
    SignedRequest,
    record_nonce,
    replayed_request,
    verify_signed_request,
)


async def get_ctx(request: Request) -> AppContext:
    """Async on purpose: FastAPI runs plain ``def`` dependencies in a worker thread, a costly hand-off."""
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def db_session(ctx: Ctx) -> AsyncIterator[AsyncSession]:
    """A database session per request; handlers commit what they change."""
    async with ctx.db.sessions() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(db_session)]

_bearer = HTTPBearer(auto_error=False, description="Session token from /v1/auth/login")


@dataclass(frozen=True)
class Auth:
    """The authenticated counsellor and their session."""

    counsellor: Counsellor
    session: Session

    @property
    def is_admin(self) -> bool:
        return self.counsellor.role == ROLE_ADMIN


async def any_session_auth(
    ctx: Ctx,
    db: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Auth:
    """A live session, bound to a device or not: only for what a further computer needs before it has
    registered its device (``GET /v1/me``, ``GET /v1/auth/sessions``, ``POST /v1/me/devices``, logout)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or len(credentials.credentials) > 100:
        raise unauthenticated()
    found = await authenticate(db, credentials.credentials, ctx.settings, ctx.clock.now())
    if found is None:
        raise unauthenticated()
    session, counsellor = found
    return Auth(counsellor, session)


AnySessionAuth = Annotated[Auth, Depends(any_session_auth)]


async def current_auth(auth: AnySessionAuth) -> Auth:
    """A live session bound to one of the counsellor's devices (403 ``device_required`` otherwise)."""
    if auth.session.device_id is None:
        raise device_required()
    return auth


CurrentAuth = Annotated[Auth, Depends(current_auth)]


async def admin_auth(auth: CurrentAuth) -> Auth:
    if not auth.is_admin:
        raise forbidden()
    return auth


AdminAuth = Annotated[Auth, Depends(admin_auth)]


def client_address(request: Request) -> str | None:
    """The client address for in-memory throttling only (never stored or logged)."""
    return request.client.host if request.client else None


def request_target(request: Request) -> str:
    """The path and query string exactly as sent (what the device signed)."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    target = bytes(raw).decode("latin-1")
    query = request.scope.get("query_string", b"")
    return f"{target}?{query.decode('latin-1')}" if query else target


# Documents the scheme in the OpenAPI document; the checks themselves are below (a missing header is a
# 401 ``bad_signature`` like any other signature problem).
_signed = APIKeyHeader(
    name="Opg-Signature",
    scheme_name="DeviceSignature",
    auto_error=False,
    description="Ed25519 request signature with Opg-Device, Opg-Timestamp and Opg-Nonce (docs/api.md).",
)


async def signed_request(
    request: Request, ctx: Ctx, db: DbSession, _signature: Annotated[str | None, Depends(_signed)]
) -> SignedRequest:
    """The device and nonce of a correctly signed request (its nonce not claimed yet)."""
    body = await request.body()
    return await verify_signed_request(
        db, request.headers, request.method, request_target(request), body, ctx.clock.now()
    )


Signed = Annotated[SignedRequest, Depends(signed_request)]


async def current_device(signed: Signed, db: DbSession) -> Device:
    """A signed request's device, its nonce claimed (committed) before the handler runs."""
    if not await record_nonce(db, signed):
        raise replayed_request()
    return signed.device


CurrentDevice = Annotated[Device, Depends(current_device)]
