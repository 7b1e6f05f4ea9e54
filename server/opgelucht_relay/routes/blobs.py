"""File blobs of a conversation: ``PUT``/``GET /v1/device/conversations/{conv_id}/blobs/{blob_id}``
(signed by the reporter device that owns the conversation) and the same under ``/v1/inbox`` (a
counsellor session of the conversation's org). Anything else's blob is a plain 404."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from opgelucht_relay.deps import Ctx, CurrentAuth, CurrentDevice, DbSession
from opgelucht_relay.errors import rate_limited
from opgelucht_relay.schemas import BLOB_BODY, BLOB_DOWNLOAD, BlobStoredOut
from opgelucht_relay.services import blobs
from opgelucht_relay.services.retention import message_lifetime

router = APIRouter(tags=["blobs"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the same blob id and bytes again (a retried upload)"},
    400: {"description": "bad_blob: not an encrypted blob of a valid length"},
    401: {"description": "bad signature, replayed request or no session"},
    404: {"description": "not found (or another org's, device's or conversation's)"},
    409: {"description": "another blob was stored under this id"},
    413: {"description": "larger than the relay's max_file_bytes allows"},
    429: {"description": "too many uploads; Retry-After says when to try again"},
}
GET_RESPONSES: dict[int | str, dict[str, Any]] = {
    **BLOB_DOWNLOAD,
    401: RESPONSES[401],
    404: RESPONSES[404],
}


def _limit(ctx: Ctx, who: uuid.UUID) -> None:
    wait = ctx.blob_uploads.take(str(who), ctx.clock.now())
    if wait is not None:
        raise rate_limited(wait)


def _blob_response(data: bytes) -> Response:
    return Response(data, media_type="application/octet-stream", headers={"Cache-Control": "no-store"})


@router.put(
    "/v1/device/conversations/{conv_id}/blobs/{blob_id}",
    status_code=201,
    response_model=BlobStoredOut,
    responses=RESPONSES,
    openapi_extra=BLOB_BODY,
)
async def device_upload(
    conv_id: uuid.UUID, blob_id: uuid.UUID, device: CurrentDevice, ctx: Ctx, db: DbSession, request: Request
) -> JSONResponse:
    """Upload one encrypted file blob into the device's own conversation (which must exist)."""
    _limit(ctx, device.device_id)
    stored = await blobs.upload(
        db,
        ctx.blobs,
        org_id=device.org_id,
        conv_id=conv_id,
        blob_id=blob_id,
        body=await request.body(),
        device_id=device.device_id,
        now=ctx.clock.now(),
        retention=message_lifetime(ctx.settings.retention_days),
    )
    return JSONResponse(stored.json(), status_code=201 if stored.created else 200)


@router.get(
    "/v1/device/conversations/{conv_id}/blobs/{blob_id}",
    response_class=Response,
    responses=GET_RESPONSES,
)
async def device_download(
    conv_id: uuid.UUID, blob_id: uuid.UUID, device: CurrentDevice, ctx: Ctx, db: DbSession
) -> Response:
    data = await blobs.download(
        db,
        ctx.blobs,
        org_id=device.org_id,
        conv_id=conv_id,
        blob_id=blob_id,
        device_id=device.device_id,
        now=ctx.clock.now(),
    )
    return _blob_response(data)


@router.put(
    "/v1/inbox/conversations/{conv_id}/blobs/{blob_id}",
    status_code=201,
    response_model=BlobStoredOut,
    responses=RESPONSES,
    openapi_extra=BLOB_BODY,
)
async def counsellor_upload(
    conv_id: uuid.UUID, blob_id: uuid.UUID, auth: CurrentAuth, ctx: Ctx, db: DbSession, request: Request
) -> JSONResponse:
    """Upload one encrypted file blob (an attachment of a reply) into a conversation of the org."""
    _limit(ctx, auth.counsellor.id)
    stored = await blobs.upload(
        db,
        ctx.blobs,
        org_id=auth.counsellor.org_id,
        conv_id=conv_id,
        blob_id=blob_id,
        body=await request.body(),
        device_id=None,
        now=ctx.clock.now(),
        retention=message_lifetime(ctx.settings.retention_days),
    )
    return JSONResponse(stored.json(), status_code=201 if stored.created else 200)


@router.get(
    "/v1/inbox/conversations/{conv_id}/blobs/{blob_id}",
    response_class=Response,
    responses=GET_RESPONSES,
)
async def counsellor_download(
    conv_id: uuid.UUID, blob_id: uuid.UUID, auth: CurrentAuth, ctx: Ctx, db: DbSession
) -> Response:
    data = await blobs.download(
        db,
        ctx.blobs,
        org_id=auth.counsellor.org_id,
        conv_id=conv_id,
        blob_id=blob_id,
        device_id=None,
        now=ctx.clock.now(),
    )
    return _blob_response(data)
