"""Counsellor inbox: org-wide sync by cursor, live conversations, replies, notes, extra wraps, and
content-free live events over Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from opgelucht_relay.auth.sessions import session_deadline
from opgelucht_relay.deps import Ctx, CurrentAuth, DbSession
from opgelucht_relay.models.messaging import CHANNEL_CHAT, CHANNEL_STAFF
from opgelucht_relay.schemas import EnvelopeIn, StoredOut, WrapsIn, b64_field
from opgelucht_relay.services import hot_paths, inbox
from opgelucht_relay.services.live_events import (
    CLOSED,
    broker_for,
    counsellor_owner,
    device_owner,
    session_owner,
)

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])

KEEPALIVE_SECONDS = 15.0
RECHECK_SECONDS = 0.5  # how often a live stream compares its session's time-outs with the clock
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {401: {"description": "unauthenticated"}, 404: {}}


@router.get("/sync", responses=AUTH_RESPONSES)
async def sync(
    auth: CurrentAuth,
    ctx: Ctx,
    db: DbSession,
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(500, ge=1, le=1000),
) -> JSONResponse:
    out = await inbox.sync_page(db, auth.counsellor, after, limit, ctx.clock.now())
    return JSONResponse(out)  # plain str/int values: no jsonable_encoder pass over 1,000 items


@router.get("/conversations", responses=AUTH_RESPONSES)
async def conversations(auth: CurrentAuth, ctx: Ctx, db: DbSession) -> dict[str, list[dict[str, Any]]]:
    rows = await inbox.live_conversations(
        db, auth.counsellor.org_id, ctx.clock.now(), ctx.settings.retention_days
    )
    return {"conversations": rows}


async def _post(
    conv_id: uuid.UUID,
    body: EnvelopeIn,
    channel: str,
    auth: CurrentAuth,
    ctx: Ctx,
    db: DbSession,
    request: Request,
) -> JSONResponse:
    """Served by the lean routes ``routes/hot.inbox_reply`` / ``inbox_note`` (mounted before these);
    these declarations document them in the OpenAPI document and call the same service."""
    envelope = b64_field(body.envelope, "envelope")
    org_id = auth.counsellor.org_id
    stored = await hot_paths.counsellor_post(ctx, broker_for(request), org_id, conv_id, envelope, channel)
    return JSONResponse(stored, status_code=201)


POST_RESPONSES: dict[int | str, dict[str, Any]] = {**AUTH_RESPONSES, 400: {}, 409: {}}


@router.post(
    "/conversations/{conv_id}/messages", status_code=201, response_model=StoredOut, responses=POST_RESPONSES
)
async def reply(
    conv_id: uuid.UUID, body: EnvelopeIn, auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request
) -> JSONResponse:
    """A reply on the chat channel: the reporter's device sees it."""
    return await _post(conv_id, body, CHANNEL_CHAT, auth, ctx, db, request)


@router.post(
    "/conversations/{conv_id}/notes", status_code=201, response_model=StoredOut, responses=POST_RESPONSES
)
async def note(
    conv_id: uuid.UUID, body: EnvelopeIn, auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request
) -> JSONResponse:
    """A note, status or category on the staff channel: never shown to the device."""
    return await _post(conv_id, body, CHANNEL_STAFF, auth, ctx, db, request)


@router.post("/wraps", status_code=201, responses=POST_RESPONSES)
async def add_wraps(
    body: WrapsIn, auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request
) -> dict[str, int]:
    """Extra key wraps for a newly added device; each record must be signed by one of the caller's devices."""
    events = await inbox.add_wraps(db, auth.counsellor, body.wraps, ctx.clock.now())
    broker = broker_for(request)
    for event in events:
        await broker.publish(auth.counsellor.org_id, event)
    return {"stored": len(events)}


def _sse(event: dict[str, Any]) -> str:
    if event.get("resync"):  # RESYNC, also after a trip through PostgreSQL's NOTIFY
        return "event: resync\ndata: {}\n\n"
    return "event: change\ndata: " + json.dumps(event, separators=(",", ":")) + "\n\n"


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "content-free change events"},
        401: {},
    },
)
async def events(auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request) -> StreamingResponse:
    """``event: change`` / ``data: {"conv_id", "seq", "cursor"}``; a ``: keep-alive`` comment every 15 s.
    The stream ends within a second when the session ends (sign-out, revoked, idle or absolute
    time-out, the counsellor removed, the device dropped by a roster) and when the relay shuts down."""
    org_id, counsellor_id = auth.counsellor.org_id, auth.counsellor.id
    session_id, token_hash, device_id = auth.session.id, auth.session.token_hash, auth.session.device_id
    await db.close()  # hold no database connection while streaming
    broker = broker_for(request)
    keepalive = float(getattr(request.app.state, "sse_keepalive_seconds", KEEPALIVE_SECONDS))
    recheck = min(keepalive, RECHECK_SECONDS)

    async def stream() -> AsyncIterator[str]:
        owners = [session_owner(session_id), counsellor_owner(counsellor_id)]
        if device_id is not None:  # always (a stream needs a session bound to a device)
            owners.append(device_owner(device_id))
        async with broker.subscribe(org_id, owners) as queue:
            # Checked once subscribed: a sign-out just before the subscription counted is seen here.
            deadline = await session_deadline(ctx, session_id, token_hash)
            if deadline is None:
                return
            yield ": ready\n\n"
            loop = asyncio.get_running_loop()
            next_keepalive = loop.time() + keepalive
            while True:
                # Sign-out, revocation and removal arrive as CLOSED (end_streams, on every instance);
                # the time-outs are watched here: the clock each `recheck` seconds, and the database
                # when the known deadline passed (other requests move last_used_at) or at a keep-alive.
                wait = max(0.0, min(recheck, next_keepalive - loop.time()))
                try:
                    event: dict[str, Any] | None = await asyncio.wait_for(queue.get(), timeout=wait)
                except TimeoutError:
                    event = None
                if event is CLOSED:
                    return
                keepalive_due = loop.time() >= next_keepalive
                if keepalive_due or ctx.clock.now() >= deadline:
                    deadline = await session_deadline(ctx, session_id, token_hash)
                    if deadline is None:
                        return
                if event is not None:
                    yield _sse(event)
                elif keepalive_due:
                    next_keepalive = loop.time() + keepalive
                    yield ": keep-alive\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})
