"""The organisations' case registers (docs/case-register.md): opaque record blobs written with a version
that must grow by one (a later update wins, a concurrent one gets 409 and merges), the register key's wraps
to counsellor devices, the org's retention, and the job that deletes records past it.

Every lookup is within the caller's org: another org's record or device answers 404.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import ApiError, conflict, not_found
from opgelucht_relay.models.accounts import Counsellor, CounsellorDevice
from opgelucht_relay.models.register import RegisterKeyWrap, RegisterRecord, RegisterSettings
from opgelucht_relay.services.sql import write_lock

log = logging.getLogger("opgelucht.relay.register")

DEFAULT_RETENTION_DAYS = 730
"""Two years, unless the org's admin sets another retention."""

MIN_RETENTION_DAYS = 31
MAX_RETENTION_DAYS = 3650
MAX_RECORD_BYTES = 4096
MAX_WRAP_BYTES = 1024
MAX_RECORDS_PER_ORG = 100_000
MAX_PAGE = 500
JOB_INTERVAL_SECONDS = 3600


def too_large() -> ApiError:
    return ApiError(413, "too_large", "The register entry is too large.")


async def retention_days(db: AsyncSession, org_id: uuid.UUID) -> int:
    row = await db.get(RegisterSettings, org_id)
    return DEFAULT_RETENTION_DAYS if row is None else row.retention_days


async def set_retention_days(db: AsyncSession, org_id: uuid.UUID, days: int) -> int:
    async with write_lock(db):
        row = await db.get(RegisterSettings, org_id)
        if row is None:
            db.add(RegisterSettings(org_id=org_id, retention_days=days))
        else:
            row.retention_days = days
        await db.commit()
    return days


async def records(
    db: AsyncSession, org_id: uuid.UUID, after: str, limit: int, now: datetime
) -> tuple[list[RegisterRecord], bool]:
    """The org's live records ordered by id after ``after``; True when more follow."""
    keep_from = now - timedelta(days=await retention_days(db, org_id))
    rows = list(
        await db.scalars(
            select(RegisterRecord)
            .where(
                RegisterRecord.org_id == org_id,
                RegisterRecord.record_id > after,
                RegisterRecord.updated_at > keep_from,
            )
            .order_by(RegisterRecord.record_id)
            .limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


async def record(db: AsyncSession, org_id: uuid.UUID, record_id: str) -> RegisterRecord:
    row = await db.get(RegisterRecord, (org_id, record_id))
    if row is None:
        raise not_found()
    return row


async def put_record(
    db: AsyncSession, org_id: uuid.UUID, record_id: str, version: int, blob: bytes, now: datetime
) -> RegisterRecord:
    """Store version ``version`` of a record: 1 creates it, n + 1 replaces version n; anything else is a
    409 naming the current version (the desk re-reads, merges and writes the next)."""
    async with write_lock(db):
        row = await db.get(RegisterRecord, (org_id, record_id), with_for_update=True)
        current = 0 if row is None else row.version
        if version != current + 1:
            raise conflict(f"The record is at version {current}; write version {current + 1}.")
        if row is None:
            count = await db.scalar(select(func.count()).where(RegisterRecord.org_id == org_id))
            if (count or 0) >= MAX_RECORDS_PER_ORG:
                raise conflict("The register is full.")
            row = RegisterRecord(
                org_id=org_id, record_id=record_id, version=version, blob=blob, updated_at=now
            )
            db.add(row)
        else:
            row.version, row.blob, row.updated_at = version, blob, now
        try:
            await db.commit()
        except IntegrityError:  # a concurrent first write of the same id
            await db.rollback()
            raise conflict("The record changed meanwhile; read it again.") from None
    return row


async def key_wraps(db: AsyncSession, org_id: uuid.UUID) -> list[tuple[CounsellorDevice, RegisterKeyWrap]]:
    rows = await db.execute(
        select(CounsellorDevice, RegisterKeyWrap)
        .join(RegisterKeyWrap, RegisterKeyWrap.device_id == CounsellorDevice.device_id)
        .where(RegisterKeyWrap.org_id == org_id)
        .order_by(CounsellorDevice.device_id)
    )
    return [(d, w) for d, w in rows.all()]


async def put_key_wrap(
    db: AsyncSession, org_id: uuid.UUID, device_id: uuid.UUID, blob: bytes, now: datetime
) -> CounsellorDevice:
    """Store the register key's wrap for a counsellor device of the org (404 otherwise). The first wrap
    stays: the same blob again is fine, another one is a 409."""
    async with write_lock(db):
        device = await db.scalar(
            select(CounsellorDevice)
            .join(Counsellor, Counsellor.id == CounsellorDevice.counsellor_id)
            .where(CounsellorDevice.device_id == device_id, Counsellor.org_id == org_id)
        )
        if device is None:
            raise not_found()
        existing = await db.get(RegisterKeyWrap, device_id)
        if existing is not None:
            if existing.blob != blob:
                raise conflict("This device already has the register key.")
            return device
        db.add(RegisterKeyWrap(device_id=device_id, org_id=org_id, blob=blob, created_at=now))
        try:
            await db.commit()
        except IntegrityError:  # a concurrent first wrap
            await db.rollback()
            raise conflict("This device already has the register key.") from None
    return device


async def purge(db: AsyncSession, now: datetime) -> int:
    """Delete every record not changed within its org's retention; returns how many went."""
    gone = 0
    async with write_lock(db):
        gone = await _purge(db, now)
    return gone


async def _purge(db: AsyncSession, now: datetime) -> int:
    gone = 0
    org_ids = list(await db.scalars(select(RegisterRecord.org_id).distinct()))
    for org_id in org_ids:
        keep_from = now - timedelta(days=await retention_days(db, org_id))
        result = await db.execute(
            delete(RegisterRecord).where(
                RegisterRecord.org_id == org_id, RegisterRecord.updated_at <= keep_from
            )
        )
        gone += int(getattr(result, "rowcount", 0) or 0)
    await db.commit()
    return gone


async def retention_job(ctx: AppContext) -> None:
    async with ctx.db.sessions() as db:
        gone = await purge(db, ctx.clock.now())
    if gone:
        log.info("register retention pass", extra={"deleted": {"register_records": gone}})
