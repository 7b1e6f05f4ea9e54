"""`opgelucht-reporter` end to end against the real relay served over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from kit.actors import create_org_with_admin, enrol_admin
from kit.relay import RelayServer

from opgelucht_desk.protocol import DeviceKeys, b64d, open_message
from opgelucht_reporter.cli import main
from opgelucht_reporter.client import ReporterClient, ReporterError


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayServer]:
    (tmp_path / "relay").mkdir()
    server = RelayServer(tmp_path / "relay")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_cli_join_say_read_events_feedback_export_forget(tmp_path: Path, relay: RelayServer) -> None:
    org_id, invitation = relay.call(create_org_with_admin(relay.ctx, "Gemeente Testdorp"))

    async def set_up() -> tuple[str, dict[str, str], bytes, bytes]:
        async with httpx.AsyncClient(base_url=relay.url) as http:
            admin = await enrol_admin(http, relay.clock, org_id, invitation, username="anna")
            code = (await http.post("/v1/org/codes", json={"label": "poster"}, headers=admin.headers)).json()
            return str(code["code"]), admin.headers, admin.device_keys.enc_sk, admin.device_keys.sign_seed

    code, staff_headers, enc_sk, sign_seed = asyncio.run(set_up())
    state = tmp_path / "phone.json"
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(main, ["--state", str(state), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    joined = cli("join", code, "--relay", relay.url, "--pseudonym", "Merel", "--age", "25-34")
    assert "Joined Gemeente Testdorp" in joined and "safety number" in joined
    assert "Sent to conversation" in cli("say", "Er is iets gebeurd.")
    assert "#2 me: Er is iets gebeurd." in cli("read")
    assert "2 event(s) accepted" in cli("events", "screen:home", "topic:pesten:3")
    assert "Thank you" in cli("feedback", "Duidelijke app")
    exported = json.loads(cli("export"))
    texts = [d["text"] for d in exported["decrypted"] if d["type"] == "text"]
    assert texts == ["Er is iets gebeurd."]

    # The counsellor's device can read what the CLI sent.
    async def staff_view() -> list[bytes]:
        keys = DeviceKeys(enc_sk, sign_seed)
        async with httpx.AsyncClient(base_url=relay.url) as http:
            sync = (await http.get("/v1/inbox/sync?after=0", headers=staff_headers)).json()
        return [
            open_message(b64d(m["envelope"]), keys=keys, expected_conv_id=uuid.UUID(m["conv_id"])).payload
            for m in sync["messages"]
        ]

    assert asyncio.run(staff_view())[-1] == b"Er is iets gebeurd."
    assert "deleted" in cli("forget", "--yes")
    assert not state.exists()


def test_say_with_the_relay_unreachable_says_nothing_was_sent_and_nothing_is_lost(
    tmp_path: Path, relay: RelayServer
) -> None:
    org_id, invitation = relay.call(create_org_with_admin(relay.ctx, "Gemeente Testdorp"))

    async def set_up() -> str:
        async with httpx.AsyncClient(base_url=relay.url) as http:
            admin = await enrol_admin(http, relay.clock, org_id, invitation, username="anna")
            code = (await http.post("/v1/org/codes", json={"label": "poster"}, headers=admin.headers)).json()
            return str(code["code"])

    code = asyncio.run(set_up())
    state = tmp_path / "phone.json"
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, ["--state", str(state), *args], catch_exceptions=False)
        return result.exit_code, result.output

    assert cli("join", code, "--relay", relay.url, "--pseudonym", "Merel")[0] == 0
    assert cli("say", "eerste")[0] == 0
    saved = json.loads(state.read_text())
    state.write_text(json.dumps({**saved, "relay_url": "http://127.0.0.1:9"}))  # nothing listens there
    status, output = cli("say", "tweede")
    assert status == 1
    assert "not sent (relay not reachable" in output and "nothing is lost" in output
    assert json.loads(state.read_text())["conversations"] == saved["conversations"]  # nothing sealed
    state.write_text(json.dumps(saved))
    assert cli("say", "tweede")[0] == 0
    status, output = cli("read")
    assert "#2 me: eerste" in output and "#3 me: tweede" in output and "gap" not in output


def test_say_whose_post_is_lost_says_it_was_saved_and_the_next_say_posts_it(
    tmp_path: Path, relay: RelayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    org_id, invitation = relay.call(create_org_with_admin(relay.ctx, "Gemeente Testdorp"))

    async def set_up() -> str:
        async with httpx.AsyncClient(base_url=relay.url) as http:
            admin = await enrol_admin(http, relay.clock, org_id, invitation, username="anna")
            code = (await http.post("/v1/org/codes", json={"label": "poster"}, headers=admin.headers)).json()
            return str(code["code"])

    code = asyncio.run(set_up())
    state = tmp_path / "phone.json"
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, ["--state", str(state), *args], catch_exceptions=False)
        return result.exit_code, result.output

    assert cli("join", code, "--relay", relay.url, "--pseudonym", "Merel")[0] == 0
    assert cli("say", "eerste")[0] == 0
    real_post = ReporterClient._post_pending

    async def connection_lost(self: ReporterClient, conv: object, envelope_b64: str) -> dict[str, object]:
        raise ReporterError("relay not reachable: ReadError", code="unreachable")

    monkeypatch.setattr(ReporterClient, "_post_pending", connection_lost)
    status, output = cli("say", "tweede")
    assert status == 1 and "saved but not delivered yet" in output and "nothing is lost" in output
    monkeypatch.setattr(ReporterClient, "_post_pending", real_post)
    assert cli("say", "derde")[0] == 0
    status, output = cli("read")
    assert "#3 me: tweede" in output and "#4 me: derde" in output and "gap" not in output
