"""Usage events of a signed-in reporter device (docs/stats.md). The relay stores no device id with them:
each event only marks the device's per-period tag as having touched the cell (kind, item), once per
device and cell, at most ``stats_items_per_device`` cells per period."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import ApiError, bad_request, rate_limited
from opgelucht_relay.services.counters import usage_events_accepted
from opgelucht_relay.services.device_auth import SignedRequest
from opgelucht_relay.services.orgs import live_code
from opgelucht_relay.services.sql import write_lock
from opgelucht_relay.services.stats_activity import record_items, record_presence


async def record_usage(
    ctx: AppContext,
    db: AsyncSession,
    signed: SignedRequest,
    org_code: str,
    cells: set[tuple[str, str]],
    count: int,
    address: str | None,
) -> None:
    """Record the touched ``cells`` (``count`` events) in the request's own transaction with its nonce.
    429 beyond the per-address limit (``address`` is held in memory as a keyed hash only)."""
    retry_after = ctx.events_limit.take(address, ctx.clock.now())
    if retry_after is not None:
        raise rate_limited(retry_after)
    code = await live_code(db, org_code)
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
        await record_items(conn, tags, cells, day, ctx.settings.stats_items_per_device)
        await db.commit()
    usage_events_accepted(ctx.metrics, count)
