"""What a counsellor writes: replies, notes, status and category (META), drafts and the local read
state. Every change publishes ``inbox_changed`` once, after the change."""

from __future__ import annotations

import asyncio
import uuid

from opgelucht_desk.core.errors import DeskError
from opgelucht_desk.core.inbox import ConversationRecord
from opgelucht_desk.core.model import Category, Status
from opgelucht_desk.core.outbox import seal_outgoing
from opgelucht_desk.core.session import Session
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_desk.protocol.meta import encode_meta

MAX_TEXT_BYTES = 64 * 1024  # a reply or note; far below the envelope's limit


def draft(s: Session, conv_id: uuid.UUID | str) -> str:
    return s.inbox.drafts.get(str(conv_id), "")


def save_draft(s: Session, conv_id: uuid.UUID | str, text: str) -> None:
    """Keep a draft reply (encrypted in the cache); an empty text deletes it."""
    key = str(conv_id)
    if text:
        s.inbox.drafts[key] = text
    else:
        s.inbox.drafts.pop(key, None)
    s.cache.set_draft(key, text)


async def queue_message(
    s: Session, conv: ConversationRecord, msg_type: MessageType, payload: bytes, text: str
) -> None:
    """Seal a message and store it in the outbox (encrypted) before it is sent; then send soon."""
    chains = dict(conv.own_chains)
    item = seal_outgoing(
        conv=conv, keys=s.keys, trust=s.trust, msg_type=msg_type, payload=payload, text=text, now=s.now()
    )
    try:
        await s.outbox.add(item, conv)
    except BaseException:
        conv.own_chains = chains  # not stored: the next message takes this place in the chain
        raise
    s.kick()


def _check_text(text: str, empty: str) -> None:
    if not text.strip():
        raise DeskError(empty)
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise DeskError(f"The text is too long: at most {MAX_TEXT_BYTES // 1024} KiB.")


async def reply(s: Session, conv_id: uuid.UUID | str, text: str) -> None:
    """Queue a reply (sealed and stored encrypted first), then send it; never lost, never doubled.
    Raises RosterBlockedError when the roster forbids sending."""
    _check_text(text, "An empty reply cannot be sent.")
    await queue_message(s, s.conv(conv_id), MessageType.TEXT, text.encode("utf-8"), text)
    save_draft(s, conv_id, "")
    s.changed()


async def add_note(s: Session, conv_id: uuid.UUID | str, text: str) -> None:
    """A private note for the counsellors (staff channel, never sent to the reporter)."""
    _check_text(text, "An empty note cannot be saved.")
    await queue_message(s, s.conv(conv_id), MessageType.NOTE, text.encode("utf-8"), text)
    s.changed()


async def _set_meta(s: Session, conv: ConversationRecord, status: str, category: str | None) -> None:
    meta = encode_meta(status, category)
    await queue_message(s, conv, MessageType.META, meta, meta.decode())
    conv.status, conv.category = status, category
    s.changed()


async def set_status(s: Session, conv_id: uuid.UUID | str, status: Status) -> None:
    conv = s.conv(conv_id)
    await _set_meta(s, conv, status.value, conv.category)


async def set_category(s: Session, conv_id: uuid.UUID | str, category: Category | None) -> None:
    conv = s.conv(conv_id)
    await _set_meta(s, conv, conv.status, None if category is None else category.value)


async def mark_read(s: Session, conv_id: uuid.UUID | str, read: bool = True) -> None:
    """Read state is local to this computer."""
    conv = s.conv(conv_id)
    s.inbox.ensure_loaded(conv.conv_id)
    msgs = s.inbox.messages.get(conv.conv_id, {}).values()
    if read:
        conv.read_cursor = max((m.cursor for m in msgs), default=conv.read_cursor)
    else:
        incoming = [m.cursor for m in msgs if not m.outgoing and m.channel == "chat"]
        conv.read_cursor = max(incoming) - 1 if incoming else 0
    s.inbox.refresh(conv)
    await asyncio.to_thread(s.cache.save, [conv.to_cache()], [])
    s.changed()
