"""Storing and reading ciphertext messages: envelope checks, per-org cursors, idempotent posts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.envelope import parse_header
from opgelucht_desk.protocol.errors import EnvelopeError
from server.clock import unix
from server.errors import ApiError, conflict, gone, not_found
from server.models.messaging import CHANNEL_CHAT, Conversation, Message, OrgCursor
from server.services.sql import insert_for, insert_ignore, write_lock


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


def stored_json(message: Message) -> dict[str, Any]:
    return {
        "conv_id": str(message.conv_id),
        "msg_id": str(message.msg_id),
        "seq": message.seq,
        "cursor": message.cursor,
        "stored_at": unix(message.stored_at),
        "expires_at": unix(message.expires_at),
    }


def message_json(message: Message, *, with_conv: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "seq": message.seq,
        "cursor": message.cursor,
        "msg_id": str(message.msg_id),
        "envelope": b64e(message.envelope),
        "stored_at": unix(message.stored_at),
        "expires_at": unix(message.expires_at),
        "channel": message.channel,
    }
    if with_conv:
        out["conv_id"] = str(message.conv_id)
    return out


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
) -> Posted:
    """Store one envelope. ``device_id`` set: a reporter device posting (creates its conversation on the
    first post); None: a counsellor of ``org_id`` posting to an existing conversation.

    Same msg_id with the same bytes returns the original row (``created`` False); other bytes: 409.
    """
    msg_id = check_envelope(envelope, conv_id)
    async with write_lock(db):
        return await _store(db, org_id, conv_id, msg_id, envelope, channel, now, retention, device_id)


async def _store(
    db: AsyncSession,
    org_id: uuid.UUID,
    conv_id: uuid.UUID,
    msg_id: uuid.UUID,
    envelope: bytes,
    channel: str,
    now: datetime,
    retention: timedelta,
    device_id: uuid.UUID | None,
) -> Posted:
    cursor = await next_cursor(db, org_id)  # takes the org lock first: everything below is serialised
    seq_column = Conversation.last_seq if channel == CHANNEL_CHAT else Conversation.last_staff_seq
    owned = [Conversation.conv_id == conv_id, Conversation.org_id == org_id]
    if device_id is not None:
        owned.append(Conversation.device_id == device_id)
    bumped = await db.execute(
        update(Conversation)
        .where(*owned)
        .values({seq_column: seq_column + 1, "last_activity": now})
        .returning(seq_column)
    )
    seq = bumped.scalar_one_or_none()
    if seq is None:
        taken = await db.scalar(select(Conversation.conv_id).where(Conversation.conv_id == conv_id))
        if taken is not None or device_id is None:
            await db.rollback()
            raise not_found()  # another org's or another device's conversation looks like none at all
        seq = 1
        db.add(
            Conversation(
                conv_id=conv_id,
                device_id=device_id,
                org_id=org_id,
                created_at=now,
                last_activity=now,
                last_seq=1 if channel == CHANNEL_CHAT else 0,
                last_staff_seq=0 if channel == CHANNEL_CHAT else 1,
            )
        )
        await db.flush()
    row = {
        "org_id": org_id,
        "conv_id": conv_id,
        "cursor": cursor,
        "channel": channel,
        "seq": seq,
        "msg_id": msg_id,
        "envelope": envelope,
        "stored_at": now,
        "expires_at": now + retention,
    }
    stmt = insert_for(db, Message).values(**row).on_conflict_do_nothing(index_elements=["conv_id", "msg_id"])
    inserted = (await db.execute(stmt.returning(Message.id))).scalar_one_or_none()
    if inserted is None:
        await db.rollback()  # gives the cursor and the seq back
        return await _repost(db, conv_id, msg_id, envelope, now)
    await db.commit()
    stored = {
        "conv_id": str(conv_id),
        "msg_id": str(msg_id),
        "seq": seq,
        "cursor": cursor,
        "stored_at": unix(now),
        "expires_at": unix(now + retention),
    }
    return Posted(stored, True, seq, cursor)


async def _repost(
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
