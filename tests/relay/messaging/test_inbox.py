"""Counsellor inbox, live events, retention, usage counts, stats and feedback on both backends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor, create_org_with_admin, enrol_admin, login, new_code
from kit.relay import served
from kit.reporter import RawReporter, seal
from kit.sse import next_event, wait_ready
from sqlalchemy.engine import make_url

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.envelope import open_message
from opgelucht_desk.protocol.rewrap import make_rewrap
from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.jobs import run_job


async def test_sync_reply_and_notes(
    admin: Actor, reporter: RawReporter, client: httpx.AsyncClient, ctx: AppContext
) -> None:
    conv = uuid.uuid4()
    recipients = [admin.device_keys.enc_pk, reporter.keys.enc_pk]
    assert (await reporter.post(conv, seal(conv, reporter.keys, recipients, b"report"))).status_code == 201
    synced = (await client.get("/v1/inbox/sync", headers=admin.headers)).json()
    assert [m["conv_id"] for m in synced["messages"]] == [str(conv)]
    assert synced["more"] is False
    opened = open_message(
        __import__("base64").b64decode(synced["messages"][0]["envelope"]),
        keys=admin.device_keys,
        expected_conv_id=conv,
    )
    assert opened.payload == b"report"
    reply = seal(conv, admin.device_keys, recipients, b"answer")
    posted = await client.post(
        f"/v1/inbox/conversations/{conv}/messages", json={"envelope": b64e(reply)}, headers=admin.headers
    )
    assert posted.status_code == 201
    note = seal(conv, admin.device_keys, [admin.device_keys.enc_pk], b"private note")
    noted = await client.post(
        f"/v1/inbox/conversations/{conv}/notes", json={"envelope": b64e(note)}, headers=admin.headers
    )
    assert noted.status_code == 201
    seen_by_device = (await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")).json()[
        "messages"
    ]
    assert [m["channel"] for m in seen_by_device] == ["chat", "chat"]
    assert [m["seq"] for m in seen_by_device] == [1, 2]  # no gap where the note is
    later = (await client.get(f"/v1/inbox/sync?after={synced['cursor']}", headers=admin.headers)).json()
    assert [m["channel"] for m in later["messages"]] == ["chat", "staff"]
    cursors = [m["cursor"] for m in later["messages"]]
    assert cursors == sorted(cursors) and cursors[0] > synced["cursor"]
    listed = (await client.get("/v1/inbox/conversations", headers=admin.headers)).json()["conversations"]
    assert [c["conv_id"] for c in listed] == [str(conv)]
    metrics = ctx.metrics.render().decode()  # what the metrics listener serves
    assert 'opg_messages_stored_total{channel="chat",sender="device"} 1.0' in metrics
    assert 'opg_messages_stored_total{channel="staff",sender="counsellor"} 1.0' in metrics
    assert str(conv) not in metrics
    # a reply to an unknown conversation is not stored
    unknown = uuid.uuid4()
    stray = seal(unknown, admin.device_keys, recipients, b"x")
    response = await client.post(
        f"/v1/inbox/conversations/{unknown}/messages", json={"envelope": b64e(stray)}, headers=admin.headers
    )
    assert response.status_code == 404


async def test_sync_pages_by_cursor(admin: Actor, reporter: RawReporter, client: httpx.AsyncClient) -> None:
    for _ in range(5):
        conv = uuid.uuid4()
        assert (
            await reporter.post(conv, seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x"))
        ).status_code == 201
    seen: list[int] = []
    cursor, more = 0, True
    while more:
        page = (await client.get(f"/v1/inbox/sync?after={cursor}&limit=2", headers=admin.headers)).json()
        seen += [m["cursor"] for m in page["messages"]]
        cursor, more = page["cursor"], page["more"]
    assert seen == sorted(seen) and len(seen) == 5


async def test_other_org_sees_nothing_and_cannot_post(
    admin: Actor, reporter: RawReporter, client: httpx.AsyncClient, ctx: AppContext, clock: ManualClock
) -> None:
    conv = uuid.uuid4()
    assert (
        await reporter.post(conv, seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x"))
    ).status_code == 201
    org_id, invitation = await create_org_with_admin(ctx, "Andere Organisatie")
    other = await enrol_admin(client, clock, org_id, invitation, username="otheradmin")
    assert (await client.get("/v1/inbox/sync", headers=other.headers)).json()["messages"] == []
    assert (await client.get("/v1/inbox/conversations", headers=other.headers)).json()["conversations"] == []
    intrusion = seal(conv, other.device_keys, [other.device_keys.enc_pk], b"x")
    for suffix in ("messages", "notes"):
        response = await client.post(
            f"/v1/inbox/conversations/{conv}/{suffix}",
            json={"envelope": b64e(intrusion)},
            headers=other.headers,
        )
        assert response.status_code == 404
    # a device of the other org cannot touch the conversation either
    other_code = await new_code(client, other)
    device = RawReporter(client, clock, other_code)
    assert (await device.register()).status_code == 201
    assert (await device.call("GET", f"/v1/device/conversations/{conv}/messages")).status_code == 404
    # nor can the other org attach key wraps to it (the ids are right, the org is not)
    msg_id = (await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")).json()["messages"][0][
        "msg_id"
    ]
    record = make_rewrap(
        conv_id=conv, msg_id=uuid.UUID(msg_id), content_key=bytes(32),
        target_enc_pk=other.device_keys.enc_pk, signer=other.device_keys,
    )  # fmt: skip
    item = {
        "conv_id": str(conv), "msg_id": msg_id, "key_id": b64e(record.key_id),
        "wrap": b64e(record.wrap), "record": b64e(record.to_bytes()),
    }  # fmt: skip
    assert (
        await client.post("/v1/inbox/wraps", json={"wraps": [item]}, headers=other.headers)
    ).status_code == 404


async def test_revoked_code_refuses_new_devices_and_events(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str
) -> None:
    early = RawReporter(client, clock, code)
    assert (await early.register()).status_code == 201
    assert (await client.delete(f"/v1/org/codes/{code}", headers=admin.headers)).status_code == 204
    late = await RawReporter(client, clock, code).register()
    assert late.status_code == 410 and late.json()["error"]["code"] == "gone"
    events = {"org_code": code, "events": [{"kind": "screen", "item": "home", "count": 1}]}
    assert (await early.call("POST", "/v1/events", events)).status_code == 410


async def test_extra_wraps_reach_only_the_addressed_device(
    admin: Actor, reporter: RawReporter, client: httpx.AsyncClient
) -> None:
    conv = uuid.uuid4()
    envelope = seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"old thread")
    stored = (await reporter.post(conv, envelope)).json()
    content_key = open_message(envelope, keys=admin.device_keys, expected_conv_id=conv).content_key
    record = make_rewrap(
        conv_id=conv,
        msg_id=uuid.UUID(stored["msg_id"]),
        content_key=content_key,
        target_enc_pk=admin.device_keys.enc_pk,
        signer=admin.device_keys,
    )
    item = {
        "conv_id": str(conv),
        "msg_id": stored["msg_id"],
        "key_id": b64e(record.key_id),
        "wrap": b64e(record.wrap),
        "record": b64e(record.to_bytes()),
    }
    posted = await client.post("/v1/inbox/wraps", json={"wraps": [item]}, headers=admin.headers)
    assert posted.status_code == 201, posted.text
    synced = (await client.get("/v1/inbox/sync", headers=admin.headers)).json()
    assert [w["msg_id"] for w in synced["wraps"]] == [stored["msg_id"]]
    forged = dict(item, record=b64e(record.to_bytes()[:-1] + bytes([record.to_bytes()[-1] ^ 1])))
    refused = await client.post("/v1/inbox/wraps", json={"wraps": [forged]}, headers=admin.headers)
    assert refused.status_code == 400


async def test_retention_after_31_days_by_clock_travel(
    admin: Actor, reporter: RawReporter, client: httpx.AsyncClient, clock: ManualClock, ctx: AppContext
) -> None:
    conv = uuid.uuid4()
    assert (
        await reporter.post(conv, seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x"))
    ).status_code == 201
    clock.advance(days=31, seconds=-601)
    listed = await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")
    assert len(listed.json()["messages"]) == 1  # still readable just before its lifetime ends
    clock.advance(seconds=1)
    admin.token = (await login(client, clock, admin)).json()["token"]  # moves the clock 30 s on
    # refused at read time before the job ran
    assert (await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")).json()["messages"] == []
    assert (await client.get("/v1/inbox/sync", headers=admin.headers)).json()["messages"] == []
    assert (await client.get("/v1/inbox/conversations", headers=admin.headers)).json()["conversations"] == []
    assert (await reporter.call("GET", "/v1/device/conversations")).json()["conversations"] == []
    await run_job(ctx, "retention")
    from sqlalchemy import func, select

    from opgelucht_relay.models.messaging import Conversation, Message

    async with ctx.db.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Message)) == 0
        assert await db.scalar(select(func.count()).select_from(Conversation)) == 0


async def test_idle_devices_are_purged_with_their_data(
    admin: Actor, reporter: RawReporter, clock: ManualClock, ctx: AppContext
) -> None:
    conv = uuid.uuid4()
    assert (
        await reporter.post(conv, seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x"))
    ).status_code == 201
    clock.advance(days=ctx.settings.device_idle_purge_days + 1)
    await run_job(ctx, "retention")
    assert (await reporter.call("GET", "/v1/device/conversations")).status_code == 401


async def test_usage_events_are_validated_and_stats_wait_for_the_period_to_end(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, reporter: RawReporter, code: str
) -> None:
    """Exact figures, suppression and the Sybil defence: tests/relay/messaging/test_stats_insider.py."""
    batch = {"org_code": code, "events": [{"kind": "topic", "item": "pesten", "count": 3}] * 3}
    accepted = await reporter.call("POST", "/v1/events", batch)
    assert accepted.status_code == 202 and accepted.json() == {"accepted": 3}
    bad_kind = {"org_code": code, "events": [{"kind": "x", "item": "y", "count": 1}]}
    assert (await reporter.call("POST", "/v1/events", bad_kind)).status_code == 400
    too_many = {"org_code": code, "events": [{"kind": "topic", "item": "p", "count": 1}] * 101}
    assert (await reporter.call("POST", "/v1/events", too_many)).status_code == 400
    unknown = {"org_code": "NOPE", "events": [{"kind": "topic", "item": "p", "count": 1}]}
    assert (await reporter.call("POST", "/v1/events", unknown)).status_code == 404
    early = await client.get("/v1/stats?period=2026-11", headers=admin.headers)
    assert early.status_code == 400  # the month has not ended
    clock.set(datetime(2026, 12, 1, 9, tzinfo=UTC))
    admin.token = (await login(client, clock, admin)).json()["token"]
    stats = (await client.get("/v1/stats?period=2026-11", headers=admin.headers)).json()
    # the device registered in the period itself is not established: nothing counts
    assert [c["suppressed"] for c in stats["codes"]] == [True] and stats["total"]["devices"] == 0
    assert (await client.get("/v1/stats?period=2026-11-01", headers=admin.headers)).status_code == 400


async def test_feedback_is_accepted_with_limits(client: httpx.AsyncClient) -> None:
    ok = await client.post("/v1/feedback", json={"text": "Fijne app", "app_version": "1.0"})
    assert ok.status_code == 201 and uuid.UUID(ok.json()["id"])
    assert (await client.post("/v1/feedback", json={"text": ""})).status_code == 400
    assert (await client.post("/v1/feedback", json={"text": "x" * 5001})).status_code == 400


# --- live events -------------------------------------------------------------------------------------


async def check_events_cross_instance(
    settings: Settings, clock: ManualClock, admin: Actor, reporter: RawReporter
) -> None:
    """Subscribe on instance 2, post through instance 1: the content-free event arrives."""
    second = create_app(settings, clock)
    async with (
        served(second) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        if True:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            await asyncio.wait_for(wait_ready(lines), 10)
            conv = uuid.uuid4()
            posted = await reporter.post(
                conv, seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"canary")
            )
            assert posted.status_code == 201
            event = await asyncio.wait_for(next_event(lines), 10)
            assert event == {"conv_id": str(conv), "seq": 1, "cursor": posted.json()["cursor"]}


ONLY_POSTGRES = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
ONLY_SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@ONLY_POSTGRES
async def test_live_events_cross_instances_via_postgres(
    settings: Settings, clock: ManualClock, admin: Actor, reporter: RawReporter
) -> None:
    await check_events_cross_instance(settings, clock, admin, reporter)


@ONLY_SQLITE  # the in-process broker of the SQLite relay
async def test_live_events_in_process(
    app: FastAPI, admin: Actor, reporter: RawReporter, client: httpx.AsyncClient
) -> None:
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        if True:
            lines = stream.aiter_lines()
            await asyncio.wait_for(wait_ready(lines), 10)
            conv = uuid.uuid4()
            posted = await reporter.post(conv, seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x"))
            event = await asyncio.wait_for(next_event(lines), 10)
            assert set(event) == {"conv_id", "seq", "cursor"}
            assert event["cursor"] == posted.json()["cursor"]
    unauthenticated = await client.get("/v1/inbox/events")
    assert unauthenticated.status_code == 401


@ONLY_SQLITE  # session handling does not depend on the backend
async def test_live_events_end_with_the_session(app: FastAPI, admin: Actor) -> None:
    app.state.sse_keepalive_seconds = 0.05
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        lines = stream.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        assert (await http.post("/v1/auth/logout", headers=admin.headers)).status_code == 204
        rest = [line async for line in lines]  # the stream ends by itself at the next keep-alive check
    assert all(not line.startswith("data:") for line in rest)


@ONLY_POSTGRES
async def test_live_events_end_when_the_listener_connection_dies(
    settings: Settings, app: FastAPI, admin: Actor
) -> None:
    """A relay that lost its LISTEN connection could miss events: it ends the streams so that the
    desktop reconnects and syncs by cursor instead of waiting forever."""
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        lines = stream.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        db_url = make_url(settings.db_url)
        conn = await asyncpg.connect(
            db_url.set(drivername="postgresql").render_as_string(hide_password=False)
        )
        try:
            killed = await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = $1 AND query LIKE 'LISTEN%'",
                db_url.database,
            )
        finally:
            await conn.close()
        assert killed == 1
        rest = await asyncio.wait_for(collect(lines), 10)  # ends instead of hanging
    assert not any(line.startswith("data:") for line in rest)


async def collect(lines: AsyncIterator[str]) -> list[str]:
    return [line async for line in lines]
