"""A usage-event batch's cells in one statement (issue 12; used by ``hot_paths.usage_events``), in place of
``stats_activity.record_items``'s three statements per cell and bucket (a new statement built for each).

Same rule as ``record_items``: per device tag and bucket, a cell (kind, item) already counted in the
bucket is recorded for the day again (no cap used); a new cell only while the tag's ``cells`` is below
the cap, new cells taken in (kind, item) order; each distinct cell once however many events name it.
Call inside the transaction that claimed the request's nonce and recorded the device's presence (its
``stats_devices`` rows exist then).

- PostgreSQL, :data:`PG_RECORD_ITEMS`: one data-modifying CTE for all buckets of the day. The tag's
  ``stats_devices`` rows are locked first (``FOR UPDATE``), so concurrent batches of one device take the
  cap in turn and it always holds. (Under READ COMMITTED a batch that waited for the lock does not see
  the cells the other batch just added and counts those again as new: the count can only run ahead of
  the distinct cells, i.e. the cap is reached early, never passed. The app sends one batch at a time.)
- SQLite, :func:`sqlite_record_items`: in the writer thread (``SqliteWriter``, one writer at a time):
  per bucket one SELECT of the cells already seen, one INSERT of the batch (``executemany``) and at
  most one UPDATE of the counter, with plain ``sqlite3``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date

import asyncpg

from opgelucht_relay.services.stats_activity import Bucket

PG_RECORD_ITEMS = """
WITH cells AS (
    SELECT DISTINCT c.kind, c.item FROM unnest($3::text[], $4::text[]) AS c(kind, item)
), dev AS (
    SELECT d.bucket, d.tag, d.cells FROM stats_devices AS d
    JOIN unnest($1::text[], $2::bytea[]) AS b(bucket, tag) ON d.bucket = b.bucket AND d.tag = b.tag
    FOR UPDATE OF d
), marked AS (
    SELECT dev.bucket, dev.tag, dev.cells, cells.kind, cells.item,
           EXISTS (SELECT 1 FROM stats_items AS s WHERE s.bucket = dev.bucket AND s.tag = dev.tag
                   AND s.kind = cells.kind AND s.item = cells.item) AS seen
    FROM dev CROSS JOIN cells
), chosen AS (
    SELECT bucket, tag, kind, item, seen FROM (
        SELECT marked.*, row_number() OVER (
            PARTITION BY bucket, tag, seen ORDER BY kind COLLATE "C", item COLLATE "C") AS rank
        FROM marked
    ) AS ranked WHERE seen OR rank <= $6 - cells
), ins AS (
    INSERT INTO stats_items (bucket, tag, kind, item, day)
    SELECT bucket, tag, kind, item, $5 FROM chosen ON CONFLICT DO NOTHING RETURNING 1
), upd AS (
    UPDATE stats_devices AS d SET cells = d.cells + f.fresh
    FROM (SELECT bucket, tag, count(*) AS fresh FROM chosen WHERE NOT seen GROUP BY bucket, tag) AS f
    WHERE d.bucket = f.bucket AND d.tag = f.tag RETURNING 1
)
SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM chosen WHERE NOT seen) AS fresh
"""


def _cells(cells: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(set(cells))  # Python's order = code point order (COLLATE "C" above)


async def pg_record_items(
    conn: asyncpg.Connection, tags: Iterable[Bucket], cells: Iterable[tuple[str, str]], day: date, cap: int
) -> int:
    """One statement; returns how many new cells were counted (against the cap)."""
    buckets = list(tags)
    distinct = _cells(cells)
    row = await conn.fetchrow(
        PG_RECORD_ITEMS, [b for b, _ in buckets], [t for _, t in buckets], [k for k, _ in distinct],
        [i for _, i in distinct], day, cap,
    )  # fmt: skip
    assert row is not None
    return int(row["fresh"])


def sqlite_record_items(
    conn: sqlite3.Connection, tags: Iterable[Bucket], cells: Iterable[tuple[str, str]], day: date, cap: int
) -> int:
    """For ``SqliteWriter`` jobs; returns how many new cells were counted (against the cap)."""
    distinct = _cells(cells)
    counted = 0
    for bucket, tag in tags:
        found = conn.execute(
            "SELECT cells FROM stats_devices WHERE bucket = ? AND tag = ?", (bucket, tag)
        ).fetchone()
        if found is None:
            continue  # no presence row: record_items would count nothing either
        seen = {
            (str(kind), str(item))
            for kind, item in conn.execute(
                "SELECT DISTINCT kind, item FROM stats_items WHERE bucket = ? AND tag = ? AND (kind, item) "
                "IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
                (bucket, tag, json.dumps(distinct)),
            )
        }
        room = max(0, cap - int(found[0]))
        chosen = []
        fresh = 0
        for kind, item in distinct:
            if (kind, item) in seen:
                chosen.append((bucket, tag, kind, item, day.isoformat()))
            elif fresh < room:
                fresh += 1
                chosen.append((bucket, tag, kind, item, day.isoformat()))
        conn.executemany(
            "INSERT INTO stats_items (bucket, tag, kind, item, day) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            chosen,
        )
        if fresh:
            conn.execute(
                "UPDATE stats_devices SET cells = cells + ? WHERE bucket = ? AND tag = ?",
                (fresh, bucket, tag),
            )
        counted += fresh
    return counted
