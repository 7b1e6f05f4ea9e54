"""Group commit of message posts on PostgreSQL (issue 12): one writer per relay process, one
statement (one implicit transaction) per batch, answers only after its COMMIT. docs/relay.md "The
PostgreSQL post".

A post (a device's or a counsellor's) is handed to :meth:`PgWriter.post`. When no batch is in flight
it starts one at once (no timer: no added latency when idle); posts that arrive while a batch is in
flight queue up and go together as the next batch when it has committed (up to ``max_batch``). A batch
is ONE statement (``POST_BATCH``) on a raw asyncpg connection in autocommit: PostgreSQL commits it
before asyncpg returns, so one round trip per batch. Step by step (data-modifying CTEs):

1. ``dev``: the batch's devices locked ``FOR KEY SHARE`` in ``device_id`` order: a device deleted
   meanwhile is not returned (401 ``bad_signature``, nothing of its posts stored), and none can be
   deleted until the commit. ``n``: the nonces inserted ``ON CONFLICT DO NOTHING`` (not returned: it
   was there already, 401 ``replayed_request``, nothing stored). ``seen``/``sd``/``sday``:
   ``last_seen`` and the day's statistics presence (the rows of ``stats_activity.record_presence``) of
   devices seen the first time that day, committed with the nonces.
2. ``mine``: the posts to a conversation of their org (and of their device); ``taken``: those whose
   msg_id is already stored there (answered as ``messages.repost``: 200 same bytes / 409 / 410; a post
   to another org's or device's conversation is never "taken", so it learns nothing of that
   conversation's messages). ``ok``: the claimed posts of ``mine``, not taken, of an org with a
   cursor row; the others keep only their nonce and take the SQLAlchemy path (a device's first post
   creates its conversation there, another's conversation is a 404, an org's very first change
   creates its cursor row).
3. ``ranked``: each post's rank in its conversation and channel, and in its org, in batch order.
   ``conv_locked``/``conv_bumped``: the conversations locked ``FOR UPDATE`` in ``conv_id`` order (two
   batches never deadlock on them), each seq bumped once by its count; then (``org_locked`` waits for
   ``conv_bumped``: lock order conversation → org, as everywhere) ``org_bumped``: each org's cursor row
   locked and bumped ONCE per batch, held only to this statement's commit. ``stored``: all messages in
   one INSERT, seq = the conversation's old seq + rank, cursor = the org's old cursor + rank:
   consecutive, in batch order; the batch commits atomically, so cursor order is commit order per org.
4. The answer per post, in batch order, with ``pg_notify`` of each stored post's live event (the
   payload ``PostgresBroker`` reads, unchanged) in cursor order: PostgreSQL takes its cluster-wide
   notify lock once per batch, at commit, and delivers nothing for a statement that did not commit.

The reads of step 2 see the statement's snapshot, taken before the locks of step 3. A copy of a msg_id
committed in between makes the INSERT fail on the unique index; a conversation or cursor row deleted
in between makes ``stored`` shorter than ``ranked``, and the statement's guard then fails it (a cast
error, so that nothing, not even a cursor, is kept). Either way the whole statement rolls back and the
batch runs again; the next snapshot sees the change.

Within a batch the keys are distinct: a second post with the same (device, nonce) or the same
(conversation, msg_id) waits for the next batch, where it sees the first one's committed outcome
(exactly the answer it would get after it). A batch that fails as a whole on such a race (or a
deadlock) is run again; after ``RETRIES`` failures each of its posts runs as a batch of its own, so one
bad row never fails the others. A lost connection (or any other connection error, even during the
commit) answers every post of the batch with :class:`PgUnavailable` (503 ``unavailable``): nothing was
acknowledged, and the app posts again (idempotent by msg_id).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from opgelucht_relay.models.messaging import CHANNEL_CHAT, CHANNEL_STAFF
from opgelucht_relay.services.live_events import CHANNEL as LIVE_CHANNEL
from opgelucht_relay.services.pg_post import SaltCache
from opgelucht_relay.services.seen_today import SeenToday

log = logging.getLogger("opgelucht.relay.pg_writer")

RETRIES = 3
# Batches in flight per process. 1: the most posts per batch (the least PostgreSQL CPU per post). 2
# lets a batch start while another commits (they then take turns on the org's cursor row); on the
# shared 2-core machine it measured no better (docs/benchmarks.md), so 1 it is.
IN_FLIGHT = 1
RETRY_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.InvalidTextRepresentationError,  # the statement's guard: its rows changed under its locks
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

POST_BATCH = """
WITH dev AS (
    SELECT device_id FROM devices WHERE device_id = ANY($1::uuid[]) ORDER BY device_id FOR KEY SHARE
), post AS (
    SELECT * FROM unnest($2::int[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::bytea[],
                         $8::timestamptz[], $9::timestamptz[], $10::uuid[], $11::text[], $12::timestamptz[])
        AS u(i, org, conv, channel, msg, env, at, exp, dev, nonce, nexp)
), n AS (
    INSERT INTO request_nonces (device_id, nonce, expires_at)
    SELECT post.dev, post.nonce, post.nexp FROM post WHERE post.dev IN (SELECT device_id FROM dev)
    ON CONFLICT DO NOTHING RETURNING device_id, nonce
), days AS (
    SELECT u.d, u.on_day FROM unnest($13::uuid[], $14::date[]) AS u(d, on_day)
), seen AS (
    UPDATE devices SET last_seen = days.on_day FROM days
    WHERE devices.device_id = days.d AND devices.last_seen <> days.on_day
      AND devices.device_id IN (SELECT device_id FROM n)
    RETURNING devices.device_id, devices.org_code, days.on_day
), sd AS (
    INSERT INTO stats_devices (bucket, tag, org_code, registered_early, cells)
    SELECT u.bucket, u.tag, seen.org_code, u.early, 0
    FROM unnest($15::uuid[], $16::text[], $17::bytea[], $18::boolean[]) AS u(d, bucket, tag, early)
    JOIN seen ON seen.device_id = u.d
    ON CONFLICT DO NOTHING RETURNING 1
), sday AS (
    INSERT INTO stats_days (bucket, tag, day)
    SELECT u.bucket, u.tag, seen.on_day
    FROM unnest($15::uuid[], $16::text[], $17::bytea[]) AS u(d, bucket, tag)
    JOIN seen ON seen.device_id = u.d
    ON CONFLICT DO NOTHING RETURNING 1
), mine AS (
    -- The posts to a conversation of their org (and of their device): only these may be answered
    -- as stored or as a repost; any other is a 404 on the SQLAlchemy path, learning nothing.
    SELECT post.i FROM post
    JOIN conversations c ON c.conv_id = post.conv AND c.org_id = post.org
        AND (post.dev IS NULL OR c.device_id = post.dev)
), taken AS (
    SELECT post.i FROM post JOIN messages m ON m.conv_id = post.conv AND m.msg_id = post.msg
    WHERE post.i IN (SELECT i FROM mine)
), ok AS (
    SELECT post.* FROM post
    WHERE post.i IN (SELECT i FROM mine)
      AND (post.dev IS NULL OR (post.dev, post.nonce) IN (SELECT device_id, nonce FROM n))
      AND post.i NOT IN (SELECT i FROM taken)
      AND EXISTS (SELECT 1 FROM org_cursors o WHERE o.org_id = post.org)
), ranked AS (
    SELECT ok.*, row_number() OVER (PARTITION BY ok.conv, ok.channel ORDER BY ok.i) AS crank,
           row_number() OVER (PARTITION BY ok.org ORDER BY ok.i) AS orank
    FROM ok
), per_conv AS (
    SELECT conv, count(*) FILTER (WHERE channel = 'chat') AS chat,
           count(*) FILTER (WHERE channel = 'staff') AS staff, max(at) AS at
    FROM ranked GROUP BY conv
), conv_locked AS (
    SELECT conv_id FROM conversations WHERE conv_id IN (SELECT conv FROM per_conv) ORDER BY conv_id FOR UPDATE
), conv_bumped AS (
    UPDATE conversations c
    SET last_seq = c.last_seq + per_conv.chat, last_staff_seq = c.last_staff_seq + per_conv.staff,
        last_activity = per_conv.at
    FROM conv_locked JOIN per_conv ON per_conv.conv = conv_locked.conv_id
    WHERE c.conv_id = conv_locked.conv_id
    RETURNING c.conv_id, c.last_seq - per_conv.chat AS chat0, c.last_staff_seq - per_conv.staff AS staff0
), per_org AS (
    SELECT org, count(*) AS n FROM ranked GROUP BY org
), org_locked AS (
    -- After the conversations (the scalar subquery runs first): lock order conversation -> org.
    SELECT org_id FROM org_cursors
    WHERE org_id IN (SELECT org FROM per_org) AND (SELECT count(*) FROM conv_bumped) >= 0
    ORDER BY org_id FOR UPDATE
), org_bumped AS (
    UPDATE org_cursors o SET last_cursor = o.last_cursor + per_org.n
    FROM org_locked JOIN per_org ON per_org.org = org_locked.org_id
    WHERE o.org_id = org_locked.org_id
    RETURNING o.org_id, o.last_cursor - per_org.n AS cursor0
), stored AS (
    INSERT INTO messages (org_id, conv_id, cursor, channel, seq, msg_id, envelope, stored_at, expires_at)
    SELECT r.org, r.conv, b.cursor0 + r.orank, r.channel,
           CASE WHEN r.channel = 'chat' THEN cb.chat0 ELSE cb.staff0 END + r.crank, r.msg, r.env, r.at, r.exp
    FROM ranked r JOIN conv_bumped cb ON cb.conv_id = r.conv JOIN org_bumped b ON b.org_id = r.org
    RETURNING conv_id, msg_id, seq, cursor
), answer AS (
    SELECT post.i, post.org, post.conv, post.dev IS NULL OR post.dev IN (SELECT device_id FROM dev) AS alive,
           post.dev IS NULL OR (post.dev, post.nonce) IN (SELECT device_id, nonce FROM n) AS claimed,
           post.i IN (SELECT i FROM taken) AS taken, s.seq, s.cursor
    FROM post LEFT JOIN stored s ON s.conv_id = post.conv AND s.msg_id = post.msg
    ORDER BY post.i OFFSET 0
)
SELECT i, alive, claimed, taken, seq, cursor,
       CASE WHEN seq IS NOT NULL THEN pg_notify($19, json_build_object(
           'org_id', org::text,
           'event', json_build_object('conv_id', conv::text, 'seq', seq, 'cursor', cursor)
       )::text) END AS notified,
       CASE WHEN (SELECT count(*) FROM stored) <> (SELECT count(*) FROM ranked)
            THEN ('opg: a post batch changed under its locks: ' || i)::int END AS guard
FROM answer
"""

assert CHANNEL_CHAT == "chat" and CHANNEL_STAFF == "staff"  # spelt out in the statement


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


class PgWriter:
    """``await writer.post(PgPost(...))`` → :class:`PgOutcome`, once the post's batch has committed
    (or raises :class:`PgUnavailable`). One per process and pool; up to ``in_flight`` batches at a
    time (each on its own connection; the row locks order them as they order two relay processes)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        salts: SaltCache,
        *,
        max_batch: int = 64,
        in_flight: int = IN_FLIGHT,
        seen: SeenToday | None = None,
    ) -> None:
        self.pool = pool
        self._salts = salts
        self._seen = seen  # devices whose day is committed: no last_seen/presence rows (seen_today.py)
        self._max_batch = max_batch
        self._in_flight = in_flight
        self._queue: list[_Pending] = []
        self._tasks: set[asyncio.Task[None]] = set()
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
        if len(self._tasks) < self._in_flight:
            self._start()
        return await future

    def _start(self) -> None:
        self._tasks.add(asyncio.create_task(self._drain(), name="opg-pg-writer"))

    async def aclose(self) -> None:
        """Finish the queued posts, then refuse new ones."""
        self._closed = True
        while self._tasks:
            await asyncio.shield(next(iter(self._tasks)))

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
            # Not running from here on (synchronously: a done callback would run only later, after a
            # caller woken above may have queued a post that then finds no free task and waits forever).
            task = asyncio.current_task()
            if task is not None:
                self._tasks.discard(task)
            if self._queue and not self._closed:  # arrived while the last batch settled
                self._start()
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
            self._mark_seen(batch, outcomes)
            for pending, outcome in zip(batch, outcomes, strict=True):
                _settle(pending.future, outcome, None)
            return

    def _mark_seen(self, batch: list[_Pending], outcomes: list[PgOutcome]) -> None:
        """After the batch committed: its claimed devices' day is recorded (the batch's ``seen``,
        ``sd`` and ``sday`` ran for every device whose nonce it inserted)."""
        if self._seen is None:
            return
        for pending, outcome in zip(batch, outcomes, strict=True):
            post = pending.post
            if post.device_id is None or outcome.status in (Status.REPLAYED, Status.DEVICE_GONE):
                continue
            assert post.device_created_at is not None
            self._seen.mark(post.device_id, post.device_created_at, post.now.date())

    def _known(self, post: PgPost) -> bool:
        assert post.device_id is not None and post.device_created_at is not None
        return self._seen is not None and self._seen.known(
            post.device_id, post.device_created_at, post.now.date()
        )

    # -- one transaction -----------------------------------------------------------------------------

    async def _attempt(self, posts: list[PgPost]) -> list[PgOutcome]:
        # The devices whose day is known committed (for each of their posts in the batch) get no
        # presence rows and no last_seen update.
        known: set[uuid.UUID | None] = {p.device_id for p in posts if p.device_id is not None}
        known -= {p.device_id for p in posts if p.device_id is not None and not self._known(p)}
        async with self.pool.acquire() as conn:
            presence = await self._presence(conn, (p for p in posts if p.device_id not in known))
            return await _batch(conn, posts, presence, known)

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
    known: set[uuid.UUID | None] | None = None,
) -> list[PgOutcome]:
    """The batch as ONE statement (autocommit: it commits before asyncpg returns its rows).
    ``known``: devices whose day is committed already (no ``last_seen`` update for them)."""
    days: dict[uuid.UUID, date] = {}
    for post in posts:
        if post.device_id is not None:
            days[post.device_id] = max(days.get(post.device_id, date.min), post.now.date())
    devices = sorted(days)
    unseen = [d for d in devices if not known or d not in known]
    rows = await conn.fetch(
        POST_BATCH,
        devices,
        list(range(len(posts))),
        [p.org_id for p in posts], [p.conv_id for p in posts], [p.channel for p in posts],
        [p.msg_id for p in posts], [p.envelope for p in posts], [p.now for p in posts],
        [p.expires_at for p in posts], [p.device_id for p in posts], [p.nonce for p in posts],
        [p.nonce_expires for p in posts],
        unseen, [days[d] for d in unseen],
        *presence,
        LIVE_CHANNEL,
    )  # fmt: skip
    outcomes: list[PgOutcome] = []
    for i, row in enumerate(rows):
        assert row["i"] == i
        if not row["alive"]:
            outcomes.append(PgOutcome(Status.DEVICE_GONE))
        elif not row["claimed"]:
            outcomes.append(PgOutcome(Status.REPLAYED))
        elif row["seq"] is not None:
            outcomes.append(PgOutcome(Status.STORED, int(row["seq"]), int(row["cursor"])))
        elif row["taken"]:
            outcomes.append(PgOutcome(Status.TAKEN))
        else:
            outcomes.append(PgOutcome(Status.FALLBACK))
    return outcomes
