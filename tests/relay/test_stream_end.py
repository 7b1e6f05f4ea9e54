"""A live stream (``GET /v1/inbox/events``) ends within a second of the end of its session: sign-out,
a revoked session, the idle and the absolute time-out, the counsellor removed. It delivers no event
after that. Real HTTP: the app served by uvicorn, the stream read with httpx (both backends; across
two instances on PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor, create_invitation_for, enrol, login, new_code
from kit.relay import served
from kit.reporter import RawReporter, seal
from kit.sse import next_event, wait_ready

from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.services.live_events import CLOSED, QUEUE_SIZE, RESYNC, MemoryBroker, session_owner

ENDS_WITHIN = 1.0  # seconds: the promise of docs/api.md


async def rest_of(lines: AsyncIterator[str]) -> list[str]:
    return [line async for line in lines]


async def ends_quietly(lines: AsyncIterator[str], reporter: RawReporter) -> None:
    """A reporter posts right after the session ended: the stream carries no event of it and ends
    within ENDS_WITHIN seconds."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    conv = uuid.uuid4()
    assert (
        await reporter.post(conv, seal(conv, reporter.keys, [reporter.keys.enc_pk], b"late"))
    ).status_code == 201
    try:
        rest = await asyncio.wait_for(rest_of(lines), ENDS_WITHIN - (loop.time() - started))
    except TimeoutError:
        raise AssertionError(f"the stream was still open {ENDS_WITHIN} s after the session ended") from None
    assert not any(line.startswith(("data:", "event:")) for line in rest), rest


@pytest.fixture
async def reporter(client: httpx.AsyncClient, clock: ManualClock, admin: Actor) -> RawReporter:
    device = RawReporter(client, clock, await new_code(client, admin))
    assert (await device.register()).status_code == 201
    return device


async def test_sign_out_ends_the_stream(
    app: FastAPI, admin: Actor, client: httpx.AsyncClient, reporter: RawReporter
) -> None:
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        lines = stream.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        assert (await client.post("/v1/auth/logout", headers=admin.headers)).status_code == 204
        await ends_quietly(lines, reporter)


async def test_revoking_the_session_from_another_one_ends_its_stream(
    app: FastAPI, admin: Actor, client: httpx.AsyncClient, clock: ManualClock, reporter: RawReporter
) -> None:
    other = {"Authorization": f"Bearer {(await login(client, clock, admin)).json()['token']}"}
    listed = (await client.get("/v1/auth/sessions", headers=admin.headers)).json()["sessions"]
    (mine,) = [s["id"] for s in listed if s["current"]]
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        lines = stream.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        assert (await client.delete(f"/v1/auth/sessions/{mine}", headers=other)).status_code == 204
        await ends_quietly(lines, reporter)


async def test_removing_the_counsellor_ends_their_stream(
    app: FastAPI,
    ctx: AppContext,
    admin: Actor,
    client: httpx.AsyncClient,
    clock: ManualClock,
    reporter: RawReporter,
) -> None:
    colleague = await enrol(client, clock, await create_invitation_for(ctx, admin.org_id), username="collega")
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=colleague.headers) as stream,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as admins,
    ):
        lines, admin_lines = stream.aiter_lines(), admins.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        await asyncio.wait_for(wait_ready(admin_lines), 10)
        removed = await client.delete(f"/v1/org/counsellors/{colleague.counsellor_id}", headers=admin.headers)
        assert removed.status_code == 204
        await ends_quietly(lines, reporter)
        # the admin's own stream goes on and still carries the events
        assert "cursor" in await asyncio.wait_for(next_event(admin_lines), 10)


async def test_idle_time_out_ends_the_stream(
    app: FastAPI, admin: Actor, clock: ManualClock, settings: Settings, reporter: RawReporter
) -> None:
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        lines = stream.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        clock.advance(minutes=settings.session_idle_minutes, seconds=1)
        await ends_quietly(lines, reporter)


async def test_absolute_time_out_ends_a_stream_whose_session_is_in_use(
    app: FastAPI, admin: Actor, client: httpx.AsyncClient, clock: ManualClock, settings: Settings
) -> None:
    """The session is used every few minutes (never idle): the stream stays open, events flow, until
    the absolute time-out; then it ends."""
    device = RawReporter(client, clock, await new_code(client, admin))
    assert (await device.register()).status_code == 201
    step = timedelta(minutes=settings.session_idle_minutes - 1)
    absolute = timedelta(hours=settings.session_absolute_hours)
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        lines = stream.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        used = timedelta(0)
        while used + step < absolute:
            clock.advance(step)
            used += step
            assert (await client.get("/v1/me", headers=admin.headers)).status_code == 200
        conv = uuid.uuid4()
        assert (
            await device.post(conv, seal(conv, device.keys, [device.keys.enc_pk], b"x"))
        ).status_code == 201
        assert "cursor" in await asyncio.wait_for(next_event(lines), 10)
        clock.advance(absolute - used)
        await ends_quietly(lines, device)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_sign_out_on_one_instance_ends_the_stream_on_another(
    settings: Settings, clock: ManualClock, admin: Actor, client: httpx.AsyncClient, reporter: RawReporter
) -> None:
    """Two relay instances on one PostgreSQL database: the stream is held by the second, the sign-out
    goes through the first (the end travels over LISTEN/NOTIFY)."""
    second = create_app(settings, clock)
    async with (
        served(second) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=admin.headers) as stream,
    ):
        lines = stream.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        assert (await client.post("/v1/auth/logout", headers=admin.headers)).status_code == 204
        await ends_quietly(lines, reporter)


async def test_a_stream_opened_after_sign_out_is_refused(admin: Actor, client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/auth/logout", headers=admin.headers)).status_code == 204
    assert (await client.get("/v1/inbox/events", headers=admin.headers)).status_code == 401


async def test_the_end_reaches_a_subscriber_whose_queue_is_full() -> None:
    """A slow client's full queue is no way around the end: it is left with CLOSED only."""
    broker = MemoryBroker()
    org, session = uuid.uuid4(), uuid.uuid4()
    async with (
        broker.subscribe(org, [session_owner(session)]) as slow,
        broker.subscribe(org, [session_owner(uuid.uuid4())]) as other,
    ):
        for cursor in range(QUEUE_SIZE + 10):
            await broker.publish(org, {"conv_id": str(uuid.uuid4()), "seq": 1, "cursor": cursor})
        await broker.publish(org, {"end": session_owner(session)})
        assert slow.qsize() == 1 and slow.get_nowait() is CLOSED
        assert other.get_nowait() is RESYNC  # the others only fell behind
        broker.shut_down()
        assert other.get_nowait() is CLOSED
    async with broker.subscribe(org, [session_owner(session)]) as late:  # after shut_down
        assert late.get_nowait() is CLOSED
