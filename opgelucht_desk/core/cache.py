"""Encrypted local cache: one SQLite file in the data directory.

Every stored value is a blob sealed with XChaCha20-Poly1305 under the cache key, with associated
data naming its row (``table | conv_id | msg_id`` or ``table | key``), so rows cannot be swapped or
moved between conversations. Plain columns hold only what the relay knows anyway (ids, relay times,
cursors) and are the only indexed ones. ``secure_delete`` is on and temporary tables stay in memory.

The class is synchronous and thread-safe; the sync engine calls its batch methods from a worker
thread so that the event loop never waits on disk.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nacl.bindings
import nacl.exceptions

from opgelucht_desk.core.errors import VerificationError

RETENTION_SECONDS = 31 * 86400
CACHE_FILENAME = "cache.sqlite3"
_MESSAGE_COLUMNS = "conv_id, msg_id, cursor, stored_at, expires_at, blob"
_IN_CHUNK = 500  # ids per ``IN (...)`` query (SQLite's default limit is 32,766 variables)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    conv_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    conv_id TEXT NOT NULL, msg_id TEXT NOT NULL, cursor INTEGER NOT NULL, stored_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, blob BLOB NOT NULL, PRIMARY KEY (conv_id, msg_id));
CREATE INDEX IF NOT EXISTS messages_expiry ON messages (expires_at);
CREATE TABLE IF NOT EXISTS outbox (
    msg_id TEXT PRIMARY KEY, conv_id TEXT NOT NULL, queued_at INTEGER NOT NULL, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS drafts (conv_id TEXT PRIMARY KEY, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS attachments (
    conv_id TEXT NOT NULL, msg_id TEXT NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    blob BLOB NOT NULL, PRIMARY KEY (conv_id, msg_id));
"""
_CONV_TABLES = ("conversations", "messages", "outbox", "drafts", "attachments")


@dataclass(frozen=True)
class CachedMessage:
    conv_id: str
    msg_id: str
    cursor: int
    stored_at: int
    expires_at: int
    data: bytes


@dataclass(frozen=True)
class CachedConversation:
    conv_id: str
    created_at: int
    expires_at: int
    data: bytes


@dataclass(frozen=True)
class QueuedItem:
    msg_id: str
    conv_id: str
    queued_at: int
    data: bytes


class CacheCorruptError(VerificationError):
    """A cache row failed authentication (tampered file or wrong cache key)."""


def _owner_only(path: Path) -> None:
    """Create the cache file mode 0600 before SQLite opens it (SQLite would create it 0644 under the
    usual umask, and gives its ``-wal`` and ``-shm`` files the database file's mode), and tighten a file
    an older version left looser. An empty file is an empty SQLite database."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.name == "posix":
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    if os.name == "posix":
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(path.with_name(path.name + suffix), 0o600)


class EncryptedCache:
    """The SQLite cache. ``key`` is the 32-byte cache key from the key blob."""

    def __init__(self, path: Path, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("cache key must be 32 bytes")
        self.path = path
        self._key = key
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        _owner_only(path)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("PRAGMA temp_store = MEMORY")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- crypto -----------------------------------------------------------------------------------
    def _seal(self, ad: str, data: bytes) -> bytes:
        nonce = secrets.token_bytes(24)
        return nonce + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
            data, ad.encode(), nonce, self._key
        )

    def _open(self, ad: str, blob: bytes) -> bytes:
        try:
            return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                blob[24:], ad.encode(), blob[:24], self._key
            )
        except nacl.exceptions.CryptoError:
            raise CacheCorruptError(f"cache row {ad.split('|')[0]} failed authentication") from None

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- meta ---------------------------------------------------------------------------------------
    def get_meta(self, name: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT blob FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else self._open(f"meta|{name}", row[0])

    def set_meta(self, name: str, data: bytes) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO meta (name, blob) VALUES (?, ?)",
                (name, self._seal(f"meta|{name}", data)),
            )

    # -- conversations and messages -----------------------------------------------------------------
    def save(
        self, conversations: Iterable[CachedConversation] = (), messages: Iterable[CachedMessage] = ()
    ) -> None:
        """Upsert conversations and messages in one transaction."""
        conv_rows = [
            (c.conv_id, c.created_at, c.expires_at, self._seal(f"conv|{c.conv_id}", c.data))
            for c in conversations
        ]
        msg_rows = [
            (
                m.conv_id,
                m.msg_id,
                m.cursor,
                m.stored_at,
                m.expires_at,
                self._seal(f"msg|{m.conv_id}|{m.msg_id}", m.data),
            )
            for m in messages
        ]
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO conversations VALUES (?, ?, ?, ?)", conv_rows)
            db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?, ?)", msg_rows)

    def conversations(self) -> list[CachedConversation]:
        with self._lock:
            rows = self._db.execute(
                "SELECT conv_id, created_at, expires_at, blob FROM conversations"
            ).fetchall()
        return [CachedConversation(r[0], r[1], r[2], self._open(f"conv|{r[0]}", r[3])) for r in rows]

    def messages(self) -> list[CachedMessage]:
        with self._lock:
            rows = self._db.execute(
                "SELECT conv_id, msg_id, cursor, stored_at, expires_at, blob FROM messages ORDER BY cursor"
            ).fetchall()
        return [
            CachedMessage(r[0], r[1], r[2], r[3], r[4], self._open(f"msg|{r[0]}|{r[1]}", r[5])) for r in rows
        ]

    def messages_of(self, conv_ids: Iterable[str]) -> dict[str, list[CachedMessage]]:
        """The messages of some conversations, decrypted and authenticated, in cursor order (lazy
        loading: the inbox opens a conversation's messages only when they are needed)."""
        ids = list(conv_ids)
        out: dict[str, list[CachedMessage]] = {c: [] for c in ids}
        for i in range(0, len(ids), _IN_CHUNK):
            chunk = ids[i : i + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))  # placeholders only: the ids are bound parameters
            sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conv_id IN ({marks}) ORDER BY cursor"  # noqa: S608
            with self._lock:
                rows = self._db.execute(sql, chunk).fetchall()
            for r in rows:
                out[r[0]].append(
                    CachedMessage(r[0], r[1], r[2], r[3], r[4], self._open(f"msg|{r[0]}|{r[1]}", r[5]))
                )
        return out

    def conversations_with_expired_messages(self, now: int) -> list[str]:
        """Conversations that lose messages in :meth:`purge_expired` at ``now`` (plain columns only)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT conv_id FROM messages WHERE expires_at <= ? OR stored_at <= ?",
                (now, now - RETENTION_SECONDS),
            ).fetchall()
        return [r[0] for r in rows]

    def delete_conversations(self, conv_ids: Iterable[str]) -> None:
        ids = [(c,) for c in conv_ids]
        with self._tx() as db:
            for table in _CONV_TABLES:
                db.executemany(f"DELETE FROM {table} WHERE conv_id = ?", ids)  # noqa: S608 - fixed names
        self._checkpoint()

    def purge_expired(self, now: int) -> tuple[list[str], int]:
        """Apply the 31-day rule: drop messages stored 31 days ago (or past the relay's expiry) and
        conversations past their expiry. Returns (deleted conversation ids, deleted message count)."""
        limit = now - RETENTION_SECONDS
        with self._tx() as db:
            n = db.execute(
                "DELETE FROM messages WHERE expires_at <= ? OR stored_at <= ?", (now, limit)
            ).rowcount
            files = db.execute(
                "DELETE FROM attachments WHERE expires_at <= ? OR stored_at <= ?", (now, limit)
            ).rowcount
            gone = [
                r[0] for r in db.execute("SELECT conv_id FROM conversations WHERE expires_at <= ?", (now,))
            ]
            for table in _CONV_TABLES:
                db.executemany(f"DELETE FROM {table} WHERE conv_id = ?", [(c,) for c in gone])  # noqa: S608
        if n or files or gone:
            self._checkpoint()
        return gone, n

    def _checkpoint(self) -> None:
        """Copy the WAL into the (secure_delete) database file and truncate it, so that deleted rows
        do not linger in the WAL."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- attachments (re-encoded renderings of received files) ---------------------------------------
    def put_attachment(self, conv_id: str, msg_id: str, stored_at: int, expires_at: int, data: bytes) -> None:
        """Keep a rendering, sealed like every row (``stored_at``: the message's relay time, so the
        31-day rule removes it with its message)."""
        blob = self._seal(f"attachments|{conv_id}|{msg_id}", data)
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO attachments VALUES (?, ?, ?, ?, ?)",
                (conv_id, msg_id, stored_at, expires_at, blob),
            )

    def attachment(self, conv_id: str, msg_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT blob FROM attachments WHERE conv_id = ? AND msg_id = ?", (conv_id, msg_id)
            ).fetchone()
        return None if row is None else self._open(f"attachments|{conv_id}|{msg_id}", row[0])

    # -- outbox ------------------------------------------------------------------------------------
    def enqueue(self, item: QueuedItem, conversation: CachedConversation | None = None) -> None:
        """Store (or update) an outbox item, and optionally its conversation, in one transaction."""
        blob = self._seal(f"outbox|{item.conv_id}|{item.msg_id}", item.data)
        with self._tx() as db:
            db.execute(
                "INSERT INTO outbox VALUES (?, ?, ?, ?) "
                "ON CONFLICT (msg_id) DO UPDATE SET blob = excluded.blob",
                (item.msg_id, item.conv_id, item.queued_at, blob),
            )
            if conversation is not None:
                c = conversation
                db.execute(
                    "INSERT OR REPLACE INTO conversations VALUES (?, ?, ?, ?)",
                    (c.conv_id, c.created_at, c.expires_at, self._seal(f"conv|{c.conv_id}", c.data)),
                )

    def queued(self) -> list[QueuedItem]:
        with self._lock:
            rows = self._db.execute(
                "SELECT msg_id, conv_id, queued_at, blob FROM outbox ORDER BY rowid"
            ).fetchall()
        return [QueuedItem(r[0], r[1], r[2], self._open(f"outbox|{r[1]}|{r[0]}", r[3])) for r in rows]

    def dequeue(self, msg_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany("DELETE FROM outbox WHERE msg_id = ?", [(m,) for m in msg_ids])

    # -- drafts ------------------------------------------------------------------------------------
    def set_draft(self, conv_id: str, text: str) -> None:
        with self._tx() as db:
            if text:
                db.execute(
                    "INSERT OR REPLACE INTO drafts VALUES (?, ?)",
                    (conv_id, self._seal(f"draft|{conv_id}", text.encode())),
                )
            else:
                db.execute("DELETE FROM drafts WHERE conv_id = ?", (conv_id,))

    def drafts(self) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute("SELECT conv_id, blob FROM drafts").fetchall()
        return {r[0]: self._open(f"draft|{r[0]}", r[1]).decode() for r in rows}


def wipe_cache_files(data_dir: Path) -> None:
    """Delete the cache file and its WAL/SHM companions (sign-out)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (data_dir / (CACHE_FILENAME + suffix)).unlink(missing_ok=True)
