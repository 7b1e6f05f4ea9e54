"""Storing and reading ciphertext messages: envelope checks, per-org cursors, idempotent posts."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import BigInteger, String, Table, Text, bindparam, func, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from opgelucht_desk.protocol.envelope import parse_header
from opgelucht_desk.protocol.errors import EnvelopeError
from opgelucht_relay.clock import unix
from opgelucht_relay.errors import ApiError, conflict, gone, not_found
from opgelucht_relay.metrics import Metrics
from opgelucht_relay.models.messaging import CHANNEL_CHAT, Conversation, Message, OrgCursor
from opgelucht_relay.schemas import EnvelopeIn, b64_field, parse_body, stored_json
from opgelucht_relay.services.counters import message_stored
from opgelucht_relay.services.device_auth import SignedRequest, record_nonce, replayed_request
from opgelucht_relay.services.live_events import CHANNEL as LIVE_CHANNEL
from opgelucht_relay.services.live_events import MemoryBroker
from opgelucht_relay.services.sql import dialect_insert, insert_ignore, write_lock

# Core tables for the hot path (no ORM unit of work, no identity map).
CONVERSATIONS = cast(Table, Conversation.__table__)
MESSAGES = cast(Table, Message.__table__)
ORG_CURSORS = cast(Table, OrgCursor.__table__)
MESSAGE_COLUMNS = [
    "org_id", "conv_id", "cursor", "channel", "seq", "msg_id", "envelope", "stored_at", "expires_at"
]  # fmt: skip


def bad_envelope() -> ApiError:
    return ApiError(400, "bad_envelope", "The envelope is not a valid v1 envelope for this conversation.")


def check_envelope(envelope: bytes, conv_id: uuid.UUID) -> uuid.UUID:
    """Strict structural parse (no keys needed); returns the header's msg_id."""
    try:
        header = parse_header(envelope)
    except EnvelopeError:
        raise bad_envelope() from None
    if header.conv_id != conv_id:
        raise bad_envelope()
    return header.msg_id


async def next_cursor(db: AsyncSession, org_id: uuid.UUID) -> int:
    """Take the org's next change cursor. The row lock is held until commit, so the posts of one org
    commit in cursor order and a sync never passes a cursor that becomes visible later."""
    bump = (
        update(OrgCursor)
        .where(OrgCursor.org_id == org_id)
        .values(last_cursor=OrgCursor.last_cursor + 1)
        .returning(OrgCursor.last_cursor)
    )
    cursor = (await db.execute(bump)).scalar_one_or_none()
    if cursor is None:  # the org's first change
        await insert_ignore(db, OrgCursor, {"org_id": org_id, "last_cursor": 0})
        cursor = (await db.execute(bump)).scalar_one()
    return int(cursor)


async def committed_cursor(db: AsyncSession, org_id: uuid.UUID) -> int:
    found = await db.scalar(select(OrgCursor.last_cursor).where(OrgCursor.org_id == org_id))
    return int(found or 0)


@dataclass(frozen=True)
class Posted:
    stored: dict[str, Any]  # the API's ``Stored`` object
    created: bool
    seq: int
    cursor: int
    notified: bool = False  # the live event went out with the commit (PostgreSQL NOTIFY)


async def post_message(
    db: AsyncSession,
    *,
    org_id: uuid.UUID,
    conv_id: uuid.UUID,
    envelope: bytes,
    channel: str,
    now: datetime,
    retention: timedelta,
    device_id: uuid.UUID | None,
    first: Callable[[AsyncConnection], Awaitable[None]] | None = None,
) -> Posted:
    """Store one envelope. ``device_id`` set: a reporter device posting (creates its conversation on the
    first post); None: a counsellor of ``org_id`` posting to an existing conversation.

    ``first`` runs at the start of the storing transaction (the device's nonce claim): it commits with
    the message or not at all. Same msg_id with the same bytes returns the original row (``created``
    False, nothing of this transaction kept); other bytes: 409.
    """
    msg_id = check_envelope(envelope, conv_id)
    async with write_lock(db):
        try:
            conn = await db.connection()
            if first is not None:
                await first(conn)
            return await _store(
                db, conn, org_id, conv_id, msg_id, envelope, channel, now, retention, device_id
            )
        except Exception:
            if db.in_transaction():
                await db.rollback()
            raise


async def post_from_device(
    db: AsyncSession, signed: SignedRequest, conv_id: uuid.UUID, raw_body: bytes, retention: timedelta
) -> Posted:
    """A reporter device's signed post. The nonce is claimed in the message's own transaction (one
    commit per post). When that transaction does not commit (an invalid body, another device's
    conversation, a repeated msg_id), the nonce is stored on its own, so a replay of any signed post is
    refused. The body is parsed here rather than by FastAPI so that a body failing the schema is
    covered by this rule too."""
    try:
        body = parse_body(EnvelopeIn, raw_body)
        posted = await post_message(
            db,
            org_id=signed.org_id,
            conv_id=conv_id,
            envelope=b64_field(body.envelope, "envelope"),
            channel=CHANNEL_CHAT,
            now=signed.now,
            retention=retention,
            device_id=signed.device_id,
            first=signed.claim,
        )
    except Exception as exc:
        replayed = isinstance(exc, ApiError) and exc.code == "replayed_request"
        if not replayed and not await record_nonce(db, signed):
            raise replayed_request() from None  # a copy of this request was stored meanwhile
        raise
    if not posted.created and not await record_nonce(db, signed):
        raise replayed_request()
    return posted


async def announce(
    broker: MemoryBroker,
    metrics: Metrics,
    org_id: uuid.UUID,
    conv_id: uuid.UUID,
    posted: Posted,
    channel: str,
    sender: str,
) -> None:
    """After a post: count a new message and send its live event, unless PostgreSQL sent it with the
    commit. ``sender`` is ``device`` or ``counsellor``."""
    if not posted.created:
        return
    message_stored(metrics, channel, sender)
    if not posted.notified:
        await broker.publish(org_id, {"conv_id": str(conv_id), "seq": posted.seq, "cursor": posted.cursor})


# Hot-path statements are built once with bind parameters (building a SQLAlchemy statement per request
# costs more CPU than executing it). Parameter names start with ``p_`` (column names are reserved).
P = bindparam


@cache
def _seq_bump(channel: str, device_owned: bool) -> Any:
    seq_column = CONVERSATIONS.c.last_seq if channel == CHANNEL_CHAT else CONVERSATIONS.c.last_staff_seq
    owned = [CONVERSATIONS.c.conv_id == P("p_conv"), CONVERSATIONS.c.org_id == P("p_org")]
    if device_owned:
        owned.append(CONVERSATIONS.c.device_id == P("p_device"))
    return (
        update(CONVERSATIONS)
        .where(*owned)
        .values({seq_column: seq_column + 1, CONVERSATIONS.c.last_activity: P("p_now")})
        .returning(seq_column)
    )


@cache
def _conversation_create(dialect: str, channel: str) -> Any:
    return (
        dialect_insert(dialect, CONVERSATIONS)
        .values(
            conv_id=P("p_conv"),
            device_id=P("p_device"),
            org_id=P("p_org"),
            created_at=P("p_now"),
            last_activity=P("p_now"),
            last_seq=1 if channel == CHANNEL_CHAT else 0,
            last_staff_seq=0 if channel == CHANNEL_CHAT else 1,
        )
        .on_conflict_do_nothing()
        .returning(CONVERSATIONS.c.conv_id)
    )


async def _bump_seq(
    conn: AsyncConnection,
    org_id: uuid.UUID,
    conv_id: uuid.UUID,
    channel: str,
    now: datetime,
    device_id: uuid.UUID | None,
) -> int | None:
    """The conversation's next seq on ``channel`` (its row stays locked until commit); a device's first
    post creates its conversation. None: not this org's (or not this device's) conversation."""
    params = {"p_conv": conv_id, "p_org": org_id, "p_now": now, "p_device": device_id}
    bump = _seq_bump(channel, device_id is not None)
    seq = (await conn.execute(bump, params)).scalar_one_or_none()
    if seq is not None or device_id is None:
        return None if seq is None else int(seq)
    create = _conversation_create(conn.dialect.name, channel)
    if (await conn.execute(create, params)).scalar_one_or_none() is not None:
        return 1
    # Taken meanwhile: by this device's concurrent first post (bump it), or another's id (None).
    seq = (await conn.execute(bump, params)).scalar_one_or_none()
    return None if seq is None else int(seq)


_CURSOR_BUMP = (
    update(ORG_CURSORS)
    .where(ORG_CURSORS.c.org_id == P("p_org"))
    .values(last_cursor=ORG_CURSORS.c.last_cursor + 1)
    .returning(ORG_CURSORS.c.last_cursor)
)
_MESSAGE_TAKEN = select(MESSAGES.c.id).where(
    MESSAGES.c.conv_id == P("p_conv"), MESSAGES.c.msg_id == P("p_msg")
)
_MESSAGE_PARAMS = {
    "org_id": "p_org", "conv_id": "p_conv", "channel": "p_channel", "seq": "p_seq", "msg_id": "p_msg",
    "envelope": "p_envelope", "stored_at": "p_now", "expires_at": "p_expires",
}  # fmt: skip


def _pg_store_message() -> Any:
    """``WITH bumped AS (UPDATE org_cursors … RETURNING), stored AS (INSERT … SELECT … FROM bumped ON
    CONFLICT DO NOTHING RETURNING cursor) SELECT cursor, pg_notify(…) FROM stored``: the cursor, the
    message and the live event (sent by PostgreSQL at commit, to every relay instance LISTENing, never
    for a post that does not commit) in one round trip."""
    bumped = _CURSOR_BUMP.cte("bumped")
    values = [
        bumped.c.last_cursor if name == "cursor" else P(_MESSAGE_PARAMS[name], type_=MESSAGES.c[name].type)
        for name in MESSAGE_COLUMNS
    ]
    stored = (
        postgresql.insert(MESSAGES)
        .from_select(MESSAGE_COLUMNS, select(*values))
        .on_conflict_do_nothing(index_elements=["conv_id", "msg_id"])
        .returning(MESSAGES.c.cursor)
        .cte("stored")
    )
    event = func.json_build_object(
        "conv_id", P("p_conv_text", type_=String), "seq", P("p_seq_event", type_=BigInteger),
        "cursor", stored.c.cursor,
    )  # fmt: skip
    payload = func.json_build_object("org_id", P("p_org_text", type_=String), "event", event)
    return select(stored.c.cursor, func.pg_notify(LIVE_CHANNEL, sql_cast(payload, Text)))


_PG_STORE_MESSAGE = _pg_store_message()
_SQLITE_INSERT_MESSAGE = (
    sqlite.insert(MESSAGES)
    .values({name: P("p_cursor" if name == "cursor" else _MESSAGE_PARAMS[name]) for name in MESSAGE_COLUMNS})
    .on_conflict_do_nothing(index_elements=["conv_id", "msg_id"])
    .returning(MESSAGES.c.cursor)
)


async def _insert_message(conn: AsyncConnection, row: dict[str, Any]) -> int | None:
    """Take the org's next cursor and insert the message; the cursor (None: the msg_id is taken).

    The org's cursor row lock, held until commit, orders the posts of one org: cursors become visible
    in increasing order. It is taken last, so it is held for as little as possible: on PostgreSQL one
    statement (``_pg_store_message``) and the commit."""
    params = {_MESSAGE_PARAMS[name]: value for name, value in row.items()}
    if conn.dialect.name == "postgresql":
        params |= {
            "p_conv_text": str(row["conv_id"]),
            "p_seq_event": row["seq"],
            "p_org_text": str(row["org_id"]),
        }
        cursor = (await conn.execute(_PG_STORE_MESSAGE, params)).scalar_one_or_none()
        if cursor is None:
            # The msg_id is taken (the conflicting row is committed: ON CONFLICT waited for it), or
            # the org has no cursor row yet (its first change).
            if (await conn.execute(_MESSAGE_TAKEN, params)).first() is not None:
                return None
            await _create_cursor_row(conn, row["org_id"])
            cursor = (await conn.execute(_PG_STORE_MESSAGE, params)).scalar_one_or_none()
        return None if cursor is None else int(cursor)
    # SQLite: one writer at a time (``write_lock`` and the database lock), statement by statement.
    cursor = (await conn.execute(_CURSOR_BUMP, params)).scalar_one_or_none()
    if cursor is None:
        await _create_cursor_row(conn, row["org_id"])
        cursor = (await conn.execute(_CURSOR_BUMP, params)).scalar_one()
    inserted = await conn.execute(_SQLITE_INSERT_MESSAGE, {**params, "p_cursor": cursor})
    return None if inserted.scalar_one_or_none() is None else int(cursor)


async def _create_cursor_row(conn: AsyncConnection, org_id: uuid.UUID) -> None:
    create = dialect_insert(conn.dialect.name, ORG_CURSORS).values(org_id=org_id, last_cursor=0)
    await conn.execute(create.on_conflict_do_nothing())


async def _store(
    db: AsyncSession,
    conn: AsyncConnection,
    org_id: uuid.UUID,
    conv_id: uuid.UUID,
    msg_id: uuid.UUID,
    envelope: bytes,
    channel: str,
    now: datetime,
    retention: timedelta,
    device_id: uuid.UUID | None,
) -> Posted:
    seq = await _bump_seq(conn, org_id, conv_id, channel, now, device_id)
    if seq is None:
        await db.rollback()
        raise not_found()  # another org's or another device's conversation looks like none at all
    row = {
        "org_id": org_id,
        "conv_id": conv_id,
        "channel": channel,
        "seq": seq,
        "msg_id": msg_id,
        "envelope": envelope,
        "stored_at": now,
        "expires_at": now + retention,
    }
    cursor = await _insert_message(conn, row)
    if cursor is None:
        await db.rollback()  # gives the cursor and the seq back
        return await repost(db, conv_id, msg_id, envelope, now)
    await db.commit()
    notified = conn.dialect.name == "postgresql"
    stored = {
        "conv_id": str(conv_id),
        "msg_id": str(msg_id),
        "seq": seq,
        "cursor": cursor,
        "stored_at": unix(now),
        "expires_at": unix(now + retention),
    }
    return Posted(stored, True, seq, cursor, notified)


async def repost(
    db: AsyncSession, conv_id: uuid.UUID, msg_id: uuid.UUID, envelope: bytes, now: datetime
) -> Posted:
    """The msg_id is already stored in this conversation: the same bytes answer with the original."""
    existing = await db.scalar(select(Message).where(Message.conv_id == conv_id, Message.msg_id == msg_id))
    if existing is None:  # deleted in between (retention, device deletion)
        raise gone("This message is no longer available.")
    if existing.envelope != envelope:
        raise conflict("This msg_id was already used with other bytes.")
    if existing.expires_at <= now:
        raise gone("This message has expired.")
    return Posted(stored_json(existing), False, existing.seq, existing.cursor)
