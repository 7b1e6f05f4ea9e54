"""Usage events of a signed-in reporter device (docs/stats.md). The relay stores no device id with them:
each event only marks the device's per-period tag as having touched the cell (kind, item), once per
device and cell, at most ``stats_items_per_device`` cells per period."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import ApiError
from opgelucht_relay.services.counters import usage_events_accepted
from opgelucht_relay.services.device_auth import SignedRequest
from opgelucht_relay.services.sql import write_lock
from opgelucht_relay.services.stats_activity import record_items, record_presence


async def record_usage(
    ctx: AppContext,
    db: AsyncSession,
    signed: SignedRequest,
    code: str,
    cells: set[tuple[str, str]],
    count: int,
) -> None:
    """Record the touched ``cells`` (``count`` events) in the request's own transaction with its nonce
    (the SQLAlchemy path; ``hot_paths.usage_events`` checks the budgets and the org ``code`` first)."""
    device = signed.device
    day = signed.now.date()
    async with write_lock(db):
        conn = await db.connection()
        try:
            await signed.claim(conn)
        except ApiError:
            await db.rollback()
            raise
        tags = await record_presence(conn, device.device_id, code, device.created_at, day)
        await record_items(conn, tags, cells, day, ctx.settings.stats_items_per_device)
        await db.commit()
    usage_events_accepted(ctx.metrics, count)
