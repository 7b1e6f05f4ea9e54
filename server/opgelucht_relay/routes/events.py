"""``POST /v1/events``: usage events of a signed-in reporter device (docs/stats.md). The relay stores no
device id with them: each event only marks the device's per-period tag as having touched the cell
(kind, item), once per device and cell, at most ``stats_items_per_device`` cells per period. Token
budgets per client address (before the body is read), per device and per org code (in memory,
addresses kept only as keyed hashes and never logged; 429 with Retry-After beyond; docs/operations.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from opgelucht_relay.deps import Ctx, DbSession, Signed, client_address
from opgelucht_relay.schemas import EventsIn
from opgelucht_relay.services import hot_paths

router = APIRouter(tags=["device"])


@router.post("/v1/events", status_code=202, responses={400: {}, 401: {}, 404: {}, 410: {}, 429: {}})
async def usage_events(
    body: EventsIn,
    signed: Signed,
    ctx: Ctx,
    db: DbSession,
    request: Request,
) -> dict[str, int]:
    """Served by the lean route ``routes/hot.usage_events`` (mounted before this one, which checks the
    address budget before reading the body); this declaration documents it and calls the same service."""
    hot_paths.address_limit(ctx, client_address(request))
    key = hot_paths.key_of(signed.device)
    return {"accepted": await hot_paths.usage_events(ctx, key, signed.nonce, signed.now, body)}
