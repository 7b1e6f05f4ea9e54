"""The statistics salt cache of the PostgreSQL post path (:class:`SaltCache`), and the earlier
one-statement device post (:func:`post_device_message`). The relay no longer posts with it: it batches
posts in ``pg_writer`` (group commit: one statement per batch, the org's cursor row locked once per
batch); ``bench/fast_path_blocks.py`` still measures it beside the other building blocks.

A reporter device's message post on PostgreSQL as ONE statement on a raw asyncpg connection in
autocommit (issue 12): one round trip and one implicit transaction instead of ~7 round trips with
the org's cursor row locked across them. asyncpg prepares it once per connection (its statement
cache). No migration: a plain data-modifying CTE, no stored function.

The statement, gated step by step on the previous one's RETURNING rows:

1. ``n``: insert the nonce (``ON CONFLICT DO NOTHING``; a concurrent copy waits on the unique index for
   the first's outcome). Nothing below happens without it: a replay stores nothing. The nonce's
   foreign key to ``devices`` fails the statement for a device deleted meanwhile (a stale cached key).
2. ``seen``: ``last_seen = today`` where it was another day; ``sd``/``sday``: then the statistics
   presence of the day's buckets (tags computed by the caller from the bucket salts, :class:`SaltCache`;
   the same rows as ``stats_activity.record_presence``), committed with the nonce or not at all.
3. ``taken``: the msg_id already in the conversation? Then no seq and no cursor are taken.
4. ``bump``: the conversation's seq (row locked: this device's, in this org), then ``cur``: the org's
   cursor (locked last, held only to the end of this one statement and its commit: lock order
   conversation → org as everywhere), ``stored``: the message (a plain INSERT: a concurrent post of the
   same msg_id makes the whole statement fail with a unique violation, nonce included, so no seq gap),
   ``note``: ``pg_notify`` of the live event, delivered by PostgreSQL at commit, never for a post that
   did not commit.

:func:`post_device_message` returns a :class:`PgPosted`; what the caller does with each outcome (the
wiring keeps today's answers):

- ``claimed`` False: 401 ``replayed_request`` (nothing stored).
- ``stored``: 201 with seq and cursor (the event went out with the commit).
- ``taken``: the nonce is committed; answer as ``messages.repost`` (200 same bytes / 409 / 410).
- neither (no such conversation of this device): the nonce is committed; take today's path
  ``messages.post_message(first=None)`` (creates the device's conversation on its first post, or 404).
  Only a conversation's first post takes it.
- ``asyncpg.UniqueViolationError`` (a concurrent copy of the msg_id): nothing was kept; store the nonce
  on its own (``device_auth.record_nonce``) and answer as for ``taken``.
  ``asyncpg.ForeignKeyViolationError``: the device is gone: 401 ``bad_signature``.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from opgelucht_relay.models.messaging import CHANNEL_CHAT
from opgelucht_relay.services.live_events import CHANNEL as LIVE_CHANNEL
from opgelucht_relay.services.stats_activity import buckets_of, device_tag, registered_early

POST_DEVICE_MESSAGE = """
WITH n AS (
    INSERT INTO request_nonces (device_id, nonce, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT DO NOTHING RETURNING device_id
), seen AS (
    UPDATE devices SET last_seen = $4
    WHERE device_id = $1 AND last_seen <> $4 AND EXISTS (SELECT 1 FROM n) RETURNING org_code
), sd AS (
    INSERT INTO stats_devices (bucket, tag, org_code, registered_early, cells)
    SELECT u.bucket, u.tag, seen.org_code, u.early, 0
    FROM seen, unnest($11::text[], $12::bytea[], $13::boolean[]) AS u(bucket, tag, early)
    ON CONFLICT DO NOTHING RETURNING 1
), sday AS (
    INSERT INTO stats_days (bucket, tag, day)
    SELECT u.bucket, u.tag, $4 FROM seen, unnest($11::text[], $12::bytea[]) AS u(bucket, tag)
    ON CONFLICT DO NOTHING RETURNING 1
), taken AS (
    SELECT 1 FROM messages WHERE conv_id = $5 AND msg_id = $6
), bump AS (
    UPDATE conversations SET last_seq = last_seq + 1, last_activity = $7
    WHERE conv_id = $5 AND org_id = $8 AND device_id = $1
      AND EXISTS (SELECT 1 FROM n) AND NOT EXISTS (SELECT 1 FROM taken)
      AND EXISTS (SELECT 1 FROM org_cursors WHERE org_id = $8)
    RETURNING last_seq
), cur AS (
    UPDATE org_cursors SET last_cursor = last_cursor + 1
    WHERE org_id = $8 AND EXISTS (SELECT 1 FROM bump) RETURNING last_cursor
), stored AS (
    INSERT INTO messages (org_id, conv_id, cursor, channel, seq, msg_id, envelope, stored_at, expires_at)
    SELECT $8, $5, cur.last_cursor, 'chat', bump.last_seq, $6, $9, $7, $10 FROM bump, cur
    RETURNING seq, cursor
), note AS (
    SELECT pg_notify('opg_live_events', json_build_object(
        'org_id', $8::uuid::text,
        'event', json_build_object('conv_id', $5::uuid::text, 'seq', stored.seq, 'cursor', stored.cursor)
    )::text) FROM stored
)
SELECT EXISTS (SELECT 1 FROM n) AS claimed, EXISTS (SELECT 1 FROM taken) AS taken,
       stored.seq, stored.cursor, (SELECT count(*) FROM note) AS notified
FROM (SELECT 1) AS one LEFT JOIN stored ON true
"""

assert CHANNEL_CHAT == "chat" and LIVE_CHANNEL == "opg_live_events"  # spelt out in the statement


@dataclass(frozen=True)
class PgPosted:
    claimed: bool  # the nonce was new (False: a replay, nothing stored)
    taken: bool  # the msg_id was already stored in this conversation (nonce kept, nothing else)
    seq: int | None  # set when the message was stored (committed, event sent)
    cursor: int | None

    @property
    def stored(self) -> bool:
        return self.seq is not None


class SaltCache:
    """Statistics bucket salts of this process. A bucket's salt never changes while the bucket is open
    (it is created once, ``ON CONFLICT DO NOTHING``, and deleted when the bucket closes, after its
    period: never a bucket of today), so it is read once per bucket and process."""

    def __init__(self) -> None:
        self._salts: dict[str, bytes] = {}

    async def salt(self, conn: asyncpg.Connection, bucket: str) -> bytes:
        found = self._salts.get(bucket)
        if found is None:
            await conn.execute(
                "INSERT INTO stats_salts (bucket, salt) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                bucket, secrets.token_bytes(32),
            )  # fmt: skip
            found = bytes(await conn.fetchval("SELECT salt FROM stats_salts WHERE bucket = $1", bucket))
            self._salts[bucket] = found
        return found

    def forget(self, bucket: str) -> None:
        """The bucket closed (``stats.close_buckets``)."""
        self._salts.pop(bucket, None)

    async def presence(
        self, conn: asyncpg.Connection, device_id: uuid.UUID, created: datetime, day: date
    ) -> tuple[list[str], list[bytes], list[bool]]:
        """The day's buckets, the device's tags in them and its "registered early" flags."""
        buckets, tags, early = [], [], []
        for bucket in buckets_of(day):
            buckets.append(bucket.name)
            tags.append(device_tag(await self.salt(conn, bucket.name), device_id))
            early.append(registered_early(created.date(), bucket))
        return buckets, tags, early


async def post_device_message(
    conn: asyncpg.Connection,
    salts: SaltCache,
    *,
    device_id: uuid.UUID,
    device_created_at: datetime,
    org_id: uuid.UUID,
    nonce: str,
    nonce_expires: datetime,
    conv_id: uuid.UUID,
    msg_id: uuid.UUID,
    envelope: bytes,
    now: datetime,
    expires_at: datetime,
) -> PgPosted:
    """Run the one statement (``conn`` outside a transaction: it commits by itself)."""
    day = now.date()
    buckets, tags, early = await salts.presence(conn, device_id, device_created_at, day)
    row = await conn.fetchrow(
        POST_DEVICE_MESSAGE, device_id, nonce, nonce_expires, day, conv_id, msg_id, now, org_id, envelope,
        expires_at, buckets, tags, early,
    )  # fmt: skip
    assert row is not None
    seq, cursor = row["seq"], row["cursor"]
    return PgPosted(
        bool(row["claimed"]), bool(row["taken"]), None if seq is None else int(seq),
        None if cursor is None else int(cursor),
    )  # fmt: skip


# A counsellor reply's session check on the raw asyncpg pool (docs/relay.md "The PostgreSQL post"): the
# row ``sessions.authenticated_org`` reads, as ONE prepared statement in autocommit. Through SQLAlchemy
# the same read is three round trips (BEGIN, SELECT, ROLLBACK on return to its pool) and most of a
# reply's PostgreSQL CPU.
SESSION_ROW = """
SELECT s.expires_at, s.last_used_at, c.status, c.org_id,
       s.device_id IS NOT NULL AND d.dropped_at IS NULL AS bound
FROM sessions s JOIN counsellors c ON c.id = s.counsellor_id
LEFT JOIN counsellor_devices d ON d.device_id = s.device_id
WHERE s.token_hash = $1
"""

# (expires_at, last_used_at, status, org_id, bound) -> the org when nothing is to be written
# (``sessions.quick_org`` with the relay's settings and the request's time).
SessionRule = Callable[[datetime, datetime, str, uuid.UUID, bool], uuid.UUID | None]


async def session_org(pool: asyncpg.Pool, token_hash: bytes, rule: SessionRule) -> uuid.UUID | None:
    """The org of the session with ``token_hash`` when ``rule`` says nothing is to be written; None
    otherwise (no such session, or one to be ended or touched): the caller then runs the full check
    (``sessions.authenticated_org``), which reads the row again and writes what is due."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(SESSION_ROW, token_hash)
    if row is None:
        return None
    return rule(row["expires_at"], row["last_used_at"], row["status"], row["org_id"], bool(row["bound"]))
