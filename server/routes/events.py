"""``POST /v1/events``: usage events of a signed-in reporter device (docs/stats.md). The relay stores no
device id with them: each event only marks the device's per-period tag as having touched the cell
(kind, item), once per device and cell, at most ``stats_items_per_device`` cells per period. At most
``events_address_burst`` requests at once and ``events_address_per_minute`` per client address (in
memory, addresses kept only as keyed hashes and never logged; 429 with Retry-After beyond)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field

from server.deps import Ctx, DbSession, client_address
from server.errors import ApiError, bad_request, rate_limited
from server.orgs import live_code
from server.schemas import Strict
from server.services.counters import usage_events_accepted
from server.services.device_auth import Signed
from server.services.sql import write_lock
from server.services.stats_activity import record_items, record_presence

router = APIRouter(tags=["device"])

Kind = Literal["screen", "topic", "article", "device_type", "screen_size", "app_version", "error"]


class EventIn(Strict):
    kind: Kind
    item: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/ -]+$")
    count: int = Field(ge=1, le=100)


class EventsIn(Strict):
    org_code: str = Field(min_length=1, max_length=32)
    events: list[EventIn] = Field(min_length=1, max_length=100)


@router.post("/v1/events", status_code=202, responses={400: {}, 401: {}, 404: {}, 410: {}, 429: {}})
async def usage_events(
    body: EventsIn, signed: Signed, ctx: Ctx, db: DbSession, request: Request
) -> dict[str, int]:
    retry_after = ctx.events_limit.take(client_address(request), ctx.clock.now())
    if retry_after is not None:
        raise rate_limited(retry_after)
    code = await live_code(db, body.org_code)
    device = signed.device
    if code.code != device.org_code:
        raise bad_request("org_code is not the code this device registered with")
    day = signed.now.date()
    async with write_lock(db):
        conn = await db.connection()
        try:
            await signed.claim(conn)
        except ApiError:
            await db.rollback()
            raise
        tags = await record_presence(conn, device.device_id, code.code, device.created_at, day)
        cells = {(event.kind, event.item) for event in body.events}
        await record_items(conn, tags, cells, day, ctx.settings.stats_items_per_device)
        await db.commit()
    usage_events_accepted(ctx.metrics, len(body.events))
    return {"accepted": len(body.events)}
