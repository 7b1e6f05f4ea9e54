"""Issue 9 items 1, 2 and 5 against a real ``opgelucht-relay serve`` process, from outside: parallel wrong
passwords over separate connections, ``/metrics`` on the main port, a hostile Host header, and the metrics
listener (summed over the workers with ``--workers 2`` on PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter as Tally
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from opgelucht_relay.cli import main
from relay.databases import pg_create_database, pg_drop_database, pg_url_for, run_async, unique_pg_name

TOKEN = "scrape-token-for-the-test-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def relay_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict[str, str], int]]:
    """The environment of a relay process and its worker count (2 on PostgreSQL, 1 on SQLite)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPG_RELAY_")}
    env.update(
        OPG_RELAY_DATA_DIR=str(tmp_path / "data"),
        OPG_RELAY_LOG_LEVEL="WARNING",
        OPG_RELAY_RUN_JOBS="false",
        OPG_RELAY_PORT=str(free_port()),
        OPG_RELAY_METRICS_PORT=str(free_port()),
        OPG_RELAY_METRICS_TOKEN=TOKEN,
    )
    if request.param == "sqlite":
        yield env, 1
        return
    request.getfixturevalue("pg_server")
    name = unique_pg_name()
    run_async(lambda: pg_create_database(name))
    try:
        yield {**env, "OPG_RELAY_DATABASE_URL": pg_url_for(name)}, 2
    finally:
        run_async(lambda: pg_drop_database(name))


@pytest.fixture
def relay(relay_env: tuple[dict[str, str], int], tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """A running relay: (API base URL, metrics base URL, its log file)."""
    env, workers = relay_env
    log = tmp_path / "relay.log"
    command = [
        sys.executable,
        "-c",
        "from opgelucht_relay.cli import main; main()",
        "serve",
        "--workers",
        str(workers),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{env['OPG_RELAY_PORT']}"
    try:
        # No start-up event across processes: poll the health check. Generous: on a loaded machine
        # uvicorn restarts workers that miss its 5 s start-up health check.
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "relay did not start"
            time.sleep(0.1)
        yield base, f"http://127.0.0.1:{env['OPG_RELAY_METRICS_PORT']}", log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def _wrong_passwords(base: str, username: str, n: int) -> Tally[int]:
    async def one() -> int:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:  # a connection of its own
            body = {"username": username, "password": "CANARY-wrong-password", "totp_code": "000000"}
            return (await http.post("/v1/auth/login", json=body)).status_code

    return Tally(await asyncio.gather(*(one() for _ in range(n))))


def test_a_real_relay_holds_against_parallel_guessing_and_hides_metrics(
    relay: tuple[str, str, Path],
) -> None:
    base, metrics, log = relay
    assert run_async(lambda: _wrong_passwords(base, "ghost", 30)) == {401: 5, 429: 25}

    main_port = httpx.get(f"{base}/metrics")
    assert main_port.status_code == 404 and "opg_" not in main_port.text
    hostile = httpx.get(f"{base}/healthz/", headers={"Host": "evil.example"})
    assert hostile.status_code == 404 and "location" not in hostile.headers

    assert httpx.get(f"{metrics}/metrics").status_code == 401
    scraped = httpx.get(f"{metrics}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200
    logins = sorted(line for line in scraped.text.splitlines() if line.startswith("opg_logins_total"))
    assert logins == ['opg_logins_total{outcome="refused"} 5.0', 'opg_logins_total{outcome="throttled"} 25.0']
    assert "CANARY" not in scraped.text and "ghost" not in scraped.text
    assert "CANARY" not in log.read_text() and "ghost" not in log.read_text()


def test_a_metrics_port_in_use_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("OPG_RELAY_"):
            monkeypatch.delenv(key)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {
            "OPG_RELAY_DATA_DIR": str(tmp_path / "data"),
            "OPG_RELAY_PORT": str(free_port()),
            "OPG_RELAY_METRICS_PORT": str(taken.getsockname()[1]),
        }
        result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 2  # every opgelucht-relay error: one line, exit 2
    assert "cannot listen for metrics on 127.0.0.1:" in result.output
    assert "Traceback" not in result.output


def test_a_bad_metrics_setting_is_named_without_echoing_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in list(os.environ):
        if key.startswith("OPG_RELAY_"):
            monkeypatch.delenv(key)
    env = {
        "OPG_RELAY_DATA_DIR": str(tmp_path / "data"),
        "OPG_RELAY_METRICS_PORT": "9464",
        "OPG_RELAY_METRICS_TOKEN": "CANARYshort",
    }
    result = CliRunner().invoke(main, ["migrate"], env=env)
    assert result.exit_code == 2
    assert "metrics_token must have at least 16 characters" in result.output
    assert "CANARY" not in result.output
