"""A usage-event batch's cells in one statement (services/usage_batch.py, issue 12, not wired in
yet): the same rule as ``stats_activity.record_items`` (seen cells again, new ones up to the cap in
(kind, item) order), on both backends, on the tags a real registration created."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import asyncpg
from kit.reporter import RawReporter
from sqlalchemy.engine import make_url

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.services.stats_activity import Bucket, buckets_of, device_tag
from opgelucht_relay.services.usage_batch import pg_record_items, sqlite_record_items

CAP = 3


def tags_sqlite(path: str, reporter: RawReporter, day: date) -> list[Bucket]:
    with sqlite3.connect(path) as conn:
        salts = dict(conn.execute("SELECT bucket, salt FROM stats_salts").fetchall())
    return [(b.name, device_tag(bytes(salts[b.name]), reporter.device_id)) for b in buckets_of(day)]


async def test_a_batch_counts_seen_cells_again_and_new_ones_up_to_the_cap(
    settings: Settings, backend: str, clock: ManualClock, reporter: RawReporter
) -> None:
    today = clock.now().date()
    later = today + timedelta(days=1)
    first = [("screen", "b"), ("screen", "a"), ("screen", "a")]
    second = [("topic", "d"), ("screen", "a"), ("topic", "c"), ("screen", "e")]
    url = make_url(settings.db_url)
    if backend == "sqlite":
        assert url.database is not None
        tags = tags_sqlite(url.database, reporter, today)
        conn = sqlite3.connect(url.database, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            assert sqlite_record_items(conn, tags, first, today, CAP) == 2 * len(tags)
            assert sqlite_record_items(conn, tags, second, later, CAP) == 1 * len(tags)
            conn.execute("COMMIT")
            rows = conn.execute("SELECT bucket, kind, item, day FROM stats_items").fetchall()
            cells = conn.execute("SELECT bucket, cells FROM stats_devices").fetchall()
        finally:
            conn.close()
        got = {(b, k, i, date.fromisoformat(d)) for b, k, i, d in rows}
    else:
        pg = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        try:
            salts = {
                r["bucket"]: bytes(r["salt"]) for r in await pg.fetch("SELECT bucket, salt FROM stats_salts")
            }
            tags = [(b.name, device_tag(salts[b.name], reporter.device_id)) for b in buckets_of(today)]
            async with pg.transaction():
                assert await pg_record_items(pg, tags, first, today, CAP) == 2 * len(tags)
                assert await pg_record_items(pg, tags, second, later, CAP) == 1 * len(tags)
            rows = await pg.fetch("SELECT bucket, kind, item, day FROM stats_items")
            cells = [tuple(r) for r in await pg.fetch("SELECT bucket, cells FROM stats_devices")]
        finally:
            await pg.close()
        got = {(r["bucket"], r["kind"], r["item"], r["day"]) for r in rows}
    expected = set()
    for bucket, _ in tags:
        expected |= {(bucket, "screen", "a", today), (bucket, "screen", "b", today)}
        # a: seen (no cap used); e: the one new cell left under the cap; c and d: over it.
        expected |= {(bucket, "screen", "a", later), (bucket, "screen", "e", later)}
    assert got == expected
    assert sorted(cells) == sorted((bucket, CAP) for bucket, _ in tags)
