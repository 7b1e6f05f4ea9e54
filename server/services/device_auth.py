"""Signed device requests (docs/api.md): a FastAPI dependency that verifies the ``Opg-*`` headers with
``opgelucht_desk.protocol.verify_request`` and records each nonce in the database, so every relay
instance sharing the database refuses a replay."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.errors import RequestAuthError
from opgelucht_desk.protocol.request_auth import DEFAULT_WINDOW, parse_request_headers, verify_request
from server.clock import unix
from server.deps import Ctx, DbSession
from server.errors import ApiError
from server.models.messaging import Device, RequestNonce
from server.services.sql import insert_ignore, write_lock

# A timestamp may be up to WINDOW ahead of the clock, so its nonce must be kept for 2 x WINDOW.
NONCE_TTL = timedelta(seconds=2 * DEFAULT_WINDOW)


def bad_signature() -> ApiError:
    return ApiError(401, "bad_signature", "The request signature is missing, invalid or out of date.")


def request_target(request: Request) -> str:
    """The path and query string exactly as sent (what the device signed)."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    target = bytes(raw).decode("latin-1")
    query = request.scope.get("query_string", b"")
    return f"{target}?{query.decode('latin-1')}" if query else target


async def record_nonce(db: AsyncSession, device: Device, nonce: str, now: datetime) -> bool:
    """Store a nonce (and the device's last-seen day); False when the nonce was seen before and is still
    kept. Commits at once, so that a request failing later cannot be replayed either."""
    async with write_lock(db):
        inserted = await insert_ignore(
            db, RequestNonce, {"device_id": device.device_id, "nonce": nonce, "expires_at": now + NONCE_TTL}
        )
        if inserted and device.last_seen != now.date():
            await db.execute(
                update(Device).where(Device.device_id == device.device_id).values(last_seen=now.date())
            )
        await db.commit()
    return inserted


# Documents the scheme in the OpenAPI document; the checks themselves are below (a missing header is a
# 401 ``bad_signature`` like any other signature problem).
_signed = APIKeyHeader(
    name="Opg-Signature",
    scheme_name="DeviceSignature",
    auto_error=False,
    description="Ed25519 request signature with Opg-Device, Opg-Timestamp and Opg-Nonce (docs/api.md).",
)


async def current_device(
    request: Request, ctx: Ctx, db: DbSession, _signature: Annotated[str | None, Depends(_signed)]
) -> Device:
    body = await request.body()
    try:
        device_id = parse_request_headers(request.headers).device_id
    except RequestAuthError:
        raise bad_signature() from None
    device = await db.get(Device, device_id)
    if device is None:
        raise bad_signature()  # an unknown device looks like a bad signature: no existence oracle
    now = ctx.clock.now()
    try:
        _, _, nonce = verify_request(
            request.headers, request.method, request_target(request), body, device.sign_pk, now=unix(now)
        )
    except RequestAuthError:
        raise bad_signature() from None
    if not await record_nonce(db, device, nonce, now):
        raise ApiError(401, "replayed_request", "This request was already received.")
    return device


CurrentDevice = Annotated[Device, Depends(current_device)]
