"""Counsellor inbox: org-wide sync by cursor, live conversations, replies, notes, extra wraps, and
content-free live events over Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import Field
from sqlalchemy import select

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import key_id
from opgelucht_desk.protocol.rewrap import verify_rewrap
from server.auth.sessions import idle_timeout
from server.clock import unix
from server.deps import Ctx, CurrentAuth, DbSession
from server.errors import bad_request, conflict, not_found
from server.models import Counsellor, CounsellorDevice, Session
from server.models.accounts import STATUS_ACTIVE
from server.models.messaging import CHANNEL_CHAT, CHANNEL_STAFF, Conversation, ExtraWrap, Message
from server.schemas import Strict
from server.services.counters import message_stored
from server.services.live_events import CLOSED, RESYNC, broker_for, counsellor_owner, session_owner
from server.services.messages import MESSAGES, committed_cursor, message_json, next_cursor, post_message
from server.services.retention import message_lifetime
from server.services.sql import write_lock
from server.services.wire import EnvelopeIn, StoredOut, b64_field

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])

KEEPALIVE_SECONDS = 15.0
RECHECK_SECONDS = 0.5  # how often a live stream compares its session's time-outs with the clock
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {401: {"description": "unauthenticated"}, 404: {}}


async def _caller_key_ids(db: DbSession, auth: CurrentAuth) -> list[bytes]:
    keys = await db.scalars(
        select(CounsellorDevice.enc_pk).where(CounsellorDevice.counsellor_id == auth.counsellor.id)
    )
    return [key_id(pk) for pk in keys]


@router.get("/sync", responses=AUTH_RESPONSES)
async def sync(
    auth: CurrentAuth,
    ctx: Ctx,
    db: DbSession,
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(500, ge=1, le=1000),
) -> JSONResponse:
    org_id, now = auth.counsellor.org_id, ctx.clock.now()
    # Every cursor up to the committed one is visible (cursors are handed out under a lock held
    # until commit), so a sync that returns all of them may move its cursor that far.
    upto = await committed_cursor(db, org_id)
    # Core rows, not ORM objects: a page of up to 1,000 envelopes is only read and serialised.
    conn = await db.connection()
    messages = (
        await conn.execute(
            select(MESSAGES)
            .where(
                MESSAGES.c.org_id == org_id,
                MESSAGES.c.cursor > after,
                MESSAGES.c.cursor <= upto,
                MESSAGES.c.expires_at > now,
            )
            .order_by(MESSAGES.c.cursor)
            .limit(limit + 1)
        )
    ).all()
    mine = await _caller_key_ids(db, auth)
    wrap_rows = (
        await db.execute(
            select(ExtraWrap, Message.conv_id, Message.msg_id)
            .join(Message, Message.id == ExtraWrap.message_id)
            .where(
                ExtraWrap.org_id == org_id,
                ExtraWrap.cursor > after,
                ExtraWrap.cursor <= upto,
                ExtraWrap.expires_at > now,
                ExtraWrap.key_id.in_(mine),
            )
            .order_by(ExtraWrap.cursor)
            .limit(limit + 1)
        )
    ).all()
    entries = [(m.cursor, "messages", message_json(m, with_conv=True)) for m in messages]
    entries += [(w.cursor, "wraps", _wrap_json(w, conv_id, msg_id)) for w, conv_id, msg_id in wrap_rows]
    entries.sort(key=lambda entry: entry[0])
    more = len(entries) > limit
    entries = entries[:limit]
    out: dict[str, Any] = {"messages": [], "wraps": []}
    for _, kind, item in entries:
        out[kind].append(item)
    # With more to come, continue after the last entry; otherwise everything up to `upto` was seen.
    out["cursor"] = entries[-1][0] if more else max(after, upto)
    out["more"] = more
    return JSONResponse(out)  # plain str/int values: no jsonable_encoder pass over 1,000 items


def _wrap_json(wrap: ExtraWrap, conv_id: uuid.UUID, msg_id: uuid.UUID) -> dict[str, str]:
    return {
        "conv_id": str(conv_id),
        "msg_id": str(msg_id),
        "key_id": b64e(wrap.key_id),
        "wrap": b64e(wrap.wrap),
        "record": b64e(wrap.record),
    }


@router.get("/conversations", responses=AUTH_RESPONSES)
async def conversations(auth: CurrentAuth, ctx: Ctx, db: DbSession) -> dict[str, list[dict[str, Any]]]:
    retention = message_lifetime(ctx.settings.retention_days)
    live_after = ctx.clock.now() - retention
    rows = await db.scalars(
        select(Conversation)
        .where(Conversation.org_id == auth.counsellor.org_id, Conversation.last_activity > live_after)
        .order_by(Conversation.last_activity.desc())
    )
    return {
        "conversations": [
            {
                "conv_id": str(c.conv_id),
                "created_at": unix(c.created_at),
                "last_activity": unix(c.last_activity),
                "last_seq": c.last_seq,
                "expires_at": unix(c.last_activity + retention),
            }
            for c in rows
        ]
    }


async def _post(
    conv_id: uuid.UUID,
    body: EnvelopeIn,
    channel: str,
    auth: CurrentAuth,
    ctx: Ctx,
    db: DbSession,
    request: Request,
) -> JSONResponse:
    org_id = auth.counsellor.org_id
    posted = await post_message(
        db,
        org_id=org_id,
        conv_id=conv_id,
        envelope=b64_field(body.envelope, "envelope"),
        channel=channel,
        now=ctx.clock.now(),
        retention=message_lifetime(ctx.settings.retention_days),
        device_id=None,
    )
    if posted.created:
        message_stored(ctx.metrics, channel, "counsellor")
        if not posted.notified:
            event = {"conv_id": str(conv_id), "seq": posted.seq, "cursor": posted.cursor}
            await broker_for(request).publish(org_id, event)
    # A ready response: the dict is already the ``Stored`` shape (no second validation pass).
    return JSONResponse(posted.stored, status_code=201)


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


class WrapIn(Strict):
    conv_id: uuid.UUID
    msg_id: uuid.UUID
    key_id: str = Field(max_length=16)
    wrap: str = Field(max_length=200)
    record: str = Field(max_length=400)


class WrapsIn(Strict):
    wraps: list[WrapIn] = Field(min_length=1, max_length=1000)


@router.post("/wraps", status_code=201, responses=POST_RESPONSES)
async def add_wraps(
    body: WrapsIn, auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request
) -> dict[str, int]:
    """Extra key wraps for a newly added device; each record must be signed by one of the caller's devices."""
    org_id = auth.counsellor.org_id
    signers = set(
        await db.scalars(
            select(CounsellorDevice.sign_pk).where(CounsellorDevice.counsellor_id == auth.counsellor.id)
        )
    )
    parsed = []
    for i, item in enumerate(body.wraps):
        record = b64_field(item.record, f"wraps.{i}.record")
        try:
            rec = verify_rewrap(record, allowed_signers=signers)
        except ProtocolError:
            raise bad_request(f"wraps.{i}.record: not a valid rewrap record signed by your device") from None
        if (
            rec.conv_id != item.conv_id
            or rec.msg_id != item.msg_id
            or rec.key_id != b64_field(item.key_id, f"wraps.{i}.key_id", 8)
            or rec.wrap != b64_field(item.wrap, f"wraps.{i}.wrap", 80)
        ):
            raise bad_request(f"wraps.{i}: fields do not match the record")
        parsed.append((rec, record))
    now = ctx.clock.now()
    stored = 0
    events: list[dict[str, Any]] = []
    async with write_lock(db):
        await next_cursor(db, org_id)  # takes the org lock before reading
        for rec, record in parsed:
            message = await db.scalar(
                select(Message).where(
                    Message.org_id == org_id,
                    Message.conv_id == rec.conv_id,
                    Message.msg_id == rec.msg_id,
                    Message.expires_at > now,
                )
            )
            if message is None:
                await db.rollback()
                raise not_found()
            existing = await db.scalar(
                select(ExtraWrap).where(ExtraWrap.message_id == message.id, ExtraWrap.key_id == rec.key_id)
            )
            if existing is not None:
                if existing.record != record:
                    await db.rollback()
                    raise conflict("A different wrap for this device and message exists.")
                continue
            cursor = await next_cursor(db, org_id)
            db.add(
                ExtraWrap(
                    org_id=org_id,
                    message_id=message.id,
                    cursor=cursor,
                    key_id=rec.key_id,
                    wrap=rec.wrap,
                    record=record,
                    expires_at=message.expires_at,
                )
            )
            events.append({"conv_id": str(rec.conv_id), "seq": message.seq, "cursor": cursor})
            stored += 1
        await db.commit()
    broker = broker_for(request)
    for event in events:
        await broker.publish(org_id, event)
    return {"stored": stored}


def _sse(event: dict[str, Any]) -> str:
    if event is RESYNC:
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
    time-out, the counsellor removed) and when the relay shuts down."""
    org_id, counsellor_id = auth.counsellor.org_id, auth.counsellor.id
    session_id, token_hash = auth.session.id, auth.session.token_hash
    await db.close()  # hold no database connection while streaming
    broker = broker_for(request)
    keepalive = float(getattr(request.app.state, "sse_keepalive_seconds", KEEPALIVE_SECONDS))
    recheck = min(keepalive, RECHECK_SECONDS)

    async def session_deadline() -> datetime | None:
        """When the session times out as the database has it now; None if it has ended already."""
        async with ctx.db.sessions() as check:
            found = (
                await check.execute(
                    select(Session.expires_at, Session.last_used_at)
                    .join(Counsellor, Counsellor.id == Session.counsellor_id)
                    .where(
                        Session.id == session_id,
                        Session.token_hash == token_hash,
                        Counsellor.status == STATUS_ACTIVE,
                    )
                )
            ).first()
        if found is None:
            return None
        deadline = min(found.expires_at, found.last_used_at + idle_timeout(ctx.settings))
        return deadline if ctx.clock.now() < deadline else None

    async def stream() -> AsyncIterator[str]:
        owners = (session_owner(session_id), counsellor_owner(counsellor_id))
        async with broker.subscribe(org_id, owners) as queue:
            # Checked once subscribed: a sign-out just before the subscription counted is seen here.
            deadline = await session_deadline()
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
                    deadline = await session_deadline()
                    if deadline is None:
                        return
                if event is not None:
                    yield _sse(event)
                elif keepalive_due:
                    next_keepalive = loop.time() + keepalive
                    yield ": keep-alive\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})
