"""Signed ``/v1/device/...`` routes: a reporter device reads the roster and its own conversations,
posts envelopes, exports and deletes its data. Another device's conversation is a plain 404."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from opgelucht_desk.protocol.encoding import b64e
from server.clock import unix
from server.deps import Ctx, DbSession
from server.errors import ApiError, not_found
from server.models.messaging import CHANNEL_CHAT, Conversation, Device, Feedback, Message
from server.services.counters import message_stored
from server.services.device_auth import CurrentDevice, Signed, record_nonce, replayed_request
from server.services.live_events import broker_for
from server.services.messages import message_json, post_message
from server.services.orgs import current_roster
from server.services.retention import delete_device, message_lifetime
from server.services.sql import write_lock
from server.services.wire import ENVELOPE_BODY, EnvelopeIn, StoredOut, b64_field, parse_body

router = APIRouter(prefix="/v1/device", tags=["device"])

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "bad_signature or replayed_request"},
    404: {"description": "not found (or another device's)"},
}


@router.get("/roster", responses=AUTH_RESPONSES)
async def device_roster(device: CurrentDevice, db: DbSession) -> dict[str, str]:
    roster = await current_roster(db, device.org_id)
    if roster is None:
        raise not_found()
    return {"body": b64e(roster.body), "sig": b64e(roster.sig)}


@router.get("/conversations", responses=AUTH_RESPONSES)
async def device_conversations(
    device: CurrentDevice, ctx: Ctx, db: DbSession
) -> dict[str, list[dict[str, Any]]]:
    """The device's live conversations (with a message that has not expired yet)."""
    live_after = ctx.clock.now() - message_lifetime(ctx.settings.retention_days)
    rows = await db.scalars(
        select(Conversation)
        .where(Conversation.device_id == device.device_id, Conversation.last_activity > live_after)
        .order_by(Conversation.created_at)
    )
    return {
        "conversations": [
            {"conv_id": str(c.conv_id), "created_at": unix(c.created_at), "last_seq": c.last_seq}
            for c in rows
        ]
    }


@router.post(
    "/conversations/{conv_id}/messages",
    status_code=201,
    response_model=StoredOut,
    responses={**AUTH_RESPONSES, 200: {"description": "same msg_id and bytes again"}, 400: {}, 409: {}},
    openapi_extra=ENVELOPE_BODY,
)
async def device_post(
    conv_id: uuid.UUID,
    signed: Signed,
    ctx: Ctx,
    db: DbSession,
    request: Request,
) -> JSONResponse:
    """The nonce is claimed in the message's own transaction (one commit per post). When that
    transaction does not commit (an invalid body, another device's conversation, a repeated msg_id),
    the nonce is stored on its own, so a replay of any signed post is refused. The body is parsed here
    rather than by FastAPI so that a body failing the schema is covered by this rule too."""
    try:
        body = parse_body(EnvelopeIn, await request.body())
        posted = await post_message(
            db,
            org_id=signed.org_id,
            conv_id=conv_id,
            envelope=b64_field(body.envelope, "envelope"),
            channel=CHANNEL_CHAT,
            now=signed.now,
            retention=message_lifetime(ctx.settings.retention_days),
            device_id=signed.device_id,
            first=signed.claim,
        )
    except Exception as exc:
        replayed = isinstance(exc, ApiError) and exc.code == "replayed_request"
        if not replayed and not await record_nonce(db, signed):
            raise replayed_request() from None  # a copy of this request was stored meanwhile
        raise
    if posted.created:
        message_stored(ctx.metrics, CHANNEL_CHAT, "device")
        if not posted.notified:
            event = {"conv_id": str(conv_id), "seq": posted.seq, "cursor": posted.cursor}
            await broker_for(request).publish(signed.org_id, event)
    elif not await record_nonce(db, signed):
        raise replayed_request()
    # A ready response: the dict is already the ``Stored`` shape (no second validation pass).
    return JSONResponse(posted.stored, status_code=201 if posted.created else 200)


async def _require_own_conversation(db: DbSession, device: Device, conv_id: uuid.UUID) -> None:
    conv = await db.get(Conversation, conv_id)
    if conv is None or conv.device_id != device.device_id:
        raise not_found()


@router.get("/conversations/{conv_id}/messages", responses=AUTH_RESPONSES)
async def device_messages(
    conv_id: uuid.UUID,
    device: CurrentDevice,
    ctx: Ctx,
    db: DbSession,
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    await _require_own_conversation(db, device, conv_id)
    rows = list(
        await db.scalars(
            select(Message)
            .where(
                Message.conv_id == conv_id,
                Message.channel == CHANNEL_CHAT,
                Message.seq > after,
                Message.expires_at > ctx.clock.now(),  # refused even before the retention job ran
            )
            .order_by(Message.seq)
            .limit(limit)
        )
    )
    return {"messages": [message_json(m) for m in rows], "next_after": rows[-1].seq if rows else after}


@router.get("/export", responses=AUTH_RESPONSES)
async def device_export(device: CurrentDevice, ctx: Ctx, db: DbSession) -> dict[str, Any]:
    now = ctx.clock.now()
    convs = list(
        await db.scalars(
            select(Conversation)
            .where(Conversation.device_id == device.device_id)
            .order_by(Conversation.created_at)
        )
    )
    out = []
    for conv in convs:
        messages = await db.scalars(
            select(Message)
            .where(Message.conv_id == conv.conv_id, Message.channel == CHANNEL_CHAT, Message.expires_at > now)
            .order_by(Message.seq)
        )
        out.append(
            {
                "conv_id": str(conv.conv_id),
                "created_at": unix(conv.created_at),
                "messages": [message_json(m) for m in messages],
            }
        )
    feedback = await db.scalars(
        select(Feedback).where(Feedback.device_id == device.device_id).order_by(Feedback.created_at)
    )
    return {
        "device": {
            "device_id": str(device.device_id),
            "org_id": str(device.org_id),
            "created_at": unix(device.created_at),
            "enc_pk": b64e(device.enc_pk),
            "sign_pk": b64e(device.sign_pk),
        },
        "conversations": out,
        "feedback": [
            {
                "id": str(row.id),
                "created_at": unix(row.created_at),
                "text": row.text,
                "org_code": row.org_code,
                "session_code": row.session_code,
                "app_version": row.app_version,
            }
            for row in feedback
        ],
    }


@router.delete("", status_code=204, response_class=Response, responses=AUTH_RESPONSES)
async def device_delete(device: CurrentDevice, db: DbSession) -> Response:
    """Deletes the device and its conversations, messages, wraps, nonces and feedback at once."""
    async with write_lock(db):
        await delete_device(db, device.device_id)
        await db.commit()
    return Response(status_code=204)
