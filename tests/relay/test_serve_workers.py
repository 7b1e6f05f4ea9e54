"""``opgelucht-relay serve --workers N``: several server processes on PostgreSQL (the relay keeps no
state of its own: nonces, cursors and live events go through the database); refused on SQLite."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from kit.reporter import seal

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.request_auth import register_proof, sign_request
from opgelucht_relay.cli import main
from relay.databases import pg_create_database, pg_drop_database, pg_url_for, run_async, unique_pg_name


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key in list(os.environ):
        if key.startswith("OPG_RELAY_"):
            monkeypatch.delenv(key)
    return {"OPG_RELAY_DATA_DIR": str(tmp_path / "data"), "OPG_RELAY_LOG_LEVEL": "WARNING"}


def test_several_workers_are_refused_on_sqlite(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["serve", "--workers", "2"], env=env)
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output


def cli(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-c", "from opgelucht_relay.cli import main; main()", *args]
    return subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def pg_env(env: dict[str, str], pg_server: None) -> Iterator[dict[str, str]]:
    name = unique_pg_name()
    run_async(lambda: pg_create_database(name))
    try:
        yield {**env, "OPG_RELAY_DATABASE_URL": pg_url_for(name)}
    finally:
        run_async(lambda: pg_drop_database(name))


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.postgres
def test_two_workers_serve_posts_and_share_the_replay_guard(pg_env: dict[str, str]) -> None:
    org = re.search(r"org id: (\S+)", cli(pg_env, "create-org", "Workers"))
    assert org is not None
    code = re.search(r"org code: (\S+)", cli(pg_env, "create-code", org.group(1), "--label", "A"))
    assert code is not None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-c",
        "from opgelucht_relay.cli import main; main()",
        "serve",
        "--workers",
        "2",
    ]
    server_env = {**os.environ, **pg_env, "OPG_RELAY_PORT": str(port), "OPG_RELAY_RUN_JOBS": "false"}
    proc = subprocess.Popen(command, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.monotonic() + 30
            while True:  # no start-up event to wait on across processes: poll the health check
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "relay did not start"
                time.sleep(0.1)
            assert len(children(proc.pid)) >= 2  # the supervisor and its worker processes
            keys, device_id, conv = DeviceKeys.generate(), uuid.uuid4(), uuid.uuid4()
            proof = register_proof(device_id, keys.enc_pk, keys.sign_pk, code.group(1), keys.sign_seed)
            registration = {
                "org_code": code.group(1), "device_id": str(device_id), "enc_pk": b64e(keys.enc_pk),
                "sign_pk": b64e(keys.sign_pk), "proof": b64e(proof),
            }  # fmt: skip
            assert http.post("/v1/devices", json=registration).status_code == 201
            path = f"/v1/device/conversations/{conv}/messages"
            cursors = []
            for i in range(6):
                body = json.dumps(
                    {"envelope": b64e(seal(conv, keys, [keys.enc_pk], b"m", seq=i + 1))}
                ).encode()
                headers = {
                    **sign_request(device_id, keys.sign_seed, "POST", path, body),
                    "Content-Type": "application/json",
                }
                stored = http.post(path, content=body, headers=headers)
                assert stored.status_code == 201, stored.text
                cursors.append(stored.json()["cursor"])
                # New connections: the copies may land on either worker; the database refuses them.
                with httpx.Client(base_url=f"http://127.0.0.1:{port}") as fresh:
                    replay = fresh.post(path, content=body, headers=headers)
                assert replay.status_code == 401 and replay.json()["error"]["code"] == "replayed_request"
            assert cursors == sorted(cursors) and len(set(cursors)) == 6
    finally:
        proc.terminate()
        proc.wait(timeout=20)
