"""Group commit of posts on PostgreSQL (services/pg_writer.py, issue 12) through the relay's API.

Each test makes a batch deterministic: another connection holds the org's cursor row, a first post
("pilot") waits for it in its batch, the posts under test queue up behind it, and releasing the row lets
them go as ONE batch (the writer's statistics prove it). What a user would notice is asserted: the
answers (201 / 200 / 401 / 409 / 503), what the device and the inbox read back, and the live events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from kit.actors import Actor
from kit.reporter import RawReporter, seal
from sqlalchemy.engine import make_url

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.services.messages import check_envelope
from opgelucht_relay.services.pg_writer import PgPost, PgWriter, Status

pytestmark = pytest.mark.postgres
Call = Callable[[], Coroutine[Any, Any, httpx.Response]]


@pytest.fixture
def backend() -> str:
    return "postgres"


@pytest.fixture
async def pg(settings: Settings, client: httpx.AsyncClient) -> AsyncIterator[asyncpg.Connection]:
    """A raw connection to the test relay's database (``client``: the app has started and migrated)."""
    dsn = make_url(settings.db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    yield conn
    await conn.close()


@pytest.fixture
async def other(settings: Settings, client: httpx.AsyncClient) -> AsyncIterator[asyncpg.Connection]:
    dsn = make_url(settings.db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    yield conn
    await conn.close()


async def devices(client: httpx.AsyncClient, clock: ManualClock, code: str, n: int) -> list[RawReporter]:
    found = []
    for _ in range(n):
        device = RawReporter(client, clock, code)
        assert (await device.register()).status_code == 201
        found.append(device)
    return found


async def opened(device: RawReporter, to: list[bytes]) -> uuid.UUID:
    """The device's conversation, created by its first post (the SQLAlchemy path) with seq 1."""
    conv = uuid.uuid4()
    response = await device.post(conv, seal(conv, device.keys, to, b"first"))
    assert response.status_code == 201, response.text
    return conv


def writer(ctx: AppContext) -> PgWriter:
    assert isinstance(ctx.pg_writer, PgWriter)
    return ctx.pg_writer


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(1000):
        if await condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


async def lock_waiter(pg: asyncpg.Connection, *exclude: int) -> int:
    """The pid of the relay backend waiting for a row lock."""
    pids: list[int] = []

    async def waiting() -> bool:
        rows = await pg.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        pids[:] = [int(r["pid"]) for r in rows if int(r["pid"]) not in exclude]
        return bool(pids)

    await until(waiting, "a post batch to wait for a row lock")
    return pids[0]


@contextlib.asynccontextmanager
async def cursor_held(other: asyncpg.Connection, org_id: uuid.UUID) -> AsyncIterator[None]:
    """The org's cursor row locked by another transaction until the block ends (then rolled back)."""
    transaction = other.transaction()
    await transaction.start()
    try:
        assert await other.fetchval("SELECT 1 FROM org_cursors WHERE org_id = $1 FOR UPDATE", org_id) == 1
        yield
    finally:
        await transaction.rollback()


async def one_batch(
    ctx: AppContext,
    pg: asyncpg.Connection,
    other: asyncpg.Connection,
    org_id: uuid.UUID,
    pilot: Call,
    calls: list[Call],
    batch: int | None = None,
) -> tuple[httpx.Response, list[httpx.Response]]:
    """Run ``calls`` queued behind ``pilot``'s batch, which waits for the held cursor row: they go as
    one batch of ``batch`` posts (default: all; a repeated nonce or msg_id waits for the next one)."""
    async with cursor_held(other, org_id):
        first = asyncio.create_task(pilot())
        await lock_waiter(pg, other.get_server_pid())
        tasks = [asyncio.create_task(call()) for call in calls]

        async def queued() -> bool:
            return writer(ctx).queued == len(calls)

        await until(queued, "the posts to queue behind the pilot")
    answers = await asyncio.gather(first, *tasks)
    size = len(calls) if batch is None else batch
    assert writer(ctx).stats.sizes.get(size, 0) >= 1, writer(ctx).stats.sizes  # really one batch
    return answers[0], list(answers[1:])


def body_of(envelope: bytes) -> bytes:
    return json.dumps({"envelope": b64e(envelope)}).encode()


def signed_call(device: RawReporter, conv: uuid.UUID, envelope: bytes) -> tuple[Call, dict[str, str]]:
    """A post whose signed headers (and so nonce) are fixed: calling it twice is a replay."""
    path = f"/v1/device/conversations/{conv}/messages"
    body = body_of(envelope)
    headers = {**device.sign("POST", path, body), "Content-Type": "application/json"}

    async def call() -> httpx.Response:
        return await device.client.post(path, content=body, headers=headers)

    return call, headers


def post_call(device: RawReporter, conv: uuid.UUID, envelope: bytes) -> Call:
    async def call() -> httpx.Response:
        return await device.post(conv, envelope)

    return call


async def org_of(pg: asyncpg.Connection, device: RawReporter) -> uuid.UUID:
    org_id = await pg.fetchval("SELECT org_id FROM devices WHERE device_id = $1", device.device_id)
    assert isinstance(org_id, uuid.UUID)
    return org_id


async def listed(device: RawReporter, conv: uuid.UUID) -> list[dict[str, Any]]:
    response = await device.call("GET", f"/v1/device/conversations/{conv}/messages")
    assert response.status_code == 200
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


async def test_concurrent_posts_of_one_org_commit_as_one_batch_in_cursor_order(
    ctx: AppContext,
    pg: asyncpg.Connection,
    other: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
) -> None:
    to = [admin.device_keys.enc_pk]
    posters = await devices(client, clock, code, 6)
    convs = [await opened(device, to) for device in posters]
    org_id = await org_of(pg, posters[0])
    events: list[dict[str, Any]] = []
    await pg.add_listener("opg_live_events", lambda *args: events.append(json.loads(args[3])["event"]))
    calls = [
        post_call(device, conv, seal(conv, device.keys, to, b"x", seq=n))
        for n in range(2, 7)
        for device, conv in zip(posters, convs, strict=True)
    ]
    pilot_conv = convs[0]
    pilot_call = post_call(posters[0], pilot_conv, seal(pilot_conv, posters[0].keys, to, b"p"))
    pilot, answers = await one_batch(ctx, pg, other, org_id, pilot_call, calls)
    assert pilot.status_code == 201
    assert [a.status_code for a in answers] == [201] * len(calls), [a.text for a in answers]
    cursors = sorted(a.json()["cursor"] for a in answers)
    first_cursor = pilot.json()["cursor"] + 1
    assert cursors == list(range(first_cursor, first_cursor + len(calls)))  # distinct, consecutive
    for device, conv in zip(posters, convs, strict=True):
        seqs = [m["seq"] for m in await listed(device, conv)]
        expected = 7 if conv == pilot_conv else 6
        assert seqs == list(range(1, expected + 1))  # per conversation, no gap, no double
    # The inbox syncs every message, in cursor order.
    synced = (await client.get("/v1/inbox/sync?limit=1000", headers=admin.headers)).json()
    assert [m["cursor"] for m in synced["messages"]] == list(range(1, first_cursor + len(calls)))

    # The live events arrive in cursor (= commit) order, one for each stored post.
    async def all_events() -> bool:
        return len(events) >= len(calls) + 1

    await until(all_events, "the live events")
    assert [e["cursor"] for e in events] == list(range(first_cursor - 1, first_cursor + len(calls)))
    by_cursor = {a.json()["cursor"]: a.json() for a in answers}
    for event in events[1:]:
        answer = by_cursor[event["cursor"]]
        assert (event["conv_id"], event["seq"]) == (answer["conv_id"], answer["seq"])


async def test_a_replayed_nonce_or_repeated_msg_id_in_a_batch_is_answered_alone(
    ctx: AppContext,
    pg: asyncpg.Connection,
    other: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
) -> None:
    to = [admin.device_keys.enc_pk]
    alice, bob, carol = await devices(client, clock, code, 3)
    a_conv, b_conv, c_conv = [await opened(d, to) for d in (alice, bob, carol)]
    org_id = await org_of(pg, alice)
    # A request that was stored before: its replay inside the batch is refused.
    stored_before, _ = signed_call(carol, c_conv, seal(c_conv, carol.keys, to, b"old", seq=2))
    assert (await stored_before()).status_code == 201
    # Bob's same signed request twice in the batch: the second is a replay.
    twice, _ = signed_call(bob, b_conv, seal(b_conv, bob.keys, to, b"twice", seq=2))
    # Alice's same message (same msg_id and bytes) in two requests, and once with other bytes.
    msg_id = uuid.uuid4()
    same = seal(a_conv, alice.keys, to, b"same", seq=2, msg_id=msg_id)
    clash = seal(a_conv, alice.keys, to, b"clash", seq=2, msg_id=msg_id)
    calls = [
        post_call(alice, a_conv, same),
        twice,
        stored_before,
        post_call(alice, a_conv, same),
        twice,
        post_call(alice, a_conv, clash),
        post_call(carol, c_conv, seal(c_conv, carol.keys, to, b"new", seq=3)),
    ]
    pilot_call = post_call(bob, b_conv, seal(b_conv, bob.keys, to, b"p", seq=2))
    # One batch of the four distinct ones (Carol's replay refused in it while the others store); the
    # repeated nonce and msg_ids follow in the next batches and see the first's outcome.
    pilot, answers = await one_batch(ctx, pg, other, org_id, pilot_call, calls, batch=4)
    assert pilot.status_code == 201
    status = [a.status_code for a in answers]
    assert status == [201, 201, 401, 200, 401, 409, 201], [a.text for a in answers]
    assert answers[2].json()["error"]["code"] == "replayed_request"
    assert answers[4].json()["error"]["code"] == "replayed_request"
    assert answers[3].json() == answers[0].json()  # the original's answer, byte for byte the same row
    assert [m["seq"] for m in await listed(alice, a_conv)] == [1, 2]
    assert [m["seq"] for m in await listed(bob, b_conv)] == [1, 2, 3]
    assert [m["seq"] for m in await listed(carol, c_conv)] == [1, 2, 3]
    synced = (await client.get("/v1/inbox/sync?limit=1000", headers=admin.headers)).json()
    cursors = [m["cursor"] for m in synced["messages"]]
    assert cursors == list(range(1, len(cursors) + 1))  # no cursor taken by a refused post


async def test_a_device_deleted_mid_batch_stores_nothing_and_the_others_store(
    ctx: AppContext,
    pg: asyncpg.Connection,
    other: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
    settings: Settings,
) -> None:
    to = [admin.device_keys.enc_pk]
    alice, bob = await devices(client, clock, code, 2)
    a_conv, b_conv = await opened(alice, to), await opened(bob, to)
    org_id = await org_of(pg, alice)
    dsn = make_url(settings.db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    deleter = await asyncpg.connect(dsn)
    try:
        calls = [
            post_call(alice, a_conv, seal(a_conv, alice.keys, to, b"a", seq=3)),
            post_call(bob, b_conv, seal(b_conv, bob.keys, to, b"b", seq=2)),
        ]
        async with cursor_held(other, org_id):
            first = asyncio.create_task(post_call(alice, a_conv, seal(a_conv, alice.keys, to, b"p", seq=2))())
            await lock_waiter(pg, other.get_server_pid())
            tasks = [asyncio.create_task(call()) for call in calls]

            async def queued() -> bool:
                return writer(ctx).queued == len(calls)

            await until(queued, "the posts to queue")
            # Bob's device is deleted by another relay process (its key stays in this one's cache),
            # not yet committed when the batch reaches it.
            deletion = deleter.transaction()
            await deletion.start()
            await deleter.execute("DELETE FROM devices WHERE device_id = $1", bob.device_id)
        assert (await first).status_code == 201
        # The batch waits for Bob's row.
        await lock_waiter(pg, other.get_server_pid(), deleter.get_server_pid())
        await deletion.commit()
        a_answer, b_answer = await asyncio.gather(*tasks)
    finally:
        await deleter.close()
    assert a_answer.status_code == 201 and a_answer.json()["seq"] == 3
    assert b_answer.status_code == 401 and b_answer.json()["error"]["code"] == "bad_signature"
    assert writer(ctx).stats.sizes.get(2, 0) >= 1
    assert await pg.fetchval("SELECT count(*) FROM request_nonces WHERE device_id = $1", bob.device_id) == 0
    assert await pg.fetchval("SELECT count(*) FROM messages WHERE conv_id = $1", b_conv) == 0
    assert [m["seq"] for m in await listed(alice, a_conv)] == [1, 2, 3]


async def test_a_dropped_connection_mid_batch_is_a_503_with_nothing_stored(
    ctx: AppContext,
    pg: asyncpg.Connection,
    other: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
) -> None:
    to = [admin.device_keys.enc_pk]
    (alice,) = await devices(client, clock, code, 1)
    conv = await opened(alice, to)
    org_id = await org_of(pg, alice)
    before = await pg.fetchrow(
        "SELECT (SELECT last_cursor FROM org_cursors WHERE org_id = $1) AS cursor,"
        " (SELECT count(*) FROM request_nonces WHERE device_id = $2) AS nonces",
        org_id, alice.device_id,
    )  # fmt: skip
    lost, _ = signed_call(alice, conv, seal(conv, alice.keys, to, b"lost", seq=2))
    async with cursor_held(other, org_id):
        task = asyncio.create_task(lost())
        backend = await lock_waiter(pg, other.get_server_pid())  # the batch's transaction, mid-way
        await pg.execute("SELECT pg_terminate_backend($1)", backend)
        answer = await task
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "unavailable"
    after = await pg.fetchrow(
        "SELECT (SELECT last_cursor FROM org_cursors WHERE org_id = $1) AS cursor,"
        " (SELECT count(*) FROM request_nonces WHERE device_id = $2) AS nonces",
        org_id, alice.device_id,
    )  # fmt: skip
    assert after == before  # nothing half-stored: no nonce, no cursor
    assert [m["seq"] for m in await listed(alice, conv)] == [1]
    # The app sends the same request again: the pool has a new connection, and the post is stored
    # with the next seq and cursor (no gap).
    again = await lost()
    assert again.status_code == 201, again.text
    assert (again.json()["seq"], again.json()["cursor"]) == (2, before["cursor"] + 1)


async def test_counsellor_replies_and_notes_share_the_batch_with_device_posts(
    ctx: AppContext,
    pg: asyncpg.Connection,
    other: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
) -> None:
    to = [admin.device_keys.enc_pk]
    (alice,) = await devices(client, clock, code, 1)
    conv = await opened(alice, to)
    org_id = await org_of(pg, alice)

    def counsellor(suffix: str, text: bytes) -> Call:
        envelope = seal(conv, admin.device_keys, [admin.device_keys.enc_pk, alice.keys.enc_pk], text)

        async def call() -> httpx.Response:
            path = f"/v1/inbox/conversations/{conv}/{suffix}"
            return await client.post(path, json={"envelope": b64e(envelope)}, headers=admin.headers)

        return call

    repeated = counsellor("messages", b"twice")
    calls = [
        counsellor("messages", b"r1"),
        post_call(alice, conv, seal(conv, alice.keys, to, b"d1", seq=3)),
        counsellor("notes", b"n1"),
        repeated,
        counsellor("notes", b"n2"),
        repeated,
    ]
    pilot_call = post_call(alice, conv, seal(conv, alice.keys, to, b"p", seq=2))
    pilot, answers = await one_batch(ctx, pg, other, org_id, pilot_call, calls, batch=5)
    assert pilot.status_code == 201
    assert [a.status_code for a in answers] == [201] * len(calls), [a.text for a in answers]
    assert answers[5].json() == answers[3].json()  # the same reply again: the original's row
    query = "SELECT channel, seq, cursor FROM messages WHERE conv_id = $1 ORDER BY cursor"
    rows = await pg.fetch(query, conv)
    chat = [r["seq"] for r in rows if r["channel"] == "chat"]
    staff = [r["seq"] for r in rows if r["channel"] == "staff"]
    assert chat == [1, 2, 3, 4, 5] and staff == [1, 2]  # each channel numbered without gaps
    assert [r["cursor"] for r in rows] == list(range(1, len(rows) + 1))
    assert [m["seq"] for m in await listed(alice, conv)] == [1, 2, 3, 4, 5]  # the device sees no note


async def test_a_copy_committed_by_another_process_mid_batch_is_answered_as_the_original(
    ctx: AppContext,
    pg: asyncpg.Connection,
    other: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
) -> None:
    """Another relay process stores the same message while the batch waits for the conversation: the
    batch's INSERT meets the copy, the batch runs again and answers 200 with the copy's row."""
    to = [admin.device_keys.enc_pk]
    (alice,) = await devices(client, clock, code, 1)
    conv = await opened(alice, to)
    org_id = await org_of(pg, alice)
    envelope = seal(conv, alice.keys, to, b"copy", seq=2)
    retries = writer(ctx).stats.retries
    copy = other.transaction()
    await copy.start()
    try:  # the other process's post, in flight: seq, cursor and the message, not committed yet
        seq = await other.fetchval(
            "UPDATE conversations SET last_seq = last_seq + 1 WHERE conv_id = $1 RETURNING last_seq", conv
        )
        cursor = await other.fetchval(
            "UPDATE org_cursors SET last_cursor = last_cursor + 1 WHERE org_id = $1 RETURNING last_cursor",
            org_id,
        )
        await other.execute(
            "INSERT INTO messages (org_id, conv_id, cursor, channel, seq, msg_id, envelope, stored_at,"
            " expires_at) VALUES ($1, $2, $3, 'chat', $4, $5, $6, now(), now() + interval '30 days')",
            org_id, conv, cursor, seq, check_envelope(envelope, conv), envelope,
        )  # fmt: skip
        task = asyncio.create_task(alice.post(conv, envelope))
        await lock_waiter(pg, other.get_server_pid())
    finally:
        await copy.commit()
    answer = await task
    assert answer.status_code == 200, answer.text
    assert (answer.json()["seq"], answer.json()["cursor"]) == (seq, cursor)
    assert writer(ctx).stats.retries > retries  # the batch met the copy and ran again
    assert [m["seq"] for m in await listed(alice, conv)] == [1, 2]
    # Nothing of the first attempt was kept: the next post takes the next seq and cursor.
    after = await alice.post(conv, seal(conv, alice.keys, to, b"next", seq=3))
    assert (after.json()["seq"], after.json()["cursor"]) == (3, cursor + 1)


async def test_a_conversation_deleted_mid_batch_keeps_nothing_and_the_others_store(
    ctx: AppContext,
    pg: asyncpg.Connection,
    other: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
) -> None:
    """The batch read a conversation that is deleted before it locks it: the batch's guard rolls it
    back, it runs again: the counsellor's reply to the deleted conversation is a 404, the device's
    post to its own stores, and no cursor is skipped."""
    to = [admin.device_keys.enc_pk]
    alice, bob = await devices(client, clock, code, 2)
    a_conv, b_conv = await opened(alice, to), await opened(bob, to)
    org_id = await org_of(pg, alice)
    reply = seal(b_conv, admin.device_keys, to, b"to a deleted conversation")
    deletion = other.transaction()
    await deletion.start()
    try:
        await other.execute("DELETE FROM conversations WHERE conv_id = $1", b_conv)
        tasks = [
            asyncio.create_task(
                client.post(
                    f"/v1/inbox/conversations/{b_conv}/messages",
                    json={"envelope": b64e(reply)},
                    headers=admin.headers,
                )
            ),
            asyncio.create_task(alice.post(a_conv, seal(a_conv, alice.keys, to, b"a", seq=2))),
        ]
        await lock_waiter(pg, other.get_server_pid())
    finally:
        await deletion.commit()
    b_answer, a_answer = await asyncio.gather(*tasks)
    assert writer(ctx).stats.retries >= 1  # the guard rolled the first attempt back
    assert b_answer.status_code == 404, b_answer.text
    assert a_answer.status_code == 201, a_answer.text
    cursors = await pg.fetch("SELECT cursor FROM messages WHERE org_id = $1 ORDER BY cursor", org_id)
    last = await pg.fetchval("SELECT last_cursor FROM org_cursors WHERE org_id = $1", org_id)
    assert a_answer.json()["cursor"] == last  # no cursor taken by the rolled-back attempt
    assert [m["seq"] for m in await listed(alice, a_conv)] == [1, 2]
    assert len(cursors) == 2  # Alice's two; Bob's conversation and its first message are gone


async def test_two_batches_in_flight_keep_seq_and_cursor_order(
    ctx: AppContext,
    pg: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
) -> None:
    """``in_flight=2``: two batches of one process at once take turns on the rows like two processes;
    repeated msg_ids across the two are answered as the original (the second meets the first's row)."""
    to = [admin.device_keys.enc_pk]
    posters = await devices(client, clock, code, 3)
    convs = [await opened(device, to) for device in posters]
    assert ctx.pg_pool is not None
    ctx.pg_writer = PgWriter(ctx.pg_pool, ctx.salts, in_flight=2)
    envelopes = [
        (device, conv, seal(conv, device.keys, to, b"x", seq=n))
        for n in range(2, 12)
        for device, conv in zip(posters, convs, strict=True)
    ]
    calls = [post_call(d, c, e) for d, c, e in envelopes] + [post_call(d, c, e) for d, c, e in envelopes[::5]]
    answers = await asyncio.gather(*(call() for call in calls))
    assert sorted(a.status_code for a in answers) == [200] * len(envelopes[::5]) + [201] * len(envelopes)
    created = sorted(a.json()["cursor"] for a in answers if a.status_code == 201)
    assert created == list(range(created[0], created[0] + len(envelopes)))
    for device, conv in zip(posters, convs, strict=True):
        assert [m["seq"] for m in await listed(device, conv)] == list(range(1, 12))


@pytest.mark.timeout(20)
async def test_a_post_sent_the_moment_the_previous_one_is_answered_is_not_left_waiting(
    ctx: AppContext,
    pg: asyncpg.Connection,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
) -> None:
    """The writer's batch task ends right after answering; a post queued by the woken caller before the
    task has ended must start a new batch (it once waited forever)."""
    (alice,) = await devices(client, clock, code, 1)
    conv = await opened(alice, [admin.device_keys.enc_pk])
    org_id = await org_of(pg, alice)
    now = clock.now()
    for n in range(5):
        note = seal(conv, admin.device_keys, [admin.device_keys.enc_pk], b"note %d" % n)
        post = PgPost(org_id, conv, check_envelope(note, conv), note, "staff", now, now + timedelta(days=1))
        out = await writer(ctx).post(post)  # awaited directly: resumes before the batch task ends
        assert (out.status, out.seq) == (Status.STORED, n + 1)
