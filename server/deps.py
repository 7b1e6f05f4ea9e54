"""FastAPI dependencies shared by all routers: the app context, a database session, the counsellor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.sessions import authenticate
from server.context import AppContext
from server.errors import forbidden, unauthenticated
from server.models import Counsellor, Session
from server.models.accounts import ROLE_ADMIN


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


async def current_auth(
    ctx: Ctx,
    db: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Auth:
    if credentials is None or credentials.scheme.lower() != "bearer" or len(credentials.credentials) > 100:
        raise unauthenticated()
    found = await authenticate(db, credentials.credentials, ctx.settings, ctx.clock.now())
    if found is None:
        raise unauthenticated()
    session, counsellor = found
    return Auth(counsellor, session)


CurrentAuth = Annotated[Auth, Depends(current_auth)]


async def admin_auth(auth: CurrentAuth) -> Auth:
    if not auth.is_admin:
        raise forbidden()
    return auth


AdminAuth = Annotated[Auth, Depends(admin_auth)]


def client_address(request: Request) -> str | None:
    """The client address for in-memory throttling only (never stored or logged)."""
    return request.client.host if request.client else None
