"""Reporter devices: registration of a device's public keys under an org code (rate-limited per code,
bursts flagged in the audit log: docs/stats.md, Sybil devices), and what a device may read of its own
(roster, conversations, messages, the export of its data)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.errors import SignatureError
from opgelucht_desk.protocol.request_auth import verify_register_proof
from opgelucht_relay import audit
from opgelucht_relay.clock import unix
from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import ApiError, conflict, not_found, rate_limited
from opgelucht_relay.models import Conversation, Device, Feedback, Message, OrgCode
from opgelucht_relay.models.messaging import CHANNEL_CHAT
from opgelucht_relay.schemas import device_conversation_json, device_json, feedback_json, message_json
from opgelucht_relay.services.counters import (
    device_registered,
    device_registration_burst,
    device_registration_refused,
)
from opgelucht_relay.services.device_keys import forget_everywhere
from opgelucht_relay.services.orgs import live_code
from opgelucht_relay.services.retention import delete_device, empty_wal, message_lifetime
from opgelucht_relay.services.sql import write_lock
from opgelucht_relay.services.stats_activity import record_presence

RATE_WINDOW = timedelta(hours=1)
BURST_WINDOW = timedelta(minutes=10)


async def _check_rate(ctx: AppContext, db: AsyncSession, code: OrgCode, now: datetime) -> None:
    """429 beyond ``device_registrations_per_code_per_hour`` registrations of the code; one audit event
    (ids and numbers only) when ``device_registration_burst`` arrive within ten minutes. The code's row
    is locked first, so concurrent registrations are counted one after another (PostgreSQL)."""
    await db.execute(select(OrgCode.code).where(OrgCode.code == code.code).with_for_update())
    times = list(
        await db.scalars(
            select(Device.created_at)
            .where(Device.org_code == code.code, Device.created_at > now - RATE_WINDOW)
            .order_by(Device.created_at)
        )
    )
    if len(times) >= ctx.settings.device_registrations_per_code_per_hour:
        device_registration_refused(ctx.metrics)
        wait = times[len(times) - ctx.settings.device_registrations_per_code_per_hour] + RATE_WINDOW - now
        raise rate_limited(math.ceil(wait.total_seconds()))
    burst = sum(1 for t in times if t > now - BURST_WINDOW) + 1
    if burst == ctx.settings.device_registration_burst:
        device_registration_burst(ctx.metrics)
        audit.record(
            db, "device_registration_burst", at=now, org_id=code.org_id, code=code.code,
            registrations=burst, minutes=int(BURST_WINDOW.total_seconds() // 60),
        )  # fmt: skip


async def register(
    ctx: AppContext,
    db: AsyncSession,
    *,
    org_code: str,
    device_id: uuid.UUID,
    enc_pk: bytes,
    sign_pk: bytes,
    proof: bytes,
) -> tuple[uuid.UUID, bool]:
    """Register a device (proof: its signature over the keys and code); the org id and whether the
    device is new (False: already registered with these keys; other keys: 409)."""
    try:
        verify_register_proof(device_id, enc_pk, sign_pk, org_code, proof)
    except SignatureError:
        raise ApiError(401, "bad_signature", "The registration proof does not verify.") from None
    code = await live_code(db, org_code)
    existing = await db.get(Device, device_id)
    if existing is not None:
        if (existing.enc_pk, existing.sign_pk, existing.org_code) != (enc_pk, sign_pk, code.code):
            raise conflict("This device id is registered with other keys.")
        return existing.org_id, False
    now = ctx.clock.now()
    async with write_lock(db):
        await _check_rate(ctx, db, code, now)
        db.add(
            Device(
                device_id=device_id,
                org_id=code.org_id,
                org_code=code.code,
                enc_pk=enc_pk,
                sign_pk=sign_pk,
                created_at=now,
                last_seen=now.date(),
            )
        )
        try:
            await db.flush()
            await record_presence(await db.connection(), device_id, code.code, now, now.date())
            await db.commit()
        except IntegrityError:
            await db.rollback()
            raise conflict("This device id is registered with other keys.") from None
    device_registered(ctx.metrics)
    return code.org_id, True


async def live_conversations(ctx: AppContext, db: AsyncSession, device: Device) -> list[dict[str, Any]]:
    """The device's live conversations (with a message that has not expired yet)."""
    live_after = ctx.clock.now() - message_lifetime(ctx.settings.retention_days)
    rows = await db.scalars(
        select(Conversation)
        .where(Conversation.device_id == device.device_id, Conversation.last_activity > live_after)
        .order_by(Conversation.created_at)
    )
    return [device_conversation_json(c) for c in rows]


async def chat_messages(
    ctx: AppContext, db: AsyncSession, device: Device, conv_id: uuid.UUID, after: int, limit: int
) -> dict[str, Any]:
    """A page of the chat channel of the device's own conversation (404 for another's)."""
    conv = await db.get(Conversation, conv_id)
    if conv is None or conv.device_id != device.device_id:
        raise not_found()
    rows = list(
        await db.scalars(
            select(Message)
            .where(
                Message.conv_id == conv_id,
                Message.channel == CHANNEL_CHAT,
                Message.seq > after,
                Message.expires_at > ctx.clock.now(),  # refused even before the retention job ran
            )
            .order_by(Message.seq)
            .limit(limit)
        )
    )
    return {"messages": [message_json(m) for m in rows], "next_after": rows[-1].seq if rows else after}


async def export(ctx: AppContext, db: AsyncSession, device: Device) -> dict[str, Any]:
    """Everything the relay holds of the device: keys, live chat messages, feedback sent with its id."""
    now = ctx.clock.now()
    convs = list(
        await db.scalars(
            select(Conversation)
            .where(Conversation.device_id == device.device_id)
            .order_by(Conversation.created_at)
        )
    )
    out = []
    for conv in convs:
        messages = await db.scalars(
            select(Message)
            .where(Message.conv_id == conv.conv_id, Message.channel == CHANNEL_CHAT, Message.expires_at > now)
            .order_by(Message.seq)
        )
        out.append(
            {
                "conv_id": str(conv.conv_id),
                "created_at": unix(conv.created_at),
                "messages": [message_json(m) for m in messages],
            }
        )
    feedback = await db.scalars(
        select(Feedback).where(Feedback.device_id == device.device_id).order_by(Feedback.created_at)
    )
    return {
        "device": device_json(device),
        "conversations": out,
        "feedback": [feedback_json(row) for row in feedback],
    }


async def delete(db: AsyncSession, device_id: uuid.UUID) -> None:
    """Delete the device and its conversations, messages, wraps, nonces and feedback at once."""
    async with write_lock(db):
        await delete_device(db, device_id)
        await db.commit()
    forget_everywhere(device_id)  # again after the commit: a key loaded meanwhile is not kept
    await empty_wal(db)  # SQLite: the pages that held its envelopes leave relay.db-wal now, not weeks later
