"""The one-statement PostgreSQL post (services/pg_post.py, issue 12, not wired in yet) and the
device-key cache (services/device_keys.py), against the relay's schema and read back through the
relay's API."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from kit.actors import Actor
from kit.reporter import RawReporter, seal
from sqlalchemy.engine import make_url

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.services.device_auth import NONCE_TTL
from opgelucht_relay.services.device_keys import DeviceKey, DeviceKeyCache
from opgelucht_relay.services.messages import check_envelope
from opgelucht_relay.services.pg_post import PgPosted, SaltCache, post_device_message
from opgelucht_relay.services.retention import message_lifetime
from opgelucht_relay.services.stats_activity import buckets_of


@pytest.fixture
def backend() -> str:
    return "postgres"


@pytest.fixture
def dsn(settings: Settings, client: httpx.AsyncClient) -> str:
    """The test relay's database for raw asyncpg (``client``: the app has started and migrated)."""
    return make_url(settings.db_url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
async def pg(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(dsn)
    yield conn
    await conn.close()


async def post(
    pg: asyncpg.Connection, reporter: RawReporter, clock: ManualClock, conv: uuid.UUID, envelope: bytes,
    nonce: str | None = None,
) -> PgPosted:  # fmt: skip
    row = await pg.fetchrow("SELECT org_id, created_at FROM devices WHERE device_id = $1", reporter.device_id)
    assert row is not None
    now = clock.now()
    return await post_device_message(
        pg, SALTS, device_id=reporter.device_id, device_created_at=row["created_at"], org_id=row["org_id"],
        nonce=nonce or uuid.uuid4().hex[:22], nonce_expires=now + NONCE_TTL, conv_id=conv,
        msg_id=check_envelope(envelope, conv), envelope=envelope, now=now,
        expires_at=now + message_lifetime(31),
    )  # fmt: skip


SALTS = SaltCache()


@pytest.mark.postgres
async def test_one_statement_post_keeps_the_relays_guarantees(
    pg: asyncpg.Connection,
    dsn: str,
    clock: ManualClock,
    admin: Actor,
    reporter: RawReporter,
    client: httpx.AsyncClient,
    code: str,
) -> None:
    to = [admin.device_keys.enc_pk]
    conv = uuid.uuid4()
    first = await reporter.post(conv, seal(conv, reporter.keys, to, b"one"))  # creates the conversation
    assert first.status_code == 201
    events: list[str] = []
    await pg.add_listener("opg_live_events", lambda *args: events.append(str(args[3])))
    other = await asyncpg.connect(dsn)
    try:
        envelope = seal(conv, reporter.keys, to, b"two", seq=2)
        stored = await post(other, reporter, clock, conv, envelope, nonce="n" * 22)
        assert stored.claimed and stored.stored and (stored.seq, stored.cursor) == (2, 2)
        # A replay stores nothing.
        replay = await post(other, reporter, clock, conv, seal(conv, reporter.keys, to, b"x"), nonce="n" * 22)
        assert not replay.claimed and not replay.stored
        # The same msg_id again: no seq, no cursor taken (the caller answers as messages.repost).
        again = await post(other, reporter, clock, conv, envelope)
        assert again.claimed and again.taken and not again.stored
        # Another device's conversation: nothing but the nonce (the caller takes today's path: 404).
        intruder = RawReporter(client, clock, code)
        assert (await intruder.register()).status_code == 201
        foreign = await post(other, intruder, clock, conv, seal(conv, intruder.keys, to, b"y"))
        assert foreign.claimed and not foreign.taken and not foreign.stored
        # The first request of a day records the day's presence in the same statement.
        await other.execute(
            "UPDATE devices SET last_seen = last_seen - 1 WHERE device_id = $1", reporter.device_id
        )
        await other.execute("DELETE FROM stats_devices")  # and their days (cascade): a new bucket
        third = await post(other, reporter, clock, conv, seal(conv, reporter.keys, to, b"three", seq=3))
        assert (third.seq, third.cursor) == (3, 3)
        today = clock.now().date()
        days = await other.fetch("SELECT bucket FROM stats_days WHERE day = $1", today)
        assert sorted(r["bucket"] for r in days) == sorted(b.name for b in buckets_of(today))
        seen = await other.fetchval("SELECT last_seen FROM devices WHERE device_id = $1", reporter.device_id)
        assert seen == today
        # A deleted device (a stale cached key) stores nothing: the nonce's foreign key fails.
        gone_conv = uuid.uuid4()
        assert (await intruder.post(gone_conv, seal(gone_conv, intruder.keys, to, b"z"))).status_code == 201
        created = await other.fetchval(
            "SELECT created_at FROM devices WHERE device_id = $1", intruder.device_id
        )
        org = await other.fetchval("SELECT org_id FROM devices WHERE device_id = $1", intruder.device_id)
        assert (await intruder.call("DELETE", "/v1/device")).status_code == 204
        late = seal(gone_conv, intruder.keys, to, b"late", seq=2)
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await post_device_message(
                other, SALTS, device_id=intruder.device_id, device_created_at=created, org_id=org,
                nonce="m" * 22, nonce_expires=clock.now() + NONCE_TTL, conv_id=gone_conv,
                msg_id=check_envelope(late, gone_conv), envelope=late, now=clock.now(),
                expires_at=clock.now() + message_lifetime(31),
            )  # fmt: skip
    finally:
        await other.close()
    for _ in range(50):
        if len(events) >= 3:
            break
        await asyncio.sleep(0.02)
    ours = [json.loads(e)["event"] for e in events]
    assert [e["seq"] for e in ours if e["conv_id"] == str(conv)] == [2, 3]  # only what was stored
    listed = await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")
    assert [(m["seq"], m["cursor"]) for m in listed.json()["messages"]] == [(1, 1), (2, 2), (3, 3)]
    synced = (await client.get("/v1/inbox/sync?limit=1000", headers=admin.headers)).json()
    assert [m["cursor"] for m in synced["messages"]] == [1, 2, 3]


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


async def test_device_key_cache_hits_expires_and_forgets() -> None:
    """Runs once per backend parameter of this module; it needs no database."""
    loads: list[uuid.UUID] = []
    known = {uuid.uuid4(): uuid.uuid4() for _ in range(3)}  # device -> org

    async def load(device_id: uuid.UUID) -> DeviceKey | None:
        loads.append(device_id)
        org = known.get(device_id)
        if org is None:
            return None
        return DeviceKey(device_id, org, "CODE", b"k" * 32, datetime(2026, 1, 1, tzinfo=UTC))

    clock = FakeClock()
    cache = DeviceKeyCache(load, ttl=60, max_entries=2, clock=clock)
    a, b, c = list(known)
    assert (await cache.get(a)) is not None and (await cache.get(a)) is not None
    assert loads == [a] and cache.hits == 1
    unknown = uuid.uuid4()
    assert await cache.get(unknown) is None and await cache.get(unknown) is None
    assert loads.count(unknown) == 2 and len(cache) == 1  # an unknown id is never cached
    await cache.get(b)
    await cache.get(c)  # over max_entries: the least recently used (a) goes
    assert len(cache) == 2
    await cache.get(a)
    assert loads.count(a) == 2
    cache.forget(a)
    await cache.get(a)
    assert loads.count(a) == 3
    clock.t = 61  # expired: read again
    await cache.get(a)
    assert loads.count(a) == 4
    cache.forget_org(known[a])
    cache.forget_code("CODE")
    assert len(cache) == 0
