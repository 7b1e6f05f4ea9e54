"""Issue 9 item 11: SQLite overwrites deleted rows (``PRAGMA secure_delete=ON`` on every connection) and
the retention pass empties the WAL after deleting, so a purged envelope's bytes are gone from the
database file and its WAL once the pass is over, even where SQLite was built without SECURE_DELETE
(simulated by switching it off first). ``/readyz`` reports a connection without it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor
from kit.reporter import RawReporter, seal
from sqlalchemy import event

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.db import Database
from opgelucht_relay.services.retention import purge

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL: docs/operations.md (VACUUM)


def _set_secure_delete_off(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=OFF")
    cursor.close()


def _files(url: str) -> bytes:
    path = Path(url.split("///", 1)[1])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


async def test_a_purged_envelope_leaves_no_bytes_in_the_file(
    app: FastAPI, ctx: AppContext, admin: Actor, reporter: RawReporter, clock: ManualClock, settings: Any
) -> None:
    # A relay whose SQLite defaults to secure_delete OFF: this hook runs before the relay's own.
    db = Database(settings.db_url)
    event.listen(db.engine.sync_engine, "connect", _set_secure_delete_off, insert=True)
    await ctx.db.dispose()
    ctx.db = db
    conv = uuid.uuid4()
    envelope = seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x" * 20_000)
    assert (await reporter.post(conv, envelope)).status_code == 201
    canary = envelope[len(envelope) // 2 : len(envelope) // 2 + 48]  # ciphertext from the middle
    assert canary in _files(settings.db_url)
    async with db.sessions() as session:
        later = clock.now() + timedelta(days=32)
        counts = await purge(session, later, retention_days=31, idle_days=180, feedback_days=180)
    assert counts["messages"] == 1
    assert canary not in _files(settings.db_url)
    await db.dispose()


async def test_readyz_reports_secure_delete_off(client: httpx.AsyncClient, ctx: AppContext) -> None:
    assert (await client.get("/readyz")).status_code == 200
    await ctx.db.dispose()
    event.listen(ctx.db.engine.sync_engine, "connect", _set_secure_delete_off)  # after the relay's hook
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert "secure_delete" in response.json()["error"]["message"]


async def test_a_deleted_devices_envelope_leaves_no_bytes_in_the_file(
    admin: Actor, reporter: RawReporter, settings: Any
) -> None:
    """``DELETE /v1/device`` (the reporter's "delete everything") empties the WAL at once: before, the
    page written with the envelope stayed in ``relay.db-wal`` until a retention pass that happened to
    delete something, on a quiet relay indefinitely."""
    conv = uuid.uuid4()
    envelope = seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x" * 20_000)
    assert (await reporter.post(conv, envelope)).status_code == 201
    canary = envelope[len(envelope) // 2 : len(envelope) // 2 + 48]
    assert canary in _files(settings.db_url)
    assert (await reporter.call("DELETE", "/v1/device")).status_code == 204
    assert canary not in _files(settings.db_url)
