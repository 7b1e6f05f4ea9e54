"""Files in conversations (docs/desktop-core.md "Files"): fetch, verify and render a received file
safely, keep only its re-encoded rendering (encrypted in the cache, purged by the 31-day rule), save
the re-encoded copy, and attach a file to a reply.

A file is never handed to the operating system's default application, and its decrypted bytes never
touch the disk: they go from memory to the render worker (core/safe_render.py) through a pipe, and the
desk keeps and shows only what came back re-encoded.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from pathlib import Path

from opgelucht_desk.core.errors import AttachmentError, NotFoundError, UnknownConversationError
from opgelucht_desk.core.inbox import STATE_FAILED, MessageRecord
from opgelucht_desk.core.safe_render import Rendering, RenderLimits, render
from opgelucht_desk.core.session import Session
from opgelucht_desk.core.writing import queue_message
from opgelucht_desk.protocol.attachment import MEDIA_TYPES, FileRef, sniff_media_type
from opgelucht_desk.protocol.blob import BlobError, new_file_key, open_blob, seal_blob
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_desk.protocol.errors import ProtocolError

#: The largest file a counsellor attaches (the relay's ``max_file_bytes`` default).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
LIMITS = RenderLimits()
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


def _record(s: Session, conv_id: uuid.UUID | str, msg_id: uuid.UUID | str) -> MessageRecord:
    conv = s.conv(conv_id)
    s.inbox.ensure_loaded(conv.conv_id)
    record = s.inbox.messages.get(conv.conv_id, {}).get(str(msg_id))
    if record is None or record.attachment is None or record.state == STATE_FAILED:
        raise UnknownConversationError("This file is not in the conversation.")
    return record


def _ref(payload: str) -> FileRef:
    try:
        return FileRef.from_payload(payload.encode("utf-8"))
    except ProtocolError:
        raise AttachmentError("not_verified", "malformed") from None


async def open_attachment(s: Session, conv_id: uuid.UUID | str, msg_id: uuid.UUID | str) -> Rendering:
    """The re-encoded rendering of a received (or sent) file: from the cache, or downloaded, verified
    (every chunk, the FINAL tag, size and SHA-256) and rendered by the worker. Raises AttachmentError
    (nothing partial is ever shown)."""
    record = _record(s, conv_id, msg_id)
    cached = await asyncio.to_thread(s.cache.attachment, record.conv_id, record.msg_id)
    if cached is not None:
        return Rendering.from_bytes(cached)
    ref = _ref(record.attachment or "")
    try:
        blob = await s.api.get_blob(record.conv_id, str(ref.blob_id))
    except NotFoundError:
        raise AttachmentError("unavailable") from None
    try:
        data = await asyncio.to_thread(open_blob, blob, ref.key, sha256=ref.sha256, size=ref.size)
    except BlobError as exc:
        raise AttachmentError("not_verified", exc.reason) from None
    rendering = await render(data, ref.media_type, LIMITS)
    del data
    await asyncio.to_thread(
        s.cache.put_attachment,
        record.conv_id,
        record.msg_id,
        record.stored_at,
        record.expires_at,
        rendering.to_bytes(),
    )
    s.changed()
    return rendering


def suggested_name(rendering: Rendering, msg_id: uuid.UUID | str) -> str:
    """A neutral file name for "Opslaan als…" (the original name never travels)."""
    return f"bijlage-{str(msg_id)[:8]}{SUFFIXES.get(rendering.copy_type, '')}"


async def save_copy(s: Session, conv_id: uuid.UUID | str, msg_id: uuid.UUID | str, target: Path) -> None:
    """Write the re-encoded, metadata-free copy to ``target`` (the UI warns first)."""
    rendering = await open_attachment(s, conv_id, msg_id)
    await asyncio.to_thread(_write_private, target, rendering.copy)


def _write_private(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


async def attach_file(s: Session, conv_id: uuid.UUID | str, data: bytes) -> None:
    """A counsellor's file for the reporter: re-encoded by the worker first (so no metadata leaves this
    computer either), encrypted with a fresh key, uploaded, then referred to by a FILE reply through
    the outbox (sealed and stored before it is sent). Raises AttachmentError, OfflineError."""
    conv = s.conv(conv_id)
    media_type = sniff_media_type(data)
    if media_type not in MEDIA_TYPES:
        raise AttachmentError("unsupported")
    if len(data) > MAX_ATTACHMENT_BYTES * 4:
        raise AttachmentError("too_large")
    rendering = await render(data, media_type, LIMITS)
    clean = rendering.copy
    if len(clean) > MAX_ATTACHMENT_BYTES:
        raise AttachmentError("too_large")
    ref = FileRef(
        blob_id=uuid.uuid4(),
        key=new_file_key(),
        sha256=hashlib.sha256(clean).digest(),
        size=len(clean),
        media_type=rendering.copy_type,
    )
    blob = await asyncio.to_thread(seal_blob, clean, ref.key)
    await s.api.put_blob(conv.conv_id, str(ref.blob_id), blob)
    payload = ref.to_payload()
    await queue_message(s, conv, MessageType.FILE, payload, payload.decode("utf-8"))
    s.changed()
