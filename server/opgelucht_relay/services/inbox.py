"""The counsellors' inbox: the org-wide sync by cursor, the live conversations, and extra key wraps for
a newly added device (each record signed by one of the caller's devices)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import key_id
from opgelucht_desk.protocol.rewrap import RewrapRecord, verify_rewrap
from opgelucht_relay.clock import unix
from opgelucht_relay.errors import bad_request, conflict, not_found
from opgelucht_relay.models import Conversation, Counsellor, CounsellorDevice, Device, ExtraWrap, Message
from opgelucht_relay.schemas import WrapIn, b64_field, inbox_conversation_json, message_json, wrap_json
from opgelucht_relay.services.messages import MESSAGES, committed_cursor, next_cursor
from opgelucht_relay.services.retention import message_lifetime
from opgelucht_relay.services.sql import write_lock


async def _key_ids(db: AsyncSession, counsellor_id: uuid.UUID) -> list[bytes]:
    keys = await db.scalars(
        select(CounsellorDevice.enc_pk).where(CounsellorDevice.counsellor_id == counsellor_id)
    )
    return [key_id(pk) for pk in keys]


async def sync_page(
    db: AsyncSession, counsellor: Counsellor, after: int, limit: int, now: datetime
) -> dict[str, Any]:
    """Messages of the org and extra wraps for the caller's devices after cursor ``after``, in cursor
    order, at most ``limit``; the cursor to continue from and whether more follow."""
    org_id = counsellor.org_id
    # Every cursor up to the committed one is visible (cursors are handed out under a lock held
    # until commit), so a sync that returns all of them may move its cursor that far.
    upto = await committed_cursor(db, org_id)
    # Core rows, not ORM objects: a page of up to 1,000 envelopes is only read and serialised.
    conn = await db.connection()
    messages = (
        await conn.execute(
            select(MESSAGES)
            .where(
                MESSAGES.c.org_id == org_id,
                MESSAGES.c.cursor > after,
                MESSAGES.c.cursor <= upto,
                MESSAGES.c.expires_at > now,
            )
            .order_by(MESSAGES.c.cursor)
            .limit(limit + 1)
        )
    ).all()
    mine = await _key_ids(db, counsellor.id)
    wrap_rows = (
        await db.execute(
            select(ExtraWrap, Message.conv_id, Message.msg_id)
            .join(Message, Message.id == ExtraWrap.message_id)
            .where(
                ExtraWrap.org_id == org_id,
                ExtraWrap.cursor > after,
                ExtraWrap.cursor <= upto,
                ExtraWrap.expires_at > now,
                ExtraWrap.key_id.in_(mine),
            )
            .order_by(ExtraWrap.cursor)
            .limit(limit + 1)
        )
    ).all()
    entries = [(m.cursor, "messages", message_json(m, with_conv=True)) for m in messages]
    entries += [(w.cursor, "wraps", wrap_json(w, conv_id, msg_id)) for w, conv_id, msg_id in wrap_rows]
    entries.sort(key=lambda entry: entry[0])
    more = len(entries) > limit
    entries = entries[:limit]
    out: dict[str, Any] = {"messages": [], "wraps": []}
    for _, kind, item in entries:
        out[kind].append(item)
    # With more to come, continue after the last entry; otherwise everything up to `upto` was seen.
    out["cursor"] = entries[-1][0] if more else max(after, upto)
    out["more"] = more
    return out


async def live_conversations(
    db: AsyncSession, org_id: uuid.UUID, now: datetime, retention_days: int
) -> list[dict[str, Any]]:
    """The org's conversations with a live message, most recently active first, each with the org code its
    reporter device registered under (the case register counts per code: docs/case-register.md)."""
    retention = message_lifetime(retention_days)
    rows = await db.execute(
        select(Conversation, Device.org_code)
        .join(Device, Device.device_id == Conversation.device_id)
        .where(Conversation.org_id == org_id, Conversation.last_activity > now - retention)
        .order_by(Conversation.last_activity.desc())
    )
    return [inbox_conversation_json(c, unix(c.last_activity + retention), code) for c, code in rows.all()]


async def _verified_wraps(
    db: AsyncSession, counsellor_id: uuid.UUID, wraps: list[WrapIn]
) -> list[tuple[RewrapRecord, bytes]]:
    """Each wrap's record, verified against the caller's devices and matched with its fields (400)."""
    signers = set(
        await db.scalars(
            select(CounsellorDevice.sign_pk).where(CounsellorDevice.counsellor_id == counsellor_id)
        )
    )
    parsed = []
    for i, item in enumerate(wraps):
        record = b64_field(item.record, f"wraps.{i}.record")
        try:
            rec = verify_rewrap(record, allowed_signers=signers)
        except ProtocolError:
            raise bad_request(f"wraps.{i}.record: not a valid rewrap record signed by your device") from None
        if (
            rec.conv_id != item.conv_id
            or rec.msg_id != item.msg_id
            or rec.key_id != b64_field(item.key_id, f"wraps.{i}.key_id", 8)
            or rec.wrap != b64_field(item.wrap, f"wraps.{i}.wrap", 80)
        ):
            raise bad_request(f"wraps.{i}: fields do not match the record")
        parsed.append((rec, record))
    return parsed


async def add_wraps(
    db: AsyncSession, counsellor: Counsellor, wraps: list[WrapIn], now: datetime
) -> list[dict[str, Any]]:
    """Store the extra wraps (all or none: 404 for a message not live in the org, 409 for a different
    wrap of the same device and message; the same one again is skipped). Returns the live events of
    the stored ones, to publish after the commit."""
    org_id = counsellor.org_id
    parsed = await _verified_wraps(db, counsellor.id, wraps)
    events: list[dict[str, Any]] = []
    async with write_lock(db):
        await next_cursor(db, org_id)  # takes the org lock before reading
        for rec, record in parsed:
            message = await db.scalar(
                select(Message).where(
                    Message.org_id == org_id,
                    Message.conv_id == rec.conv_id,
                    Message.msg_id == rec.msg_id,
                    Message.expires_at > now,
                )
            )
            if message is None:
                await db.rollback()
                raise not_found()
            existing = await db.scalar(
                select(ExtraWrap).where(ExtraWrap.message_id == message.id, ExtraWrap.key_id == rec.key_id)
            )
            if existing is not None:
                if existing.record != record:
                    await db.rollback()
                    raise conflict("A different wrap for this device and message exists.")
                continue
            cursor = await next_cursor(db, org_id)
            db.add(
                ExtraWrap(
                    org_id=org_id,
                    message_id=message.id,
                    cursor=cursor,
                    key_id=rec.key_id,
                    wrap=rec.wrap,
                    record=record,
                    expires_at=message.expires_at,
                )
            )
            events.append({"conv_id": str(rec.conv_id), "seq": message.seq, "cursor": cursor})
        await db.commit()
    return events
