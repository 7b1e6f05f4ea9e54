"""A whole message post as one plain-``sqlite3`` job for :class:`.sqlite_writer.SqliteWriter` (issue
12): the same statements and guarantees as ``messages.post_message`` with the device's nonce claim
(``device_auth.SignedRequest.claim``), without SQLAlchemy and without a thread hop per statement.

Guarantees kept, in one transaction (or one savepoint of a group-commit transaction):

- **Nonce**: the device's nonce is inserted first; already there: :class:`Replayed` and nothing of the
  job is kept. The insert references ``devices`` (foreign key), so a device deleted meanwhile (a stale
  cached key) cannot store anything: :class:`DeviceGone`. The nonce is kept whenever the post itself
  is refused after the claim (another device's conversation, a repeated msg_id, other bytes), as the
  relay does today with ``record_nonce``: the post's own writes are rolled back to a savepoint.
- **Last seen / statistics presence**: ``UPDATE devices SET last_seen = day WHERE last_seen <> day``;
  when it changed a row this is the device's first request of the day and its presence is recorded
  (``stats_activity.record_presence``, same tables and tags). Skipped when the claim says the day is
  known committed (``NonceClaim.seen``, from ``seen_today.SeenToday``).
- **seq and cursor order**: the conversation's seq is bumped, then the org's cursor, then the message
  inserted, all under the one SQLite write lock: cursors are handed out and committed in order.
- **Idempotent by msg_id**: ``ON CONFLICT (conv_id, msg_id) DO NOTHING``; the existing row answers the
  same bytes (REPEAT), other bytes CONFLICT, an expired or deleted row GONE.
- **Live event only for a committed post**: the job only returns the seq and cursor; the caller
  publishes the event after ``SqliteWriter.run`` returned, i.e. after the COMMIT.

Values are stored as SQLAlchemy stores them on SQLite (UUIDs as 32 hex digits, UTC datetimes as naive
``YYYY-MM-DD HH:MM:SS.ffffff``, dates ISO), so the ORM reads these rows as its own.
"""

from __future__ import annotations

import secrets
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from opgelucht_relay.clock import unix
from opgelucht_relay.models.messaging import CHANNEL_CHAT
from opgelucht_relay.services.sqlite_writer import Job
from opgelucht_relay.services.stats_activity import Bucket, buckets_of, device_tag, registered_early


class Replayed(Exception):
    """The nonce was stored before (401 ``replayed_request``)."""


class DeviceGone(Exception):
    """The device no longer exists (401 ``bad_signature``, as an unknown device)."""


class SessionUnknown(Exception):
    """No session has this token (401 ``unauthenticated``); nothing of the job was kept."""


class SessionNeedsWrite(Exception):
    """The session is to be deleted (ended) or touched: the caller runs the full check
    (``sessions.authenticated_org``), then posts; nothing of the job was kept."""


class PostStatus(StrEnum):
    CREATED = "created"  # 201
    REPEAT = "repeat"  # 200: same msg_id and bytes again
    NOT_FOUND = "not_found"  # 404: another org's or device's conversation (or none, for a counsellor)
    CONFLICT = "conflict"  # 409: the msg_id was used with other bytes
    GONE = "gone"  # 410: the original was deleted
    EXPIRED = "expired"  # 410: the original expired


@dataclass(frozen=True)
class NonceClaim:
    """A signed request's nonce and what the first request of a day records."""

    device_id: uuid.UUID
    nonce: str
    expires_at: datetime  # now + NONCE_TTL
    day: date
    org_code: str
    device_created_at: datetime
    # The device's ``last_seen = day`` (and so its presence) is known committed (``seen_today``): the
    # ``last_seen`` statement is skipped.
    seen: bool = False


@dataclass(frozen=True)
class PostInput:
    org_id: uuid.UUID
    conv_id: uuid.UUID
    msg_id: uuid.UUID  # from the envelope's header (checked by the caller: ``messages.check_envelope``)
    envelope: bytes
    channel: str
    now: datetime
    expires_at: datetime
    device_id: uuid.UUID | None  # a reporter device posting (creates its conversation); None: counsellor


@dataclass(frozen=True)
class PostResult:
    status: PostStatus
    conv_id: uuid.UUID
    msg_id: uuid.UUID
    seq: int = 0
    cursor: int = 0
    stored_at: datetime | None = None
    expires_at: datetime | None = None

    @property
    def created(self) -> bool:
        return self.status is PostStatus.CREATED

    def stored_json(self) -> dict[str, Any]:
        """The API's ``Stored`` object (CREATED and REPEAT)."""
        assert self.stored_at is not None and self.expires_at is not None
        return {
            "conv_id": str(self.conv_id), "msg_id": str(self.msg_id), "seq": self.seq,
            "cursor": self.cursor, "stored_at": unix(self.stored_at), "expires_at": unix(self.expires_at),
        }  # fmt: skip


# -- SQLAlchemy's SQLite storage formats ---------------------------------------------------------------


def db_uuid(value: uuid.UUID) -> str:
    return value.hex


def db_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def read_time(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


# -- statements ----------------------------------------------------------------------------------------

NONCE_INSERT = (
    "INSERT INTO request_nonces (device_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
)
LAST_SEEN = "UPDATE devices SET last_seen = ? WHERE device_id = ? AND last_seen <> ?"
SALT_INSERT = "INSERT INTO stats_salts (bucket, salt) VALUES (?, ?) ON CONFLICT DO NOTHING"
SALT = "SELECT salt FROM stats_salts WHERE bucket = ?"
STATS_DEVICE = (
    "INSERT INTO stats_devices (bucket, tag, org_code, registered_early, cells) VALUES (?, ?, ?, ?, 0) "
    "ON CONFLICT DO NOTHING"
)
STATS_DAY = "INSERT INTO stats_days (bucket, tag, day) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"


def _seq_bump(channel: str, device_owned: bool) -> str:
    column = "last_seq" if channel == CHANNEL_CHAT else "last_staff_seq"
    owned = " AND device_id = ?" if device_owned else ""
    # Only fixed column names and clauses go into the text; values are bound.
    return (
        f"UPDATE conversations SET {column} = {column} + 1, last_activity = ? "  # noqa: S608
        f"WHERE conv_id = ? AND org_id = ?{owned} RETURNING {column}"
    )


SEQ_BUMP = {(c, d): _seq_bump(c, d) for c in ("chat", "staff") for d in (True, False)}
CONVERSATION_CREATE = (
    "INSERT INTO conversations (conv_id, device_id, org_id, created_at, last_activity, last_seq, "
    "last_staff_seq) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING conv_id"
)
CURSOR_BUMP = "UPDATE org_cursors SET last_cursor = last_cursor + 1 WHERE org_id = ? RETURNING last_cursor"
CURSOR_CREATE = "INSERT INTO org_cursors (org_id, last_cursor) VALUES (?, 0) ON CONFLICT DO NOTHING"
MESSAGE_INSERT = (
    "INSERT INTO messages (org_id, conv_id, cursor, channel, seq, msg_id, envelope, stored_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (conv_id, msg_id) DO NOTHING RETURNING cursor"
)
SESSION_ROW = (
    "SELECT s.expires_at, s.last_used_at, c.status, c.org_id,"
    " s.device_id IS NOT NULL AND d.dropped_at IS NULL FROM sessions s"
    " JOIN counsellors c ON c.id = s.counsellor_id"
    " LEFT JOIN counsellor_devices d ON d.device_id = s.device_id WHERE s.token_hash = ?"
)
MESSAGE_EXISTING = (
    "SELECT seq, cursor, envelope, stored_at, expires_at FROM messages WHERE conv_id = ? AND msg_id = ?"
)


# -- the jobs --------------------------------------------------------------------------------------------


def record_presence(conn: sqlite3.Connection, claim: NonceClaim) -> list[Bucket]:
    """``stats_activity.record_presence`` with plain sqlite3 (same rows, same tags); returns the tags."""
    out: list[Bucket] = []
    for bucket in buckets_of(claim.day):
        conn.execute(SALT_INSERT, (bucket.name, secrets.token_bytes(32)))
        salt = bytes(conn.execute(SALT, (bucket.name,)).fetchone()[0])
        tag = device_tag(salt, claim.device_id)
        early = registered_early(claim.device_created_at.date(), bucket)
        conn.execute(STATS_DEVICE, (bucket.name, tag, claim.org_code, int(early)))
        conn.execute(STATS_DAY, (bucket.name, tag, claim.day.isoformat()))
        out.append((bucket.name, tag))
    return out


def claim_nonce(conn: sqlite3.Connection, claim: NonceClaim) -> None:
    """Store the nonce and mark the device's day; :class:`Replayed` or :class:`DeviceGone`."""
    device = db_uuid(claim.device_id)
    try:
        inserted = conn.execute(NONCE_INSERT, (device, claim.nonce, db_time(claim.expires_at))).rowcount
    except sqlite3.IntegrityError:  # the foreign key: the device was deleted
        raise DeviceGone() from None
    if not inserted:
        raise Replayed()
    if claim.seen:
        return
    day = claim.day.isoformat()
    if conn.execute(LAST_SEEN, (day, device, day)).rowcount:
        record_presence(conn, claim)


def _bump_seq(conn: sqlite3.Connection, post: PostInput) -> int | None:
    now = db_time(post.now)
    conv, org = db_uuid(post.conv_id), db_uuid(post.org_id)
    owned = post.device_id is not None
    params: tuple[str, ...] = (
        (now, conv, org, db_uuid(post.device_id)) if post.device_id else (now, conv, org)
    )
    bump = SEQ_BUMP[(post.channel, owned)]
    row = conn.execute(bump, params).fetchone()
    if row is not None or post.device_id is None:
        return None if row is None else int(row[0])
    chat = post.channel == CHANNEL_CHAT
    create = (conv, db_uuid(post.device_id), org, now, now, 1 if chat else 0, 0 if chat else 1)
    if conn.execute(CONVERSATION_CREATE, create).fetchone() is not None:
        return 1
    row = conn.execute(bump, params).fetchone()  # this device's concurrent first post, or another's id
    return None if row is None else int(row[0])


def _next_cursor(conn: sqlite3.Connection, org: str) -> int:
    row = conn.execute(CURSOR_BUMP, (org,)).fetchone()
    if row is None:  # the org's first change
        conn.execute(CURSOR_CREATE, (org,))
        row = conn.execute(CURSOR_BUMP, (org,)).fetchone()
    return int(row[0])


def _existing(conn: sqlite3.Connection, post: PostInput) -> PostResult:
    row = conn.execute(MESSAGE_EXISTING, (db_uuid(post.conv_id), db_uuid(post.msg_id))).fetchone()
    if row is None:
        return PostResult(PostStatus.GONE, post.conv_id, post.msg_id)
    seq, cursor, envelope, stored_at, expires_at = row
    if bytes(envelope) != post.envelope:
        return PostResult(PostStatus.CONFLICT, post.conv_id, post.msg_id)
    expires = read_time(expires_at)
    if expires <= post.now:
        return PostResult(PostStatus.EXPIRED, post.conv_id, post.msg_id)
    return PostResult(
        PostStatus.REPEAT, post.conv_id, post.msg_id, int(seq), int(cursor), read_time(stored_at), expires
    )


def store_message(conn: sqlite3.Connection, post: PostInput) -> PostResult:
    """The post's own writes inside a savepoint: rolled back unless the message is CREATED."""
    conn.execute("SAVEPOINT opg_post")
    try:
        seq = _bump_seq(conn, post)
        if seq is None:
            conn.execute("ROLLBACK TO opg_post")
            return PostResult(PostStatus.NOT_FOUND, post.conv_id, post.msg_id)
        org = db_uuid(post.org_id)
        cursor = _next_cursor(conn, org)
        row = (
            org, db_uuid(post.conv_id), cursor, post.channel, seq, db_uuid(post.msg_id), post.envelope,
            db_time(post.now), db_time(post.expires_at),
        )  # fmt: skip
        if conn.execute(MESSAGE_INSERT, row).fetchone() is None:
            conn.execute("ROLLBACK TO opg_post")  # gives the seq and the cursor back
            return _existing(conn, post)
        return PostResult(
            PostStatus.CREATED, post.conv_id, post.msg_id, seq, cursor, post.now, post.expires_at
        )
    except BaseException:
        conn.execute("ROLLBACK TO opg_post")
        raise
    finally:
        conn.execute("RELEASE opg_post")


def post_job(post: PostInput, claim: NonceClaim | None) -> Job[PostResult]:
    """A job for ``SqliteWriter.run``: claim the nonce (a device's signed post), then store."""

    def job(conn: sqlite3.Connection) -> PostResult:
        if claim is not None:
            claim_nonce(conn, claim)
        return store_message(conn, post)

    return job


def claim_job(claim: NonceClaim) -> Job[None]:
    """Only the nonce (a signed request refused before storing: a body failing the schema, a bad
    envelope), so that its replay is refused too."""

    def job(conn: sqlite3.Connection) -> None:
        claim_nonce(conn, claim)

    return job


# The session check of a counsellor's post: (expires_at, last_used_at, status, org_id, bound to a device
# no roster dropped) -> the org when nothing is to be written (``sessions.quick_org`` with the relay's
# settings and the request's time).
SessionRule = Callable[[datetime, datetime, str, uuid.UUID, bool], uuid.UUID | None]


def session_org(conn: sqlite3.Connection, token_hash: bytes, rule: SessionRule) -> uuid.UUID:
    """The org of the session with ``token_hash``, read in the job's transaction (the same row as
    ``sessions.authenticated_org`` reads); :class:`SessionUnknown` or :class:`SessionNeedsWrite`."""
    row = conn.execute(SESSION_ROW, (token_hash,)).fetchone()
    if row is None:
        raise SessionUnknown()
    expires_at, last_used_at, status, org_hex, bound = row
    org_id = rule(read_time(expires_at), read_time(last_used_at), status, uuid.UUID(hex=org_hex), bool(bound))
    if org_id is None:
        raise SessionNeedsWrite()
    return org_id


def counsellor_job(
    token_hash: bytes, rule: SessionRule, post: PostInput
) -> Job[tuple[PostResult, uuid.UUID]]:
    """A counsellor's post as ONE job: the session check (no aiosqlite read before it), then the post to
    the session's org (``post.org_id`` is replaced by it). Returns the result and that org."""

    def job(conn: sqlite3.Connection) -> tuple[PostResult, uuid.UUID]:
        org_id = session_org(conn, token_hash, rule)
        return store_message(conn, replace(post, org_id=org_id)), org_id

    return job
