"""Issue 9 item 8: after an unhandled database error, the real relay's JSON log lines (``opgelucht-relay
serve`` in its own process, stderr captured) hold no request value: the engine hides bound parameters,
the 500 handler logs the error type and the route, and exceptions are logged without their message."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from relay.conftest import BACKENDS
from relay.databases import pg_create_database, pg_drop_database, pg_url_for, run_async, unique_pg_name

RELAY = [sys.executable, "-c", "from opgelucht_relay.cli import main; main()"]
SQLITE_FAILURE = "CREATE TRIGGER fail_feedback BEFORE INSERT ON feedback BEGIN SELECT RAISE(ABORT, 'x'); END"
PG_FAILURE = [
    "CREATE FUNCTION fail_feedback() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'x'; END $$",
    "CREATE TRIGGER fail_feedback BEFORE INSERT ON feedback FOR EACH ROW EXECUTE FUNCTION fail_feedback()",
]


@pytest.fixture(params=BACKENDS)
def relay_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A migrated database whose feedback inserts fail (a trigger raises), and the relay's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPG_RELAY_")}
    env |= {
        "OPG_RELAY_DATA_DIR": str(tmp_path),
        "OPG_RELAY_RUN_JOBS": "false",
        "OPG_RELAY_LOG_LEVEL": "DEBUG",
    }
    if request.param == "sqlite":
        subprocess.run([*RELAY, "migrate"], env=env, check=True, capture_output=True)
        with sqlite3.connect(tmp_path / "relay.db") as conn:
            conn.execute(SQLITE_FAILURE)
        yield env
        return
    request.getfixturevalue("pg_server")
    name = unique_pg_name()
    run_async(lambda: pg_create_database(name))
    try:
        env["OPG_RELAY_DATABASE_URL"] = pg_url_for(name)
        subprocess.run([*RELAY, "migrate"], env=env, check=True, capture_output=True)

        async def inject() -> None:
            conn = await asyncpg.connect(pg_url_for(name))
            try:
                for statement in PG_FAILURE:
                    await conn.execute(statement)
            finally:
                await conn.close()

        run_async(inject)
        yield env
    finally:
        run_async(lambda: pg_drop_database(name))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_database_failure_leaves_no_request_value_in_the_log(
    relay_env: dict[str, str], tmp_path: Path
) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    port = _free_port()
    log_path = tmp_path / "relay.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [*RELAY, "serve"],
            env={**relay_env, "OPG_RELAY_PORT": str(port)},
            stdout=log_file,
            stderr=log_file,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
                deadline = time.monotonic() + 30
                while True:  # another process: no start-up event to wait on, poll the health check
                    try:
                        if http.get("/readyz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.1)
                body = {"text": f"tekst {canary}", "app_version": canary[:32], "session_code": canary}
                try:
                    response = http.post("/v1/feedback", json=body)
                except httpx.TransportError:
                    raise AssertionError(log_path.read_text()) from None
                assert response.status_code == 500
                assert response.json() == {"error": {"code": "internal_error", "message": "Internal error."}}
                # the relay carries on, on the same connection (uvicorn drops one whose app raised)
                assert http.get("/healthz").status_code == 200
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = log_path.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    unhandled = [entry for entry in lines if entry["msg"] == "unhandled error"]
    assert unhandled and unhandled[0]["route"] == "/v1/feedback"
    assert unhandled[0]["exc_type"] in ("IntegrityError", "DBAPIError", "InternalError", "ProgrammingError")
    assert canary not in text and canary[:32] not in text
    assert "parameters:" not in text and "INSERT INTO" not in text
