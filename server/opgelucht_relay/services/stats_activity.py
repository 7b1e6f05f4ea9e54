"""Per-period activity for the statistics, recorded without device ids (docs/stats.md).

Activity goes into *buckets*: the calendar month of the day and, when the day's ISO week spans two
months, that week as well (an ISO week inside one month is read from the month's bucket, which keeps the
week's devices a subset of the month's). In a bucket a device is known only by its tag,
``HMAC-SHA256(bucket salt, device id)[:16]``; the salt is random, shared by the relay instances through
the database, and deleted when the bucket closes (``stats.close_buckets``), together with all the
bucket's rows, once its reports are frozen. From then on nothing links the published figures to a device.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from opgelucht_relay.models.messaging import StatsDay, StatsDevice, StatsItem, StatsSalt
from opgelucht_relay.services.periods import Period, parse_period
from opgelucht_relay.services.sql import dialect_insert

ESTABLISHED_DAYS = 7
"""A device counts towards a period only when registered at least this many days before it began."""

SALTS = cast(Table, StatsSalt.__table__)
DEVICES = cast(Table, StatsDevice.__table__)
DAYS = cast(Table, StatsDay.__table__)
ITEMS = cast(Table, StatsItem.__table__)

Bucket = tuple[str, bytes]
"""A bucket name and the device's tag in it."""


def buckets_of(day: date) -> list[Period]:
    """The buckets a day's activity goes into: its month, and its ISO week when that spans two months."""
    month = parse_period(f"{day.year:04d}-{day.month:02d}")
    iso = day.isocalendar()
    week = parse_period(f"{iso.year:04d}-W{iso.week:02d}")
    return [month] if week.enclosing_month() is not None else [month, week]


def bucket_of(period: Period) -> Period:
    """The bucket holding a period's activity (an ISO week inside a month is read from the month)."""
    return period.enclosing_month() or period


def registered_early(created: date, bucket: Period) -> bool:
    return created <= bucket.first - timedelta(days=ESTABLISHED_DAYS)


def device_tag(salt: bytes, device_id: uuid.UUID) -> bytes:
    return hmac.new(salt, device_id.bytes, hashlib.sha256).digest()[:16]


async def _salt(conn: AsyncConnection, bucket: str) -> bytes:
    insert = dialect_insert(conn.dialect.name, SALTS)
    await conn.execute(insert.values(bucket=bucket, salt=secrets.token_bytes(32)).on_conflict_do_nothing())
    return bytes((await conn.execute(select(SALTS.c.salt).where(SALTS.c.bucket == bucket))).scalar_one())


async def record_presence(
    conn: AsyncConnection, device_id: uuid.UUID, org_code: str, created: datetime, day: date
) -> list[Bucket]:
    """Note that the device was active on ``day`` (idempotent); returns its tags in the day's buckets."""
    out: list[Bucket] = []
    for bucket in buckets_of(day):
        tag = device_tag(await _salt(conn, bucket.name), device_id)
        device = {
            "bucket": bucket.name, "tag": tag, "org_code": org_code, "cells": 0,
            "registered_early": registered_early(created.date(), bucket),
        }  # fmt: skip
        await conn.execute(dialect_insert(conn.dialect.name, DEVICES).values(device).on_conflict_do_nothing())
        active = {"bucket": bucket.name, "tag": tag, "day": day}
        await conn.execute(dialect_insert(conn.dialect.name, DAYS).values(active).on_conflict_do_nothing())
        out.append((bucket.name, tag))
    return out


async def record_items(
    conn: AsyncConnection, tags: Iterable[Bucket], cells: Iterable[tuple[str, str]], day: date, cap: int
) -> None:
    """Note the usage cells (kind, item) a device touched on ``day``: once per device and cell however
    many events it sent, and at most ``cap`` distinct cells per device and bucket (this bounds what one
    device can change in a report, and so the privacy loss per period)."""
    for bucket, tag in tags:
        for kind, item in sorted(set(cells)):
            key = (ITEMS.c.bucket == bucket) & (ITEMS.c.tag == tag) & (ITEMS.c.kind == kind)
            seen = (await conn.execute(select(exists().where(key & (ITEMS.c.item == item))))).scalar()
            if not seen:
                # The row lock on the device's bucket row makes the cap hold under concurrency.
                taken = await conn.execute(
                    update(DEVICES)
                    .where(DEVICES.c.bucket == bucket, DEVICES.c.tag == tag, DEVICES.c.cells < cap)
                    .values(cells=DEVICES.c.cells + 1)
                )
                if not taken.rowcount:
                    continue
            row = {"bucket": bucket, "tag": tag, "kind": kind, "item": item, "day": day}
            await conn.execute(dialect_insert(conn.dialect.name, ITEMS).values(row).on_conflict_do_nothing())


async def forget_device(conn: AsyncConnection, device_id: uuid.UUID) -> None:
    """Remove a deleted device from every open bucket (closed periods keep their frozen figures)."""
    for bucket, salt in (await conn.execute(select(SALTS.c.bucket, SALTS.c.salt))).all():
        tag = device_tag(bytes(salt), device_id)
        for table in (ITEMS, DAYS, DEVICES):
            await conn.execute(delete(table).where(table.c.bucket == bucket, table.c.tag == tag))


async def discard_bucket(conn: AsyncConnection, bucket: str) -> None:
    """Delete a closed bucket's rows and its salt."""
    for table in (ITEMS, DAYS, DEVICES, SALTS):
        await conn.execute(delete(table).where(table.c.bucket == bucket))
