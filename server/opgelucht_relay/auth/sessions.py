"""Counsellor sessions: 256-bit bearer tokens, stored as SHA-256, with idle and absolute time-outs, each
bound to the counsellor device it was opened on (none: a further computer before it registered its
device). A session whose device a roster dropped has ended, whatever its time-outs say."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.auth.tokens import new_token, token_hash
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.db import Database
from opgelucht_relay.errors import device_required
from opgelucht_relay.models import Counsellor, CounsellorDevice, Session
from opgelucht_relay.models.accounts import STATUS_ACTIVE

# last_used_at is written at most this often, so that busy sync loops do not write on every request.
_TOUCH_GRANULARITY = timedelta(seconds=30)


@dataclass(frozen=True)
class NewSession:
    token: str
    row: Session
    counsellor: Counsellor


def idle_timeout(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.session_idle_minutes)


def create_session(
    db: AsyncSession,
    counsellor: Counsellor,
    settings: Settings,
    now: datetime,
    device_id: uuid.UUID | None,
) -> NewSession:
    """A new session of ``counsellor`` bound to their device ``device_id`` (None: bound to none yet)."""
    token = new_token()
    row = Session(
        token_hash=token_hash(token),
        counsellor_id=counsellor.id,
        device_id=device_id,
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
    )
    db.add(row)
    return NewSession(token, row, counsellor)


def is_live(row: Session, settings: Settings, now: datetime) -> bool:
    return now < row.expires_at and now < row.last_used_at + idle_timeout(settings)


async def authenticate(
    db: AsyncSession, token: str, settings: Settings, now: datetime
) -> tuple[Session, Counsellor] | None:
    """The live session and active counsellor for ``token``; expired sessions and those whose device a
    roster dropped are deleted. The session may be bound to no device (``device_id`` None): callers
    that need one check it (opgelucht_relay/deps.py)."""
    found = (
        await db.execute(
            select(Session, Counsellor, CounsellorDevice.dropped_at)
            .join(Counsellor, Counsellor.id == Session.counsellor_id)
            .outerjoin(CounsellorDevice, CounsellorDevice.device_id == Session.device_id)
            .where(Session.token_hash == token_hash(token))
        )
    ).first()
    if found is None:
        return None
    row, counsellor, dropped_at = found
    if not is_live(row, settings, now) or counsellor.status != STATUS_ACTIVE or dropped_at is not None:
        # A Core DELETE: a concurrent request (logout, purge, another time-out) may have removed the
        # row already, and zero matched rows is then the expected outcome, not a stale-data warning.
        await db.execute(delete(Session).where(Session.id == row.id))
        await db.commit()
        return None
    if now - row.last_used_at >= _TOUCH_GRANULARITY:
        row.last_used_at = now
        await db.commit()
    return row, counsellor


_LIVE = (
    select(
        Session.expires_at,
        Session.last_used_at,
        Session.device_id,
        Counsellor.status,
        Counsellor.org_id,
        CounsellorDevice.dropped_at,
    )
    .join(Counsellor, Counsellor.id == Session.counsellor_id)
    .outerjoin(CounsellorDevice, CounsellorDevice.device_id == Session.device_id)
    .where(Session.token_hash == bindparam("p_hash"))
)


def quick_org(
    expires_at: datetime,
    last_used_at: datetime,
    status: str,
    org_id: object,
    settings: Settings,
    now: datetime,
    *,
    bound: bool,
) -> uuid.UUID | None:
    """The org of a session row when nothing is to be written: live, the counsellor active, ``bound``
    to a device no roster dropped, and no ``last_used_at`` touch due. None: :func:`authenticate` decides
    (deletes an ended session, touches a live one; an unbound one is then 403 ``device_required``).
    Shared by :func:`authenticated_org` and the SQLite writer's reply job (``sqlite_post.counsellor_job``)."""
    live = now < expires_at and now < last_used_at + idle_timeout(settings)
    if bound and live and status == STATUS_ACTIVE and now - last_used_at < _TOUCH_GRANULARITY:
        return org_id if isinstance(org_id, uuid.UUID) else uuid.UUID(str(org_id))
    return None


async def authenticated_org(db: Database, token: str, settings: Settings, now: datetime) -> uuid.UUID | None:
    """The org of the live session ``token`` and active counsellor, with one Core read (the lean post
    routes, opgelucht_relay/routes/hot.py); when the session is to be deleted (ended) or touched
    (``last_used_at``), :func:`authenticate` does it, so the outcome is always the same. A live session
    bound to no device raises 403 ``device_required``, as the FastAPI routes do."""
    async with db.engine.connect() as conn:
        row = (await conn.execute(_LIVE, {"p_hash": token_hash(token)})).first()
    if row is None:
        return None
    bound = row.device_id is not None and row.dropped_at is None
    org_id = quick_org(row.expires_at, row.last_used_at, row.status, row.org_id, settings, now, bound=bound)
    if org_id is not None:
        return org_id
    async with db.sessions() as session:
        found = await authenticate(session, token, settings, now)
    if found is not None and found[0].device_id is None:
        raise device_required()
    return None if found is None else found[1].org_id


async def purge_expired(ctx: AppContext) -> None:
    """Job: delete sessions past their idle or absolute time-out."""
    now = ctx.clock.now()
    async with ctx.db.sessions() as db:
        await db.execute(
            delete(Session).where(
                or_(Session.expires_at <= now, Session.last_used_at <= now - idle_timeout(ctx.settings))
            )
        )
        await db.commit()


async def session_deadline(ctx: AppContext, session_id: uuid.UUID, token_hash: bytes) -> datetime | None:
    """When the session times out as the database has it now (in a database session of its own); None
    if it has ended already (signed out, revoked, timed out, the counsellor removed, the device dropped)."""
    async with ctx.db.sessions() as check:
        found = (
            await check.execute(
                select(Session.expires_at, Session.last_used_at)
                .join(Counsellor, Counsellor.id == Session.counsellor_id)
                .outerjoin(CounsellorDevice, CounsellorDevice.device_id == Session.device_id)
                .where(
                    Session.id == session_id,
                    Session.token_hash == token_hash,
                    Counsellor.status == STATUS_ACTIVE,
                    CounsellorDevice.dropped_at.is_(None),
                )
            )
        ).first()
    if found is None:
        return None
    deadline = min(found.expires_at, found.last_used_at + idle_timeout(ctx.settings))
    return deadline if ctx.clock.now() < deadline else None
