"""File blobs of a conversation (docs/api.md "File blobs"): upload by a client-chosen blob id (a retry
with the same id and bytes is the same upload), download, both with the conversation's authorisation
(another org's, device's or conversation's blob is a plain 404), and the same retention as messages."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.blob import BLOB_PREFIX, blob_length, is_blob_length
from opgelucht_relay.clock import unix
from opgelucht_relay.config import Settings
from opgelucht_relay.errors import ApiError, conflict, not_found
from opgelucht_relay.models.blobs import Blob
from opgelucht_relay.models.messaging import Conversation
from opgelucht_relay.services.blob_store import BlobStore
from opgelucht_relay.services.sql import write_lock


def max_blob_bytes(settings: Settings) -> int:
    """The largest blob the relay accepts: the encrypted, padded form of a ``max_file_bytes`` file."""
    return blob_length(settings.max_file_bytes)


def bad_blob() -> ApiError:
    return ApiError(400, "bad_blob", "The body is not an encrypted file blob of a valid length.")


@dataclass(frozen=True)
class StoredBlob:
    blob_id: uuid.UUID
    size: int
    expires_at: int
    created: bool

    def json(self) -> dict[str, object]:
        return {"blob_id": str(self.blob_id), "size": self.size, "expires_at": self.expires_at}


async def _conversation(
    db: AsyncSession, org_id: uuid.UUID, conv_id: uuid.UUID, device_id: uuid.UUID | None
) -> Conversation:
    conv = await db.get(Conversation, conv_id)
    if conv is None or conv.org_id != org_id or (device_id is not None and conv.device_id != device_id):
        raise not_found()
    return conv


async def upload(
    db: AsyncSession,
    store: BlobStore,
    *,
    org_id: uuid.UUID,
    conv_id: uuid.UUID,
    blob_id: uuid.UUID,
    body: bytes,
    device_id: uuid.UUID | None,
    now: datetime,
    retention: timedelta,
) -> StoredBlob:
    """Store one blob in an existing conversation (``device_id``: the reporter device that owns it; None:
    a counsellor of ``org_id``). Same id and bytes again: the stored one (``created`` False; its bytes
    written again if a crash lost them); other bytes under the same id: 409."""
    await _conversation(db, org_id, conv_id, device_id)
    if not is_blob_length(len(body)) or body[: len(BLOB_PREFIX)] != BLOB_PREFIX:
        raise bad_blob()
    digest = hashlib.sha256(body).digest()
    existing = await db.get(Blob, blob_id)
    if existing is None:
        expires = now + retention
        row = Blob(
            blob_id=blob_id,
            org_id=org_id,
            conv_id=conv_id,
            size=len(body),
            digest=digest,
            stored_at=now,
            expires_at=expires,
        )
        async with write_lock(db):
            try:
                db.add(row)
                await db.flush()
                await store.put(db, blob_id, body)
                await db.commit()
                return StoredBlob(blob_id, len(body), unix(expires), True)
            except IntegrityError:
                await db.rollback()  # the same id uploaded in parallel: answer as a retry below
            except BaseException:
                await db.rollback()
                raise
        existing = await db.get(Blob, blob_id)
        if existing is None:
            raise conflict()
    if existing.org_id != org_id or existing.conv_id != conv_id or existing.expires_at <= now:
        raise not_found()
    if existing.digest != digest:
        raise conflict("Another blob was stored under this id.")
    if await store.get(db, blob_id) is None:
        async with write_lock(db):
            await store.put(db, blob_id, body)
            await db.commit()
    return StoredBlob(blob_id, existing.size, unix(existing.expires_at), False)


async def download(
    db: AsyncSession,
    store: BlobStore,
    *,
    org_id: uuid.UUID,
    conv_id: uuid.UUID,
    blob_id: uuid.UUID,
    device_id: uuid.UUID | None,
    now: datetime,
) -> bytes:
    await _conversation(db, org_id, conv_id, device_id)
    row = await db.get(Blob, blob_id)
    if row is None or row.org_id != org_id or row.conv_id != conv_id or row.expires_at <= now:
        raise not_found()
    data = await store.get(db, blob_id)
    if data is None:
        raise not_found()
    return data


async def device_blob_ids(db: AsyncSession, device_id: uuid.UUID) -> list[uuid.UUID]:
    """The blobs in a device's conversations (their files go when the device does)."""
    conv_ids = select(Conversation.conv_id).where(Conversation.device_id == device_id)
    return list(await db.scalars(select(Blob.blob_id).where(Blob.conv_id.in_(conv_ids))))
