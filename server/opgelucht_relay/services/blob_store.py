"""Where blob bytes live, behind one small interface: files in ``<data_dir>/blobs`` (the default beside
the SQLite database) or the ``blobs.data`` column (the default on PostgreSQL, so that every relay
instance sharing the database serves every blob). docs/relay.md "File blobs".

An S3-compatible object store would be a third class with the same four methods; none ships yet.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.config import Settings
from opgelucht_relay.models.blobs import Blob

#: A file whose row is gone is deleted by the sweep only after this many seconds (an upload in flight
#: writes its file before its row commits).
SWEEP_GRACE_SECONDS = 600


class BlobStore(Protocol):
    """Bytes by blob id. ``put`` runs inside the transaction that inserts the row (before its commit)."""

    async def put(self, db: AsyncSession, blob_id: uuid.UUID, data: bytes) -> None: ...

    async def get(self, db: AsyncSession, blob_id: uuid.UUID) -> bytes | None: ...

    async def remove(self, blob_ids: Iterable[uuid.UUID]) -> None: ...

    async def sweep(self, db: AsyncSession) -> int:
        """Delete stored bytes whose row is gone (expired, conversation or device deleted); how many."""
        ...


class FileBlobStore:
    """One file per blob, written to a temporary name, fsynced and renamed into place (atomic)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, blob_id: uuid.UUID) -> Path:
        return self.directory / str(blob_id)

    def _write(self, blob_id: uuid.UUID, data: bytes) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self._path(blob_id)
        temp = self.directory / f".{blob_id}.{os.getpid()}.{uuid.uuid4().hex}.part"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, final)
        if hasattr(os, "O_DIRECTORY"):
            dir_fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    async def put(self, db: AsyncSession, blob_id: uuid.UUID, data: bytes) -> None:
        await asyncio.to_thread(self._write, blob_id, data)

    async def get(self, db: AsyncSession, blob_id: uuid.UUID) -> bytes | None:
        try:
            return await asyncio.to_thread(self._path(blob_id).read_bytes)
        except FileNotFoundError:
            return None

    async def remove(self, blob_ids: Iterable[uuid.UUID]) -> None:
        for blob_id in blob_ids:
            self._path(blob_id).unlink(missing_ok=True)

    async def sweep(self, db: AsyncSession) -> int:
        if not self.directory.is_dir():
            return 0
        known = {str(b) for b in await db.scalars(select(Blob.blob_id))}
        cutoff = time.time() - SWEEP_GRACE_SECONDS
        removed = 0
        for entry in os.scandir(self.directory):
            if entry.name in known or not entry.is_file():
                continue
            if entry.stat().st_mtime <= cutoff:
                os.unlink(entry.path)
                removed += 1
        return removed


class DatabaseBlobStore:
    """The bytes in ``blobs.data``: deleted with their row, nothing to sweep."""

    async def put(self, db: AsyncSession, blob_id: uuid.UUID, data: bytes) -> None:
        await db.execute(update(Blob).where(Blob.blob_id == blob_id).values(data=data))

    async def get(self, db: AsyncSession, blob_id: uuid.UUID) -> bytes | None:
        data = await db.scalar(select(Blob.data).where(Blob.blob_id == blob_id))
        return None if data is None else bytes(data)

    async def remove(self, blob_ids: Iterable[uuid.UUID]) -> None:
        return None

    async def sweep(self, db: AsyncSession) -> int:
        return 0


def store_for(settings: Settings) -> BlobStore:
    """``blob_storage``: "files", "database", or "auto" (files on SQLite, the database otherwise)."""
    choice = settings.blob_storage
    if choice == "auto":
        choice = "files" if settings.db_url.startswith("sqlite") else "database"
    if choice == "files":
        return FileBlobStore(settings.data_dir / "blobs")
    return DatabaseBlobStore()
