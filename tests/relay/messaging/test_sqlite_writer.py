"""The SQLite fast-path building blocks (issue 12, not wired in yet): the writer thread with group
commit (services/sqlite_writer.py) and a whole post as one job (services/sqlite_post.py),
checked against the relay's own schema and read back through the relay's API."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from kit.actors import Actor
from kit.reporter import RawReporter, seal
from sqlalchemy.engine import make_url

from opgelucht_desk.protocol.encoding import b64d
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.services.device_auth import NONCE_TTL
from opgelucht_relay.services.messages import check_envelope
from opgelucht_relay.services.retention import message_lifetime
from opgelucht_relay.services.sqlite_post import (
    DeviceGone,
    NonceClaim,
    PostInput,
    PostResult,
    PostStatus,
    Replayed,
    claim_job,
    db_uuid,
    post_job,
    read_time,
)
from opgelucht_relay.services.sqlite_writer import Job, SqliteWriter, WriterClosed
from opgelucht_relay.services.stats_activity import buckets_of


@pytest.fixture
def backend() -> str:
    return "sqlite"


def db_path(settings: Settings) -> str:
    path = make_url(settings.db_url).database
    assert path is not None
    return path


@pytest.fixture
async def writer(settings: Settings, client: httpx.AsyncClient) -> AsyncIterator[SqliteWriter]:
    """The writer on the test relay's database (``client``: the app has started and migrated)."""
    w = SqliteWriter(db_path(settings))
    w.start()
    yield w
    await w.aclose()


def device_claim(
    path: str, reporter: RawReporter, clock: ManualClock, nonce: str | None = None
) -> NonceClaim:
    with sqlite3.connect(path) as conn:
        org_code, created = conn.execute(
            "SELECT org_code, created_at FROM devices WHERE device_id = ?", (db_uuid(reporter.device_id),)
        ).fetchone()
    now = clock.now()
    return NonceClaim(
        reporter.device_id, nonce or uuid.uuid4().hex[:22], now + NONCE_TTL, now.date(), org_code,
        read_time(created),
    )  # fmt: skip


def org_of(path: str, reporter: RawReporter) -> uuid.UUID:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT org_id FROM devices WHERE device_id = ?", (db_uuid(reporter.device_id),))
        return uuid.UUID(row.fetchone()[0])


def post_input(
    path: str, reporter: RawReporter, clock: ManualClock, conv: uuid.UUID, envelope: bytes
) -> PostInput:
    now = clock.now()
    return PostInput(
        org_of(path, reporter), conv, check_envelope(envelope, conv), envelope, "chat", now,
        now + message_lifetime(31), reporter.device_id,
    )  # fmt: skip


async def test_group_commit_keeps_the_other_jobs_when_one_fails(tmp_path: Path) -> None:
    writer = SqliteWriter(tmp_path / "w.db")
    writer.start()
    await writer.run(lambda conn: conn.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)"))

    def insert(x: int) -> Job[int]:
        def job(conn: sqlite3.Connection) -> int:
            conn.execute("INSERT INTO t VALUES (?)", (x,))
            if x == 3:
                raise ValueError("refused")
            return x

        return job

    results = await asyncio.gather(*(writer.run(insert(x)) for x in range(8)), return_exceptions=True)
    assert [r if not isinstance(r, ValueError) else "refused" for r in results] == [
        0, 1, 2, "refused", 4, 5, 6, 7
    ]  # fmt: skip
    rows = await writer.run(lambda conn: [x for (x,) in conn.execute("SELECT x FROM t ORDER BY x")])
    assert rows == [0, 1, 2, 4, 5, 6, 7]
    assert writer.groups < writer.jobs  # the concurrent jobs shared transactions
    await writer.aclose()
    with pytest.raises(WriterClosed):
        await writer.run(lambda conn: None)


async def test_a_post_as_one_job_keeps_the_relays_guarantees(
    settings: Settings,
    clock: ManualClock,
    admin: Actor,
    reporter: RawReporter,
    writer: SqliteWriter,
    code: str,
    client: httpx.AsyncClient,
) -> None:
    path = db_path(settings)
    conv = uuid.uuid4()
    first = seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"one")
    claim = device_claim(path, reporter, clock)
    created = await writer.run(post_job(post_input(path, reporter, clock, conv, first), claim))
    assert created.status is PostStatus.CREATED and (created.seq, created.cursor) == (1, 1)
    # The same nonce again: refused, nothing stored.
    again = post_input(
        path, reporter, clock, conv, seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"two")
    )
    with pytest.raises(Replayed):
        await writer.run(post_job(again, claim))
    second = await writer.run(post_job(again, device_claim(path, reporter, clock)))
    assert second.status is PostStatus.CREATED and (second.seq, second.cursor) == (2, 2)
    # The same msg_id and bytes: the original; other bytes: a conflict. seq and cursor given back.
    repeat = await writer.run(
        post_job(post_input(path, reporter, clock, conv, first), device_claim(path, reporter, clock))
    )
    assert repeat.status is PostStatus.REPEAT and repeat.stored_json() == created.stored_json()
    other = seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"other", msg_id=created.msg_id)
    conflict = await writer.run(
        post_job(post_input(path, reporter, clock, conv, other), device_claim(path, reporter, clock))
    )
    assert conflict.status is PostStatus.CONFLICT
    # The relay reads the rows as its own, in seq order with the bytes sent.
    listed = await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")
    assert [(m["seq"], m["cursor"]) for m in listed.json()["messages"]] == [(1, 1), (2, 2)]
    assert b64d(listed.json()["messages"][0]["envelope"]) == first
    synced = (await client.get("/v1/inbox/sync?limit=1000", headers=admin.headers)).json()
    assert [m["cursor"] for m in synced["messages"]] == [1, 2]
    # Another device's conversation is not found, and the nonce is kept (its replay is refused).
    intruder = RawReporter(client, clock, code)
    assert (await intruder.register()).status_code == 201
    stolen = device_claim(path, intruder, clock)
    bad = await writer.run(
        post_job(
            post_input(
                path, intruder, clock, conv, seal(conv, intruder.keys, [admin.device_keys.enc_pk], b"x")
            ),
            stolen,
        )
    )
    assert bad.status is PostStatus.NOT_FOUND
    with pytest.raises(Replayed):
        await writer.run(claim_job(stolen))
    # A deleted device (a stale cached key) stores nothing.
    fresh = uuid.uuid4()
    gone = post_input(
        path, intruder, clock, fresh, seal(fresh, intruder.keys, [admin.device_keys.enc_pk], b"y")
    )
    assert (await intruder.call("DELETE", "/v1/device")).status_code == 204
    with pytest.raises(DeviceGone):
        await writer.run(post_job(gone, device_claim_from(stolen)))


def device_claim_from(claim: NonceClaim) -> NonceClaim:
    return NonceClaim(
        claim.device_id, uuid.uuid4().hex[:22], claim.expires_at, claim.day, claim.org_code,
        claim.device_created_at,
    )  # fmt: skip


async def test_first_request_of_a_day_records_presence_once(
    settings: Settings, clock: ManualClock, reporter: RawReporter, writer: SqliteWriter
) -> None:
    path = db_path(settings)
    clock.advance(timedelta(days=1))
    for _ in range(3):
        await writer.run(claim_job(device_claim(path, reporter, clock)))
    with sqlite3.connect(path) as conn:
        days = conn.execute("SELECT bucket, day FROM stats_days ORDER BY bucket").fetchall()
        (seen,) = conn.execute(
            "SELECT last_seen FROM devices WHERE device_id = ?", (db_uuid(reporter.device_id),)
        ).fetchone()
    assert seen == clock.now().date().isoformat()
    today = clock.now().date()
    assert sorted(b for b, day in days if day == today.isoformat()) == sorted(
        b.name for b in buckets_of(today)
    )


async def test_concurrent_posts_get_distinct_cursors_and_gapless_seqs(
    settings: Settings,
    clock: ManualClock,
    admin: Actor,
    client: httpx.AsyncClient,
    code: str,
    writer: SqliteWriter,
) -> None:
    path = db_path(settings)
    reporters = [RawReporter(client, clock, code) for _ in range(4)]
    for device in reporters:
        assert (await device.register()).status_code == 201
    convs = {device.device_id: uuid.uuid4() for device in reporters}

    async def post(device: RawReporter) -> PostResult:
        conv = convs[device.device_id]
        envelope = seal(conv, device.keys, [admin.device_keys.enc_pk], b"m")
        return await writer.run(
            post_job(post_input(path, device, clock, conv, envelope), device_claim(path, device, clock))
        )

    results = await asyncio.gather(*(post(device) for _ in range(10) for device in reporters))
    assert len({r.cursor for r in results}) == 40
    for conv in convs.values():
        assert sorted(r.seq for r in results if r.conv_id == conv) == list(range(1, 11))
    synced = (await client.get("/v1/inbox/sync?limit=1000", headers=admin.headers)).json()
    assert sorted(m["cursor"] for m in synced["messages"]) == list(range(1, 41))


KILLED_WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from opgelucht_relay.services.sqlite_writer import SqliteWriter

    async def main() -> None:
        writer = SqliteWriter(sys.argv[1])
        writer.start()
        await writer.run(lambda c: c.execute("CREATE TABLE IF NOT EXISTS acked (n INTEGER PRIMARY KEY)"))
        async def one(n: int) -> None:
            await writer.run(lambda c: c.execute("INSERT INTO acked VALUES (?)", (n,)))
            print(n, flush=True)  # acknowledged: only after its COMMIT
        n = 0
        while True:
            await asyncio.gather(*(one(n + k) for k in range(16)))
            n += 16

    asyncio.run(main())
    """
)


def test_every_acknowledged_write_survives_a_kill(tmp_path: Path) -> None:
    """SIGKILL mid-run (no shutdown, no final checkpoint): each job answered before is in the file."""
    path = tmp_path / "killed.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    assert proc.stdout is not None
    acked = []
    for line in proc.stdout:
        acked.append(int(line))
        if len(acked) >= 2000:
            break
    proc.kill()
    proc.wait()
    with sqlite3.connect(path) as conn:
        stored = {n for (n,) in conn.execute("SELECT n FROM acked")}
    assert set(acked) <= stored
