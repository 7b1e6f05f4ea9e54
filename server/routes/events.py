"""``POST /v1/events``: usage counts per org code. No device id, no auth: counters only go up, at most
``events_address_burst`` requests at once and ``events_address_per_minute`` per client address (in
memory, addresses kept only as keyed hashes and never logged; 429 with Retry-After beyond)."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field

from server.deps import Ctx, DbSession, client_address
from server.errors import rate_limited
from server.models.messaging import UsageCounter
from server.orgs import live_code
from server.services.counters import usage_events_accepted
from server.services.sql import upsert_add, write_lock
from server.services.wire import Strict

router = APIRouter(tags=["public"])

Kind = Literal["screen", "topic", "article", "device_type", "screen_size", "app_version", "error"]


class EventIn(Strict):
    kind: Kind
    item: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/ -]+$")
    count: int = Field(ge=1, le=100)


class EventsIn(Strict):
    org_code: str = Field(min_length=1, max_length=32)
    events: list[EventIn] = Field(min_length=1, max_length=100)


@router.post("/v1/events", status_code=202, responses={404: {}, 410: {}, 429: {}})
async def usage_events(body: EventsIn, ctx: Ctx, db: DbSession, request: Request) -> dict[str, int]:
    retry_after = ctx.events_limit.take(client_address(request), ctx.clock.now())
    if retry_after is not None:
        raise rate_limited(retry_after)
    code = await live_code(db, body.org_code)
    day = ctx.clock.now().date()
    totals: Counter[tuple[str, str]] = Counter()
    for event in body.events:
        totals[(event.kind, event.item)] += event.count
    async with write_lock(db):
        for (kind, item), count in sorted(totals.items()):
            await upsert_add(
                db,
                UsageCounter,
                ["org_code", "kind", "item", "day"],
                {"org_code": code.code, "kind": kind, "item": item, "day": day, "count": count},
                "count",
            )
        await db.commit()
    usage_events_accepted(ctx.metrics, len(body.events))
    return {"accepted": len(body.events)}
