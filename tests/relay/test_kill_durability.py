"""Nothing acknowledged is lost when the relay is killed: concurrent device posts against a real
``opgelucht-relay serve``, SIGKILL mid-run, then every post answered 201 is in the database, and each
conversation's seqs are 1..n without a gap (SQLite: the writer thread answers only after COMMIT;
PostgreSQL: the process's writer answers a batch of posts only after its COMMIT, services/pg_writer.py;
the test checks that posts were batched, so it covers that path)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from kit.actors import enrol, new_code
from kit.relay import RelayProcess
from kit.reporter import RawReporter, seal

from opgelucht_relay.clock import ManualClock
from relay.databases import pg_create_database, pg_drop_database, pg_url_for, run_async, unique_pg_name

pytestmark = pytest.mark.slow
DEVICES = 12
KILL_AFTER = 150  # acknowledged posts before the SIGKILL


async def post_until_killed(relay: RelayProcess) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Every device posts to its own conversation in a loop; SIGKILL once KILL_AFTER were acknowledged.
    Returns the acknowledged msg_ids per conversation."""
    clock = ManualClock(datetime.now(UTC))  # the relay runs on the real clock
    limits = httpx.Limits(max_connections=DEVICES * 2)
    async with httpx.AsyncClient(base_url=relay.url, timeout=10, limits=limits) as http:
        admin = await enrol(http, clock, relay.create_org("Kill BV"), username="admin", create_org_key=True)
        code = await new_code(http, admin)
        devices = [RawReporter(http, clock, code) for _ in range(DEVICES)]
        for device in devices:
            assert (await device.register()).status_code == 201
        acked: dict[uuid.UUID, set[uuid.UUID]] = {uuid.uuid4(): set() for _ in devices}
        enough = asyncio.Event()

        async def run(device: RawReporter, conv_id: uuid.UUID) -> None:
            seq = 0
            while True:
                seq += 1
                msg_id = uuid.uuid4()
                envelope = seal(conv_id, device.keys, [device.keys.enc_pk], b"x", seq=seq, msg_id=msg_id)
                try:
                    response = await device.post(conv_id, envelope)
                except httpx.TransportError:
                    return  # killed: this post was never acknowledged
                assert response.status_code == 201, response.text
                acked[conv_id].add(msg_id)
                if sum(map(len, acked.values())) >= KILL_AFTER:
                    enough.set()

        tasks = [asyncio.create_task(run(d, c)) for d, c in zip(devices, acked, strict=True)]
        await asyncio.wait_for(enough.wait(), 120)
        relay.kill()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
    assert relay.proc is not None
    await relay.proc.wait()
    return acked


def check(acked: dict[uuid.UUID, set[uuid.UUID]], stored: list[tuple[uuid.UUID, uuid.UUID, int]]) -> None:
    by_conv: dict[uuid.UUID, dict[uuid.UUID, int]] = {}
    for conv_id, msg_id, seq in stored:
        by_conv.setdefault(conv_id, {})[msg_id] = seq
    for conv_id, msg_ids in acked.items():
        kept = by_conv.get(conv_id, {})
        assert msg_ids <= set(kept), f"{len(msg_ids - set(kept))} acknowledged posts lost"
        assert sorted(kept.values()) == list(range(1, len(kept) + 1))  # no gap, no double
    assert sum(map(len, acked.values())) >= KILL_AFTER


async def test_sigkill_mid_run_loses_no_acknowledged_post_on_sqlite(tmp_path: Path) -> None:
    relay = RelayProcess(tmp_path)
    await relay.start()
    try:
        acked = await post_until_killed(relay)
    finally:
        await relay.stop()
    with contextlib.closing(sqlite3.connect(tmp_path / "relay-data" / "relay.db")) as db:
        rows = db.execute("SELECT conv_id, msg_id, seq FROM messages").fetchall()
    check(acked, [(uuid.UUID(conv), uuid.UUID(msg), int(seq)) for conv, msg, seq in rows])


@pytest.fixture
def pg_database(pg_server: None) -> Iterator[str]:
    name = unique_pg_name()
    run_async(lambda: pg_create_database(name))
    try:
        yield pg_url_for(name)
    finally:
        run_async(lambda: pg_drop_database(name))


@pytest.mark.postgres
async def test_sigkill_mid_run_loses_no_acknowledged_post_on_postgres(
    tmp_path: Path, pg_database: str
) -> None:
    # One process: SIGKILL to a ``--workers`` supervisor would leave its workers running.
    relay = RelayProcess(tmp_path, database_url=pg_database)
    relay.cli("migrate")
    await relay.start()
    try:
        acked = await post_until_killed(relay)
    finally:
        await relay.stop()
    dsn = pg_database.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT conv_id, msg_id, seq, xmin::text AS tx FROM messages")
    finally:
        await conn.close()
    check(acked, [(row["conv_id"], row["msg_id"], int(row["seq"])) for row in rows])
    # Group commit was in play: many posts were stored by fewer transactions (a batch's rows share xmin).
    assert len({row["tx"] for row in rows}) < len(rows)
