"""Retention (DESIGN §4): message ciphertexts, profile envelopes and file blobs go at most
``retention_days`` after storage, idle devices go with all their data (feedback sent with their id
included), old nonces go, vendor feedback goes ``feedback_retention_days`` after it was sent. Reads
refuse expired rows on their own, so the promise holds even between two runs of the job."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.context import AppContext
from opgelucht_relay.models.blobs import Blob
from opgelucht_relay.models.messaging import Conversation, Device, ExtraWrap, Feedback, Message, RequestNonce
from opgelucht_relay.services.counters import retention_deleted
from opgelucht_relay.services.device_keys import forget_everywhere
from opgelucht_relay.services.sql import write_lock
from opgelucht_relay.services.stats import close_buckets, noise_source
from opgelucht_relay.services.stats_activity import forget_device

log = logging.getLogger("opgelucht.relay.retention")

JOB_INTERVAL_SECONDS = 600
"""How often the retention job runs (opgelucht_relay/jobs.py)."""


def message_lifetime(retention_days: int) -> timedelta:
    """How long a stored envelope stays readable: the retention period minus one job interval, so that the
    job has physically deleted it by ``retention_days`` after storage at the latest."""
    return timedelta(days=retention_days) - timedelta(seconds=JOB_INTERVAL_SECONDS)


async def delete_device(db: AsyncSession, device_id: uuid.UUID) -> None:
    """Delete a device and everything it owns, the feedback sent with its id included (child tables
    first: no reliance on FK cascades)."""
    forget_everywhere(device_id)  # the signing-key cache of this process (services/device_keys.py)
    conv_ids = select(Conversation.conv_id).where(Conversation.device_id == device_id)
    message_ids = select(Message.id).where(Message.conv_id.in_(conv_ids))
    await db.execute(delete(ExtraWrap).where(ExtraWrap.message_id.in_(message_ids)))
    await db.execute(delete(Message).where(Message.conv_id.in_(conv_ids)))
    await db.execute(delete(Blob).where(Blob.conv_id.in_(conv_ids)))
    await db.execute(delete(Conversation).where(Conversation.device_id == device_id))
    await db.execute(delete(RequestNonce).where(RequestNonce.device_id == device_id))
    await forget_device(await db.connection(), device_id)
    await db.execute(delete(Feedback).where(Feedback.device_id == device_id))
    await db.execute(delete(Device).where(Device.device_id == device_id))


async def purge(
    db: AsyncSession, now: datetime, *, retention_days: int, idle_days: int, feedback_days: int
) -> dict[str, int]:
    """One retention pass; returns how many rows of each kind went (numbers only, for logs and the CLI)."""
    async with write_lock(db):
        counts = await _purge(
            db, now, retention_days=retention_days, idle_days=idle_days, feedback_days=feedback_days
        )
    if any(counts.values()):
        await empty_wal(db)
    return counts


async def empty_wal(db: AsyncSession) -> None:
    """On SQLite, move the WAL into the database file and empty it, so that the pages written before the
    deletion (which still hold the deleted rows) leave the disk now (after a retention pass that deleted
    something, and after ``DELETE /v1/device``); ``secure_delete`` (opgelucht_relay/db.py)
    has zeroed them in the database file. When a reader holds the WAL, the next pass tries again."""
    if db.get_bind().dialect.name == "sqlite":
        await db.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await db.commit()


async def _purge(
    db: AsyncSession, now: datetime, *, retention_days: int, idle_days: int, feedback_days: int
) -> dict[str, int]:
    counts: dict[str, int] = {}
    result = await db.execute(delete(ExtraWrap).where(ExtraWrap.expires_at <= now))
    counts["wraps"] = int(getattr(result, "rowcount", 0) or 0)
    result = await db.execute(delete(Message).where(Message.expires_at <= now))
    counts["messages"] = int(getattr(result, "rowcount", 0) or 0)
    # A conversation without live messages holds only ids and times; it goes when its last message would.
    stale = now - message_lifetime(retention_days)
    stale_convs = select(Conversation.conv_id).where(Conversation.last_activity <= stale)
    result = await db.execute(delete(Blob).where((Blob.expires_at <= now) | Blob.conv_id.in_(stale_convs)))
    counts["blobs"] = int(getattr(result, "rowcount", 0) or 0)
    result = await db.execute(delete(Conversation).where(Conversation.last_activity <= stale))
    counts["conversations"] = int(getattr(result, "rowcount", 0) or 0)
    result = await db.execute(delete(RequestNonce).where(RequestNonce.expires_at < now))
    counts["nonces"] = int(getattr(result, "rowcount", 0) or 0)
    idle_before = (now - timedelta(days=idle_days)).date()
    idle = list(await db.scalars(select(Device.device_id).where(Device.last_seen < idle_before)))
    for device_id in idle:
        await delete_device(db, device_id)
    counts["devices"] = len(idle)
    result = await db.execute(
        delete(Feedback).where(Feedback.created_at <= now - timedelta(days=feedback_days))
    )
    counts["feedback"] = int(getattr(result, "rowcount", 0) or 0)
    await db.commit()
    return counts


async def retention_job(ctx: AppContext) -> None:
    async with ctx.db.sessions() as db:
        counts = await purge(
            db,
            ctx.clock.now(),
            retention_days=ctx.settings.retention_days,
            idle_days=ctx.settings.device_idle_purge_days,
            feedback_days=ctx.settings.feedback_retention_days,
        )
        # Statistics periods that ended: freeze their reports, then drop their activity and salts.
        counts["stats_periods"] = await close_buckets(db, ctx.clock.now().date(), noise_source(ctx.settings))
        # Blob files whose rows went (expired, or with their conversation or device).
        counts["blob_files"] = await ctx.blobs.sweep(db)
    retention_deleted(ctx.metrics, counts)
    if any(counts.values()):
        log.info("retention pass", extra={"deleted": counts})
