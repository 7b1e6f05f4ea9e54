"""SIGTERM (``systemctl stop``/``restart``, a container stop) to a real ``opgelucht-relay serve`` with
live streams open: the streams end, the relay exits with status 0 within 5 seconds (one process on
SQLite; two workers on PostgreSQL). ``--host`` and ``--port`` choose where it listens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from kit.actors import Actor, enrol
from kit.relay import RelayProcess, free_port
from kit.sse import wait_ready

from opgelucht_relay.cli import GRACEFUL_SHUTDOWN_SECONDS, main
from opgelucht_relay.clock import ManualClock
from relay.databases import pg_create_database, pg_drop_database, pg_url_for, run_async, unique_pg_name

pytestmark = pytest.mark.slow
STOPS_WITHIN = 5.0  # seconds, the promise of docs/operations.md
STREAMS = 3


async def admin_of(relay: RelayProcess, name: str) -> Actor:
    async with httpx.AsyncClient(base_url=relay.url, timeout=10) as http:
        now = ManualClock(datetime.now(UTC))  # the relay runs on the real clock (TOTP codes)
        return await enrol(http, now, relay.create_org(name), username="admin", create_org_key=True)


async def stops_promptly(relay: RelayProcess, admin: Actor) -> None:
    """Open STREAMS live streams, send SIGTERM: every stream ends and the relay exits with 0 in time."""
    async with httpx.AsyncClient(base_url=relay.url, timeout=httpx.Timeout(10, read=60)) as http:
        streams = [
            await http.send(http.build_request("GET", "/v1/inbox/events", headers=admin.headers), stream=True)
            for _ in range(STREAMS)
        ]
        try:
            lines = [stream.aiter_lines() for stream in streams]
            for each in lines:
                await asyncio.wait_for(wait_ready(each), 10)
            started = asyncio.get_running_loop().time()
            status = await relay.terminate(STOPS_WITHIN)
            took = asyncio.get_running_loop().time() - started
            for each in lines:  # ended, not cut off mid-response
                assert not [line async for line in each if line.startswith("data:")]
        finally:
            for stream in streams:
                await stream.aclose()
    assert status == 0, relay.log()
    assert took < STOPS_WITHIN
    assert "Waiting for connections to close" not in relay.log()
    assert "Traceback" not in relay.log()


@pytest.fixture
async def sqlite_relay(tmp_path: Path) -> AsyncIterator[RelayProcess]:
    port = free_port()
    relay = RelayProcess(tmp_path, serve_args=("--host", "127.0.0.1", "--port", str(port)))
    relay.env["OPG_RELAY_PORT"] = "1"  # --port wins over the setting
    relay.port, relay.url = port, f"http://127.0.0.1:{port}"
    relay.env["OPG_RELAY_LOG_LEVEL"] = "INFO"  # uvicorn's shutdown lines are INFO
    await relay.start()
    yield relay
    await relay.stop()


async def test_sigterm_with_open_streams_stops_the_relay_within_5_seconds(sqlite_relay: RelayProcess) -> None:
    await stops_promptly(sqlite_relay, await admin_of(sqlite_relay, "Stop BV"))


@pytest.fixture
def pg_database(pg_server: None) -> Iterator[str]:
    name = unique_pg_name()
    run_async(lambda: pg_create_database(name))
    try:
        yield pg_url_for(name)
    finally:
        run_async(lambda: pg_drop_database(name))


@pytest.mark.postgres
async def test_sigterm_stops_two_workers_with_open_streams_within_5_seconds(
    tmp_path: Path, pg_database: str
) -> None:
    relay = RelayProcess(tmp_path, database_url=pg_database, serve_args=("--workers", "2"))
    relay.env["OPG_RELAY_LOG_LEVEL"] = "INFO"
    relay.cli("migrate")
    await relay.start()
    try:
        await stops_promptly(relay, await admin_of(relay, "Workers BV"))
    finally:
        await relay.stop()


def test_the_systemd_unit_waits_longer_than_the_graceful_shutdown() -> None:
    unit = (Path(__file__).parents[2] / "packaging/relay/opgelucht-relay.service").read_text()
    (line,) = [line for line in unit.splitlines() if line.startswith("TimeoutStopSec=")]
    assert int(line.removeprefix("TimeoutStopSec=").removesuffix("s")) >= GRACEFUL_SHUTDOWN_SECONDS + 2
    assert GRACEFUL_SHUTDOWN_SECONDS + 1 < STOPS_WITHIN


def test_serve_refuses_a_port_out_of_range(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "0"], env={"OPG_RELAY_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2 and "--port" in result.output
