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
from server.services.sql import insert_ignore


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
    await insert_ignore(db, OrgCursor, {"org_id": org_id, "last_cursor": 0})
    result = await db.execute(
        update(OrgCursor)
        .where(OrgCursor.org_id == org_id)
        .values(last_cursor=OrgCursor.last_cursor + 1)
        .returning(OrgCursor.last_cursor)
    )
    return int(result.scalar_one())


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
    cursor = await next_cursor(db, org_id)  # takes the org lock first: everything below is serialised
    conv = await db.get(Conversation, conv_id, with_for_update=False)
    if conv is not None and (
        conv.org_id != org_id or (device_id is not None and conv.device_id != device_id)
    ):
        raise not_found()
    if conv is None:
        if device_id is None:
            raise not_found()
        conv = Conversation(
            conv_id=conv_id,
            device_id=device_id,
            org_id=org_id,
            created_at=now,
            last_activity=now,
            last_seq=0,
            last_staff_seq=0,
        )
        db.add(conv)
        await db.flush()
    existing = await db.scalar(select(Message).where(Message.conv_id == conv_id, Message.msg_id == msg_id))
    if existing is not None:
        same, expired = existing.envelope == envelope, existing.expires_at <= now
        posted = Posted(stored_json(existing), False, existing.seq, existing.cursor)
        await db.rollback()  # gives the cursor back
        if not same:
            raise conflict("This msg_id was already used with other bytes.")
        if expired:
            raise gone("This message has expired.")
        return posted
    if channel == CHANNEL_CHAT:
        conv.last_seq += 1
        seq = conv.last_seq
    else:
        conv.last_staff_seq += 1
        seq = conv.last_staff_seq
    conv.last_activity = now
    message = Message(
        org_id=org_id,
        conv_id=conv_id,
        cursor=cursor,
        channel=channel,
        seq=seq,
        msg_id=msg_id,
        envelope=envelope,
        stored_at=now,
        expires_at=now + retention,
    )
    db.add(message)
    await db.flush()
    posted = Posted(stored_json(message), True, seq, cursor)
    await db.commit()
    return posted
