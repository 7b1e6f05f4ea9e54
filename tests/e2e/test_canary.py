"""End-to-end canary (SECURITY-TESTS 12, 13): the reference reporter client and a scripted counsellor
talk through a real relay, once as an ``opgelucht-relay serve`` subprocess on SQLite and once in-process
on PostgreSQL. The message text and the pseudonym must never appear in the database, the relay's logs,
the metrics, the live-event payloads or any HTTP response to another party."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from kit.actors import Actor, enrol_admin, new_code
from kit.relay import served
from kit.sse import wait_ready
from sqlalchemy.engine import make_url

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.envelope import ZERO_HASH, MessageType, open_message, seal_message
from opgelucht_desk.protocol.profile import Profile
from opgelucht_desk.protocol.roster import SignedRoster, roster_hash
from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.logs import JsonFormatter
from opgelucht_reporter.client import ReporterClient

CANARY = "KANARIE-7f3a9c-geheim-bericht"
PSEUDONYM = "Zwaluw-Kanarie-41"
REPLY = "KANARIE-antwoord-5521"
SECRETS = [CANARY.encode(), PSEUDONYM.encode(), REPLY.encode()]

pytestmark = pytest.mark.slow
PG_URL = os.environ.get("OPG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_URL, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@dataclass
class Relay:
    url: str
    env: dict[str, str]
    dump: Callable[[], Awaitable[bytes]]  # every byte the relay stored
    logs: Callable[[], str]
    metrics: Callable[[], bytes]  # what the metrics listener serves


def relay_command() -> list[str]:
    """The installed ``opgelucht-relay`` script (as users run it), else the same entry point via Python."""
    script = Path(sys.executable).with_name("opgelucht-relay")
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from opgelucht_relay.cli import main; main()"]
    )


RELAY_COMMAND = relay_command()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [*RELAY_COMMAND, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def create_org(env: dict[str, str], name: str) -> tuple[uuid.UUID, str]:
    out = cli(env, "create-org", name)
    org_id = re.search(r"org id: (\S+)", out)
    invitation = re.search(r"admin invitation: (\S+)", out)
    assert org_id and invitation, "create-org printed no id/invitation"
    return uuid.UUID(org_id.group(1)), invitation.group(1)


@pytest.fixture
async def subprocess_relay(tmp_path: Path) -> AsyncIterator[Relay]:
    data = tmp_path / "relay-data"
    port, metrics_port = free_port(), free_port()
    env = {
        "OPG_RELAY_METRICS_PORT": str(metrics_port),
        "OPG_RELAY_DATA_DIR": str(data),
        "OPG_RELAY_DATABASE_URL": "",
        "OPG_RELAY_PORT": str(port),
        "OPG_RELAY_HOST": "127.0.0.1",
        "OPG_RELAY_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "OPG_RELAY_ARGON2_MEMORY_KIB": "256",
        "OPG_RELAY_ARGON2_TIME_COST": "1",
        "OPG_RELAY_LOG_LEVEL": "DEBUG",
    }
    cli(env, "migrate")
    log_path = tmp_path / "relay.log"
    with log_path.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            *RELAY_COMMAND, "serve",
            env={**os.environ, **env}, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                for _ in range(200):
                    try:
                        if (await http.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
                else:
                    raise AssertionError("relay did not start: " + log_path.read_text())

            async def dump() -> bytes:
                return b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith("relay.db"))

            def metrics() -> bytes:
                return httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").raise_for_status().content

            yield Relay(f"http://127.0.0.1:{port}", env, dump, log_path.read_text, metrics)
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 10)


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
async def postgres_relay(tmp_path: Path) -> AsyncIterator[Relay]:
    name = f"opg_e2e_{uuid.uuid4().hex[:12]}"
    try:
        await pg_admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc!r}")
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    env = {"OPG_RELAY_DATABASE_URL": url, "OPG_RELAY_DATA_DIR": str(tmp_path)}
    settings = Settings.load(
        None, database_url=url, data_dir=tmp_path, argon2_memory_kib=256, argon2_time_cost=1
    )
    handler = Captured()
    logger = logging.getLogger("opgelucht")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)

    async def dump() -> bytes:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            chunks = []
            for row in tables:
                table = row["tablename"]  # names from pg_tables, not user input
                for record in await conn.fetch(f'SELECT * FROM "{table}"'):  # noqa: S608
                    chunks += [v if isinstance(v, bytes) else str(v).encode() for v in record.values()]
            return b"\n".join(chunks)
        finally:
            await conn.close()

    try:
        app = create_app(settings)
        async with served(app) as base:
            yield Relay(base, env, dump, lambda: "\n".join(handler.lines), app.state.ctx.metrics.render)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def assert_clean(where: str, data: bytes | str) -> None:
    raw = data.encode() if isinstance(data, str) else data
    for secret in SECRETS:
        assert secret not in raw, f"plaintext canary found in {where}"


async def canary_run(relay: Relay, tmp_path: Path) -> None:
    org_a, invitation_a = create_org(relay.env, "Organisatie A")
    org_b, invitation_b = create_org(relay.env, "Organisatie B")
    clock = ManualClock(datetime.now(UTC))  # the real relay checks TOTP codes against the real time
    responses: list[bytes] = []  # everything other parties received
    async with httpx.AsyncClient(base_url=relay.url, timeout=20) as http:
        counsellor: Actor = await enrol_admin(http, clock, org_a, invitation_a, username="counsellor-a")
        outsider: Actor = await enrol_admin(http, clock, org_b, invitation_b, username="counsellor-b")
        code = await new_code(http, counsellor)
        async with http.stream("GET", "/v1/inbox/events", headers=counsellor.headers) as stream:
            lines = stream.aiter_lines()
            await asyncio.wait_for(wait_ready(lines), 10)
            reporter = ReporterClient(tmp_path / "reporter.json")
            await reporter.join(code, relay_url=relay.url)
            reporter.set_profile(PSEUDONYM)
            conv = await reporter.open_conversation()
            await reporter.say(conv, CANARY)
            event_lines: list[str] = []
            while len([x for x in event_lines if x.startswith("data: ")]) < 2:
                event_lines.append(await asyncio.wait_for(anext(lines), 10))
        assert_clean("live events", "\n".join(event_lines))

        # The counsellor decrypts with the protocol module and answers.
        synced = (await http.get("/v1/inbox/sync", headers=counsellor.headers)).json()
        opened = [
            open_message(b64d(m["envelope"]), keys=counsellor.device_keys, expected_conv_id=conv)
            for m in synced["messages"]
        ]
        assert [o.msg_type for o in opened] == [MessageType.HELLO, MessageType.TEXT]
        profile = Profile.from_payload(opened[0].payload)
        assert profile.pseudonym == PSEUDONYM
        assert opened[1].payload.decode() == CANARY
        org = (await http.get("/v1/org", headers=counsellor.headers)).json()
        current = SignedRoster.from_json(org["roster"])
        reply = seal_message(
            conv_id=conv, msg_id=uuid.uuid4(), roster_version=1, sender=counsellor.device_keys, seq=1,
            msg_type=MessageType.TEXT, prev_hash=ZERO_HASH, roster_hash=roster_hash(current),
            payload=REPLY.encode(), recipients=[counsellor.device_keys.enc_pk, profile.reporter_enc_pk],
        )  # fmt: skip
        posted = await http.post(
            f"/v1/inbox/conversations/{conv}/messages",
            json={"envelope": b64e(reply)},
            headers=counsellor.headers,
        )
        assert posted.status_code == 201
        received = await reporter.read(conv)
        assert [m.text for m in received if not m.from_me] == [REPLY]
        assert reporter.rejected == []

        # Other parties: another device of the same org, a counsellor of another org.
        other = ReporterClient(tmp_path / "other.json")
        await other.join(code, relay_url=relay.url)
        for path in [
            "/v1/device/conversations",
            f"/v1/device/conversations/{conv}/messages",
            "/v1/device/export",
        ]:
            headers = other_headers(other, "GET", path)
            response = await http.get(path, headers=headers)
            responses.append(response.content)
        for path in ["/v1/inbox/sync", "/v1/inbox/conversations", "/v1/stats?period=2026-10"]:
            responses.append((await http.get(path, headers=outsider.headers)).content)
        refused = await http.post(
            f"/v1/inbox/conversations/{conv}/messages",
            json={"envelope": b64e(reply)},
            headers=outsider.headers,
        )
        assert refused.status_code == 404
        responses.append(refused.content)
        responses.append(relay.metrics())
        await reporter.send_feedback("de app werkt goed")
        export = await reporter.export()
        assert any(d["text"] == CANARY for d in export["decrypted"])

    assert_clean("responses to other parties and metrics", b"\n".join(responses))
    assert_clean("database", await relay.dump())
    assert_clean("relay logs", relay.logs())
    assert "request" in relay.logs()  # the capture works: access lines are there

    await reporter.forget()
    assert_clean("database after deletion", await relay.dump())


def other_headers(client: ReporterClient, method: str, path: str) -> dict[str, str]:
    from opgelucht_desk.protocol.request_auth import sign_request

    return sign_request(client.device_id, client.keys.sign_seed, method, path, b"")


async def test_canary_through_a_real_relay_process(subprocess_relay: Relay, tmp_path: Path) -> None:
    await canary_run(subprocess_relay, tmp_path)


@pytest.mark.postgres
async def test_canary_through_an_in_process_relay_on_postgres(postgres_relay: Relay, tmp_path: Path) -> None:
    await canary_run(postgres_relay, tmp_path)
