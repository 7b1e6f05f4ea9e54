"""Signed ``/v1/device/...`` routes: a reporter device reads the roster and its own conversations,
posts envelopes, exports and deletes its data. Another device's conversation is a plain 404."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from opgelucht_relay.deps import Ctx, CurrentDevice, DbSession, Signed
from opgelucht_relay.errors import not_found
from opgelucht_relay.schemas import ENVELOPE_BODY, StoredOut, roster_out
from opgelucht_relay.services import hot_paths, reporter_devices
from opgelucht_relay.services.blobs import device_blob_ids
from opgelucht_relay.services.live_events import broker_for
from opgelucht_relay.services.orgs import current_roster

router = APIRouter(prefix="/v1/device", tags=["device"])

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "bad_signature or replayed_request"},
    404: {"description": "not found (or another device's)"},
}


@router.get("/roster", responses=AUTH_RESPONSES)
async def device_roster(device: CurrentDevice, db: DbSession) -> dict[str, str]:
    roster = roster_out(await current_roster(db, device.org_id))
    if roster is None:
        raise not_found()
    return roster.model_dump()


@router.get("/conversations", responses=AUTH_RESPONSES)
async def device_conversations(
    device: CurrentDevice, ctx: Ctx, db: DbSession
) -> dict[str, list[dict[str, Any]]]:
    """The device's live conversations (with a message that has not expired yet)."""
    return {"conversations": await reporter_devices.live_conversations(ctx, db, device)}


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
    rather than by FastAPI so that a body failing the schema is covered by this rule too.

    Served by the lean route ``routes/hot.device_post`` (mounted before this one); this declaration
    documents it in the OpenAPI document and calls the same service."""
    key = hot_paths.key_of(signed.device)
    stored, status = await hot_paths.device_post(
        ctx, broker_for(request), key, signed.nonce, signed.now, conv_id, await request.body()
    )
    return JSONResponse(stored, status_code=status)


@router.get("/conversations/{conv_id}/messages", responses=AUTH_RESPONSES)
async def device_messages(
    conv_id: uuid.UUID,
    device: CurrentDevice,
    ctx: Ctx,
    db: DbSession,
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    return await reporter_devices.chat_messages(ctx, db, device, conv_id, after, limit)


@router.get("/export", responses=AUTH_RESPONSES)
async def device_export(device: CurrentDevice, ctx: Ctx, db: DbSession) -> dict[str, Any]:
    return await reporter_devices.export(ctx, db, device)


@router.delete("", status_code=204, response_class=Response, responses=AUTH_RESPONSES)
async def device_delete(device: CurrentDevice, ctx: Ctx, db: DbSession) -> Response:
    """Deletes the device and its conversations, messages, file blobs, wraps, nonces and feedback at once."""
    blob_ids = await device_blob_ids(db, device.device_id)
    await reporter_devices.delete(db, device.device_id)
    await ctx.blobs.remove(blob_ids)
    return Response(status_code=204)
