"""Group commit of message posts on PostgreSQL (issue 12): one writer per relay process, one
transaction per batch, answers only after its COMMIT. docs/relay.md "The PostgreSQL post".

A post (a device's or a counsellor's) is handed to :meth:`PgWriter.post`. When no batch is in flight
it starts one at once (no timer: no added latency when idle); posts that arrive while a batch is in
flight queue up and go together as the next batch when it has committed (up to ``max_batch``). A
batch is one transaction of four statements on a raw asyncpg connection:

1. ``CLAIM`` (device posts): the devices locked ``FOR KEY SHARE`` (a device deleted meanwhile is not
   returned and can no longer be deleted until the commit: its posts are 401 ``bad_signature`` with
   nothing stored), the nonces inserted ``ON CONFLICT DO NOTHING`` (a nonce that is not returned was
   there already: 401 ``replayed_request``), ``last_seen`` and the day's statistics presence (the rows
   of ``stats_activity.record_presence``) for devices seen the first time that day.
2. ``LOCK_CONVERSATIONS``: the batch's conversations locked ``FOR UPDATE`` in ``conv_id`` order (two
   batches never deadlock on them); a post whose conversation is not its org's (or not its device's)
   stores nothing here: the caller takes the SQLAlchemy path (a device's first post creates its
   conversation there, otherwise 404).
3. ``TAKEN_AND_CURSORS``: which msg_ids are stored already (read after the conversation locks, which
   every message writer takes first, so a committed copy is seen: 200 same bytes / 409 / 410 by
   ``messages.repost``), and the org cursor rows locked ``FOR UPDATE`` in ``org_id`` order: once per
   batch and org, held only for the next statement and the COMMIT (lock order conversation → org as
   everywhere). An org without a cursor row (its very first change) takes the SQLAlchemy path.
4. ``STORE``: seqs (per conversation and channel, consecutive in batch order) and cursors (per org,
   consecutive in batch order) computed here; the conversations' seqs and the orgs' cursors set, all
   messages inserted in one statement (``unnest``), and the live events sent with ``pg_notify``: one
   notification per message (the payload ``PostgresBroker`` reads, unchanged), all in this one
   transaction, so PostgreSQL takes its cluster-wide notify lock once per batch, at commit, and delivers
   nothing for a batch that did not commit.

Within a batch the keys are distinct: a second post with the same (device, nonce) or the same
(conversation, msg_id) waits for the next batch, where it sees the first one's committed outcome
(exactly the answer it would get after it). A batch that fails as a whole on a race (deadlock, a unique
or foreign key violation that the locks above should exclude) is rolled back and run again; after
``RETRIES`` failures each of its posts runs as a batch of its own, so one bad row never fails the
others. A lost connection (or any other connection error, including during COMMIT) answers every post
of the batch with :class:`PgUnavailable` (503 ``unavailable``): nothing was acknowledged, and the app
posts again (idempotent by msg_id).
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg

from opgelucht_relay.models.messaging import CHANNEL_CHAT, CHANNEL_STAFF
from opgelucht_relay.services.live_events import CHANNEL as LIVE_CHANNEL
from opgelucht_relay.services.pg_post import SaltCache

log = logging.getLogger("opgelucht.relay.pg_writer")

RETRIES = 3


class _Changed(Exception):
    """A batch's rows changed under its locks (not expected): the batch is run again."""


RETRY_ERRORS: tuple[type[BaseException], ...] = (
    _Changed,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.UniqueViolationError,
    asyncpg.ForeignKeyViolationError,
)
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.QueryCanceledError,
    OSError,
    asyncio.TimeoutError,
)

CLAIM = """
WITH dev AS (
    SELECT device_id FROM devices WHERE device_id = ANY($1::uuid[]) ORDER BY device_id FOR KEY SHARE
), n AS (
    INSERT INTO request_nonces (device_id, nonce, expires_at)
    SELECT u.d, u.n, u.e FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) AS u(d, n, e)
    WHERE u.d IN (SELECT device_id FROM dev)
    ON CONFLICT DO NOTHING RETURNING device_id, nonce
), days AS (
    SELECT u.d, u.on_day FROM unnest($5::uuid[], $6::date[]) AS u(d, on_day)
), seen AS (
    UPDATE devices SET last_seen = days.on_day FROM days
    WHERE devices.device_id = days.d AND devices.last_seen <> days.on_day
      AND devices.device_id IN (SELECT device_id FROM n)
    RETURNING devices.device_id, devices.org_code, days.on_day
), sd AS (
    INSERT INTO stats_devices (bucket, tag, org_code, registered_early, cells)
    SELECT u.bucket, u.tag, seen.org_code, u.early, 0
    FROM unnest($7::uuid[], $8::text[], $9::bytea[], $10::boolean[]) AS u(d, bucket, tag, early)
    JOIN seen ON seen.device_id = u.d
    ON CONFLICT DO NOTHING RETURNING 1
), sday AS (
    INSERT INTO stats_days (bucket, tag, day)
    SELECT u.bucket, u.tag, seen.on_day
    FROM unnest($7::uuid[], $8::text[], $9::bytea[]) AS u(d, bucket, tag)
    JOIN seen ON seen.device_id = u.d
    ON CONFLICT DO NOTHING RETURNING 1
)
SELECT device_id, NULL::text AS nonce, (SELECT count(*) FROM sd) + (SELECT count(*) FROM sday) AS marks
FROM dev
UNION ALL
SELECT device_id, nonce, 0 FROM n
"""

LOCK_CONVERSATIONS = """
SELECT conv_id, org_id, device_id, last_seq, last_staff_seq FROM conversations
WHERE conv_id = ANY($1::uuid[]) ORDER BY conv_id FOR UPDATE
"""

TAKEN_AND_CURSORS = """
WITH c AS (
    SELECT org_id, last_cursor FROM org_cursors WHERE org_id = ANY($3::uuid[]) ORDER BY org_id FOR UPDATE
)
SELECT m.conv_id AS id, m.msg_id, NULL::bigint AS last_cursor
FROM messages m JOIN unnest($1::uuid[], $2::uuid[]) AS u(c, m) ON m.conv_id = u.c AND m.msg_id = u.m
UNION ALL
SELECT org_id, NULL, last_cursor FROM c
"""

STORE = """
WITH conv AS (
    UPDATE conversations SET last_seq = u.seq, last_staff_seq = u.staff, last_activity = u.at
    FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::timestamptz[]) AS u(c, seq, staff, at)
    WHERE conversations.conv_id = u.c RETURNING 1
), cur AS (
    UPDATE org_cursors SET last_cursor = u.cursor
    FROM unnest($5::uuid[], $6::bigint[]) AS u(o, cursor)
    WHERE org_cursors.org_id = u.o RETURNING 1
), stored AS (
    INSERT INTO messages (org_id, conv_id, cursor, channel, seq, msg_id, envelope, stored_at, expires_at)
    SELECT * FROM unnest($7::uuid[], $8::uuid[], $9::bigint[], $10::text[], $11::bigint[], $12::uuid[],
                         $13::bytea[], $14::timestamptz[], $15::timestamptz[])
    RETURNING 1
)
SELECT (SELECT count(*) FROM stored) AS stored, (SELECT count(*) FROM conv) AS conversations,
       (SELECT count(*) FROM cur) AS cursors, count(pg_notify($16, p)) AS notified
FROM unnest($17::text[]) AS p
"""


class PgUnavailable(Exception):
    """The database could not be reached (or the connection was lost) for this post's batch: nothing
    of it is acknowledged; 503."""


class WriterClosed(RuntimeError):
    """The writer was closed before the post ran."""


class Status(enum.Enum):
    STORED = "stored"  # committed, seq and cursor set, live event sent with the commit
    REPLAYED = "replayed"  # the nonce was there already: nothing stored
    DEVICE_GONE = "device_gone"  # the device was deleted: nothing stored
    TAKEN = "taken"  # the msg_id is stored in this conversation (the nonce is committed)
    FALLBACK = "fallback"  # not this org's/device's conversation, or no cursor row yet (nonce committed)


@dataclass(frozen=True)
class PgPost:
    """One post. ``device_id`` None: a counsellor of ``org_id`` (no nonce)."""

    org_id: uuid.UUID
    conv_id: uuid.UUID
    msg_id: uuid.UUID
    envelope: bytes
    channel: str
    now: datetime
    expires_at: datetime
    device_id: uuid.UUID | None = None
    nonce: str | None = None
    nonce_expires: datetime | None = None
    device_created_at: datetime | None = None


@dataclass(frozen=True)
class PgOutcome:
    status: Status
    seq: int | None = None
    cursor: int | None = None


@dataclass
class _Pending:
    post: PgPost
    future: asyncio.Future[PgOutcome]


@dataclass
class _Stats:
    batches: int = 0  # transactions committed
    posts: int = 0  # posts answered from committed batches
    retries: int = 0
    largest: int = 0
    sizes: dict[int, int] = field(default_factory=dict)


def _settle(future: asyncio.Future[PgOutcome], value: PgOutcome | None, error: BaseException | None) -> None:
    if future.done():  # the request was cancelled: the batch's outcome (committed or not) stands
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert value is not None
        future.set_result(value)


def _payload(org_id: uuid.UUID, conv_id: uuid.UUID, seq: int, cursor: int) -> str:
    """The notification ``PostgresBroker._on_notify`` reads (the one ``PostgresBroker.publish`` sends)."""
    event = {"conv_id": str(conv_id), "seq": seq, "cursor": cursor}
    return json.dumps({"org_id": str(org_id), "event": event}, separators=(",", ":"))


class PgWriter:
    """``await writer.post(PgPost(...))`` → :class:`PgOutcome`, once the post's batch has committed
    (or raises :class:`PgUnavailable`). One per process and pool; batches run one at a time."""

    def __init__(self, pool: asyncpg.Pool, salts: SaltCache, *, max_batch: int = 64) -> None:
        self.pool = pool
        self._salts = salts
        self._max_batch = max_batch
        self._queue: list[_Pending] = []
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.stats = _Stats()

    @property
    def queued(self) -> int:
        """Posts waiting for the next batch (not the one in flight)."""
        return len(self._queue)

    async def post(self, post: PgPost) -> PgOutcome:
        if self._closed:
            raise WriterClosed("the PostgreSQL writer is closed")
        future: asyncio.Future[PgOutcome] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(post, future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name="opg-pg-writer")
        return await future

    async def aclose(self) -> None:
        """Finish the queued posts, then refuse new ones."""
        self._closed = True
        if self._task is not None:
            await asyncio.shield(self._task)

    # -- batching ------------------------------------------------------------------------------------

    def _take(self) -> list[_Pending]:
        """The next batch: queued posts in order, up to ``max_batch``, keys distinct (a repeated
        nonce or msg_id stays queued, first in line for the next batch)."""
        batch: list[_Pending] = []
        rest: list[_Pending] = []
        nonces: set[tuple[uuid.UUID, str]] = set()
        messages: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for pending in self._queue:
            post = pending.post
            nonce_key = (post.device_id, post.nonce) if post.device_id is not None else None
            message_key = (post.conv_id, post.msg_id)
            if (
                len(batch) >= self._max_batch
                or message_key in messages
                or (nonce_key is not None and nonce_key in nonces)
            ):
                rest.append(pending)
                continue
            batch.append(pending)
            messages.add(message_key)
            if nonce_key is not None:
                assert post.nonce is not None
                nonces.add((nonce_key[0], post.nonce))
        self._queue = rest
        return batch

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._take()
                try:
                    await self._run(batch)
                except BaseException as exc:  # never leave a caller waiting
                    for pending in batch:
                        _settle(pending.future, None, exc)
                    if not isinstance(exc, Exception):
                        raise
        finally:
            self._task = None
            if self._queue and not self._closed:  # arrived while the last batch settled
                self._task = asyncio.create_task(self._drain(), name="opg-pg-writer")
            elif self._queue:
                for pending in self._queue:
                    _settle(pending.future, None, WriterClosed("the PostgreSQL writer was closed"))
                self._queue = []

    async def _run(self, batch: list[_Pending]) -> None:
        for attempt in range(RETRIES):
            try:
                outcomes = await self._attempt([pending.post for pending in batch])
            except RETRY_ERRORS as exc:
                self.stats.retries += 1
                log.info("PostgreSQL post batch retried (%s)", type(exc).__name__)
                if attempt == RETRIES - 1 and len(batch) > 1:
                    for pending in batch:  # one post at a time: a bad row fails only itself
                        try:
                            await self._run([pending])
                        except Exception as error:
                            _settle(pending.future, None, error)
                    return
                if attempt == RETRIES - 1:
                    raise
                continue
            except UNAVAILABLE_ERRORS as exc:
                log.warning("PostgreSQL unreachable for a post batch (%s)", type(exc).__name__)
                raise PgUnavailable() from None
            self.stats.batches += 1
            self.stats.posts += len(batch)
            self.stats.largest = max(self.stats.largest, len(batch))
            self.stats.sizes[len(batch)] = self.stats.sizes.get(len(batch), 0) + 1
            for pending, outcome in zip(batch, outcomes, strict=True):
                _settle(pending.future, outcome, None)
            return

    # -- one transaction -----------------------------------------------------------------------------

    async def _attempt(self, posts: list[PgPost]) -> list[PgOutcome]:
        async with self.pool.acquire() as conn:
            presence = await self._presence(conn, posts)
            async with conn.transaction():
                return await _batch(conn, posts, presence)

    async def _presence(
        self, conn: asyncpg.Connection, posts: Iterable[PgPost]
    ) -> tuple[list[uuid.UUID], list[str], list[bytes], list[bool]]:
        """Per device and day of the batch: the statistics buckets, the device's tags and its
        "registered early" flags (the salts read once per bucket and process)."""
        seen: set[tuple[uuid.UUID, date]] = set()
        rows: set[tuple[uuid.UUID, str, bytes, bool]] = set()
        for post in posts:
            if post.device_id is None:
                continue
            day = post.now.date()
            if (post.device_id, day) in seen:
                continue
            seen.add((post.device_id, day))
            assert post.device_created_at is not None
            device_id, created = post.device_id, post.device_created_at
            buckets, tags, early = await self._salts.presence(conn, device_id, created, day)
            rows.update((device_id, b, t, e) for b, t, e in zip(buckets, tags, early, strict=True))
        # One order for every batch: concurrent inserts of the same keys do not deadlock.
        ordered = sorted(rows)
        devices = [r[0] for r in ordered]
        return devices, [r[1] for r in ordered], [r[2] for r in ordered], [r[3] for r in ordered]


async def _batch(
    conn: asyncpg.Connection,
    posts: list[PgPost],
    presence: tuple[list[uuid.UUID], list[str], list[bytes], list[bool]],
) -> list[PgOutcome]:
    outcomes: list[PgOutcome | None] = [None] * len(posts)
    live = [i for i, post in enumerate(posts) if post.device_id is None]
    device_posts = [i for i, post in enumerate(posts) if post.device_id is not None]
    if device_posts:
        devices = sorted({device_id for i in device_posts if (device_id := posts[i].device_id) is not None})
        days: dict[uuid.UUID, date] = {}
        for i in device_posts:
            device_id = posts[i].device_id
            assert device_id is not None
            days[device_id] = max(days.get(device_id, date.min), posts[i].now.date())
        rows = await conn.fetch(
            CLAIM,
            devices,
            [posts[i].device_id for i in device_posts],
            [posts[i].nonce for i in device_posts],
            [posts[i].nonce_expires for i in device_posts],
            list(days), list(days.values()),
            *presence,
        )  # fmt: skip
        alive = {row["device_id"] for row in rows if row["nonce"] is None}
        claimed = {(row["device_id"], row["nonce"]) for row in rows if row["nonce"] is not None}
        for i in device_posts:
            post = posts[i]
            if post.device_id not in alive:
                outcomes[i] = PgOutcome(Status.DEVICE_GONE)
            elif (post.device_id, post.nonce) not in claimed:
                outcomes[i] = PgOutcome(Status.REPLAYED)
            else:
                live.append(i)
        live.sort()
    if live:
        await _store(conn, posts, sorted(live), outcomes)
    return [outcome or PgOutcome(Status.FALLBACK) for outcome in outcomes]


async def _store(
    conn: asyncpg.Connection, posts: list[PgPost], live: list[int], outcomes: list[PgOutcome | None]
) -> None:
    conv_rows = await conn.fetch(LOCK_CONVERSATIONS, sorted({posts[i].conv_id for i in live}))
    conversations = {row["conv_id"]: row for row in conv_rows}
    owned: list[int] = []
    for i in live:
        post = posts[i]
        row = conversations.get(post.conv_id)
        if row is None or row["org_id"] != post.org_id:
            continue  # FALLBACK
        if post.device_id is not None and row["device_id"] != post.device_id:
            continue  # FALLBACK: another device's conversation (404 there)
        owned.append(i)
    if not owned:
        return
    found = await conn.fetch(
        TAKEN_AND_CURSORS,
        [posts[i].conv_id for i in owned],
        [posts[i].msg_id for i in owned],
        sorted({posts[i].org_id for i in owned}),
    )
    taken = {(row["id"], row["msg_id"]) for row in found if row["last_cursor"] is None}
    cursors = {row["id"]: int(row["last_cursor"]) for row in found if row["last_cursor"] is not None}
    seqs = {conv: [int(row["last_seq"]), int(row["last_staff_seq"])] for conv, row in conversations.items()}
    activity: dict[uuid.UUID, datetime] = {}
    columns: list[list[Any]] = [[] for _ in range(9)]
    payloads: list[str] = []
    stored: list[tuple[int, int, int]] = []
    for i in owned:
        post = posts[i]
        if (post.conv_id, post.msg_id) in taken:
            outcomes[i] = PgOutcome(Status.TAKEN)
            continue
        if post.org_id not in cursors:
            continue  # FALLBACK: the org's first change creates its cursor row (SQLAlchemy path)
        seq_of = seqs[post.conv_id]
        slot = 0 if post.channel == CHANNEL_CHAT else 1
        assert post.channel in (CHANNEL_CHAT, CHANNEL_STAFF)
        seq_of[slot] += 1
        cursors[post.org_id] += 1
        seq, cursor = seq_of[slot], cursors[post.org_id]
        activity[post.conv_id] = max(activity.get(post.conv_id, post.now), post.now)
        row_values = (
            post.org_id, post.conv_id, cursor, post.channel, seq, post.msg_id, post.envelope, post.now,
            post.expires_at,
        )  # fmt: skip
        for column, value in zip(columns, row_values, strict=True):
            column.append(value)
        payloads.append(_payload(post.org_id, post.conv_id, seq, cursor))
        stored.append((i, seq, cursor))
    if not stored:
        return
    bumped = list(activity)
    orgs = sorted({posts[i].org_id for i, _, _ in stored})
    result = await conn.fetchrow(
        STORE,
        bumped, [seqs[c][0] for c in bumped], [seqs[c][1] for c in bumped], [activity[c] for c in bumped],
        orgs, [cursors[o] for o in orgs],
        *columns,
        LIVE_CHANNEL, payloads,
    )  # fmt: skip
    assert result is not None
    counts = (result["stored"], result["conversations"], result["cursors"])
    if counts != (len(stored), len(bumped), len(orgs)):
        raise _Changed()  # retried
    for i, seq, cursor in stored:
        outcomes[i] = PgOutcome(Status.STORED, seq, cursor)
