"""The encrypted local cache: rows sealed with their identity, secure_delete, 31-day purge."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import pytest

from opgelucht_desk.core.cache import (
    RETENTION_SECONDS,
    CacheCorruptError,
    CachedConversation,
    CachedMessage,
    EncryptedCache,
    QueuedItem,
)

CANARY = b"CANARY-kanarie-7f3a"
NOW = 1_800_000_000


@pytest.fixture
def cache(tmp_path: Path) -> EncryptedCache:
    return EncryptedCache(tmp_path / "cache.sqlite3", secrets.token_bytes(32))


def _msg(conv: str, msg: str, stored_at: int, text: bytes = CANARY) -> CachedMessage:
    return CachedMessage(
        conv, msg, cursor=stored_at, stored_at=stored_at, expires_at=stored_at + RETENTION_SECONDS, data=text
    )


def test_round_trip_and_no_plaintext_on_disk(cache: EncryptedCache, tmp_path: Path) -> None:
    cache.save(
        [CachedConversation("c1", NOW, NOW + RETENTION_SECONDS, b"pseudonym " + CANARY)],
        [_msg("c1", "m1", NOW)],
    )
    cache.set_draft("c1", "draft " + CANARY.decode())
    cache.enqueue(QueuedItem("m2", "c1", NOW, b"reply " + CANARY))
    cache.set_meta("cursor", b"42")
    assert cache.messages()[0].data == CANARY
    assert cache.conversations()[0].data == b"pseudonym " + CANARY
    assert cache.drafts() == {"c1": "draft " + CANARY.decode()}
    assert cache.queued()[0].data == b"reply " + CANARY
    assert cache.get_meta("cursor") == b"42"
    cache.close()
    for f in tmp_path.iterdir():
        assert CANARY not in f.read_bytes(), f.name


def test_secure_delete_is_on(cache: EncryptedCache) -> None:
    assert cache._db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_rows_cannot_be_swapped_between_conversations(cache: EncryptedCache, tmp_path: Path) -> None:
    cache.save([], [_msg("c1", "m1", NOW, b"one"), _msg("c2", "m2", NOW, b"two")])
    cache.close()
    db = sqlite3.connect(tmp_path / "cache.sqlite3")
    blob = db.execute("SELECT blob FROM messages WHERE msg_id = 'm1'").fetchone()[0]
    db.execute("UPDATE messages SET blob = ? WHERE msg_id = 'm2'", (blob,))
    db.commit()
    db.close()
    with pytest.raises(CacheCorruptError):
        EncryptedCache(tmp_path / "cache.sqlite3", cache._key).messages()


def test_wrong_cache_key_reads_nothing(cache: EncryptedCache, tmp_path: Path) -> None:
    cache.save([], [_msg("c1", "m1", NOW)])
    cache.close()
    with pytest.raises(CacheCorruptError):
        EncryptedCache(tmp_path / "cache.sqlite3", secrets.token_bytes(32)).messages()


def test_purge_applies_the_31_day_rule(cache: EncryptedCache, tmp_path: Path) -> None:
    old, fresh = NOW - RETENTION_SECONDS - 10, NOW - 86400
    cache.save(
        [
            CachedConversation("gone", old, old + RETENTION_SECONDS, b"x"),
            CachedConversation("live", fresh, fresh + RETENTION_SECONDS, b"y"),
        ],
        [_msg("gone", "m1", old), _msg("live", "m2", old + 5), _msg("live", "m3", fresh)],
    )
    cache.set_draft("gone", "draft")
    gone, count = cache.purge_expired(NOW)
    assert (tmp_path / "cache.sqlite3-wal").stat().st_size == 0  # nothing deleted lingers in the WAL
    assert gone == ["gone"]
    assert count == 2
    assert [m.msg_id for m in cache.messages()] == ["m3"]
    assert [c.conv_id for c in cache.conversations()] == ["live"]
    assert cache.drafts() == {}


def test_outbox_keeps_order_and_updates_in_place(cache: EncryptedCache) -> None:
    cache.enqueue(QueuedItem("b", "c1", NOW, b"first"))
    cache.enqueue(QueuedItem("a", "c1", NOW + 1, b"second"))
    cache.enqueue(QueuedItem("b", "c1", NOW, b"first, sent"))
    assert [(q.msg_id, q.data) for q in cache.queued()] == [("b", b"first, sent"), ("a", b"second")]
    cache.dequeue(["b"])
    assert [q.msg_id for q in cache.queued()] == ["a"]


def test_cache_key_must_be_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        EncryptedCache(tmp_path / "c.sqlite3", b"short")
