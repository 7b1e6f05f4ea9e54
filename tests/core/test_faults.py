"""Faults against a real relay subprocess on 127.0.0.1: the relay killed mid-sync and mid-send, the app
process killed after queueing a reply, live events with reconnect. Sync converges; every queued reply
arrives exactly once."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pyotp
import pytest
from keyrings.alt.file import EncryptedKeyring
from kit.relay import RelayProcess
from kit.reporter import CANARY_TEXT, Reporter

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import OfflineError
from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.core.keystore import TEST_KDF
from opgelucht_reporter.client import ReporterClient

from .desks import PASSWORD

pytestmark = pytest.mark.slow
Hook = Callable[[httpx.Request], Awaitable[None]]


class FaultTransport(httpx.AsyncBaseTransport):
    """Real HTTP to the relay, with hooks that run before a request is sent or after its response
    arrived (and may then lose it, as a dropped connection would)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.before: Hook | None = None
        self.lose_response: Hook | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.before is not None:
            await self.before(request)
        response = await self.inner.handle_async_request(request)
        if self.lose_response is not None:
            hook, self.lose_response = self.lose_response, None
            await response.aread()
            await hook(request)
            raise httpx.ReadError("connection lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclasses.dataclass
class World:
    relay: RelayProcess
    desk: Desk
    config: DeskConfig
    network: FaultTransport
    reporter: Reporter
    tmp: Path


def keyring_in(directory: Path) -> EncryptedKeyring:
    backend = EncryptedKeyring()
    backend.file_path = str(directory / "keyring.cfg")
    backend.keyring_key = "keyring file password"
    return backend


@pytest.fixture
async def relay(tmp_path: Path) -> AsyncIterator[RelayProcess]:
    process = RelayProcess(tmp_path)
    process.cli("migrate")
    await process.start()
    yield process
    await process.stop()


async def _reporter(relay: RelayProcess, desk: Desk, tmp: Path) -> Reporter:
    code = await desk.create_code("Poster")
    reporter = Reporter(ReporterClient(tmp / "reporter.json"), relay.url)
    await reporter.register(code.code)
    await reporter.hello()
    return reporter


@pytest.fixture
async def world(relay: RelayProcess, tmp_path: Path) -> AsyncIterator[World]:
    network = FaultTransport()
    config = DeskConfig(
        data_dir=tmp_path / "desk",
        relay_url=relay.url,
        keyring_backend=keyring_in(tmp_path),
        kdf=TEST_KDF,
        transport=network,
        sync_page_size=5,
        poll_interval=0.5,
        max_backoff=0.5,
        request_retries=1,
    )
    desk = await Desk.open(config)
    challenge = await desk.enrol_start(
        relay.url, relay.create_org("Proces BV"), "admin", "Anna Admin", PASSWORD
    )
    await desk.enrol_finish(challenge, pyotp.TOTP(challenge.totp_secret).now())
    reporter = await _reporter(relay, desk, tmp_path)
    yield World(relay, desk, config, network, reporter, tmp_path)
    await desk.close()
    await reporter.client.aclose()


async def test_relay_killed_mid_sync_converges(world: World) -> None:
    texts = [f"bericht {i}" for i in range(12)]
    for t in texts:
        await world.reporter.text(t)

    async def kill_on_second_page(request: httpx.Request) -> None:
        if request.url.path == "/v1/inbox/sync" and request.url.params.get("after") != "0":
            world.network.before = None
            await world.relay.stop()

    world.network.before = kill_on_second_page
    with pytest.raises(OfflineError):
        await world.desk.sync_now()
    partial = [m.text for m in world.desk.messages(world.reporter.conv_id)]
    assert partial == texts[: len(partial)] and len(partial) < len(texts)
    await world.relay.start()
    await world.desk.sync_now()
    await world.desk.sync_now()
    assert [m.text for m in world.desk.messages(world.reporter.conv_id)] == texts
    assert world.desk.conversations()[0].verification_problem is None


async def test_relay_killed_mid_send_every_reply_arrives_exactly_once(world: World) -> None:
    desk, conv_id = world.desk, world.reporter.conv_id
    await desk.sync_now()

    async def crash(_request: httpx.Request) -> None:  # the relay stored it, the answer is lost
        await world.relay.stop()

    world.network.lose_response = crash
    await desk.reply(conv_id, "een")
    with pytest.raises(OfflineError):
        await desk.flush_outbox()
    await desk.reply(conv_id, "twee")
    await desk.reply(conv_id, "drie")
    with pytest.raises(OfflineError):
        await desk.flush_outbox()
    assert [(m.text, m.state) for m in desk.messages(conv_id)] == [
        ("een", "queued"),
        ("twee", "queued"),
        ("drie", "queued"),
    ]
    await world.relay.start()
    await desk.sync_now()
    await desk.sync_now()
    assert [(m.text, m.state) for m in desk.messages(conv_id)] == [
        ("een", "sent"),
        ("twee", "sent"),
        ("drie", "sent"),
    ]
    assert [t for t, _ in await world.reporter.replies()] == ["een", "twee", "drie"]
    relay_view = await world.reporter.client.export()
    replies = [d["text"] for d in relay_view["decrypted"] if not d["from_me"]]
    assert replies == ["een", "twee", "drie"]  # stored once each on the relay


async def test_app_killed_after_queueing_sends_on_restart(relay: RelayProcess, tmp_path: Path) -> None:
    admin_config = DeskConfig(
        data_dir=tmp_path / "admin", relay_url=relay.url, keyring_backend=keyring_in(tmp_path), kdf=TEST_KDF
    )
    admin = await Desk.open(admin_config)
    challenge = await admin.enrol_start(relay.url, relay.create_org("Crash BV"), "admin", "Anna", PASSWORD)
    await admin.enrol_finish(challenge, pyotp.TOTP(challenge.totp_secret).now())
    reporter = await _reporter(relay, admin, tmp_path)
    await reporter.text(CANARY_TEXT)
    # The child desk is a counsellor admitted by the admin.
    invitation = await admin.invite("counsellor")
    child_dir = tmp_path / "child"
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).with_name("desk_child.py")),
        str(child_dir), str(tmp_path), relay.url, invitation,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    try:
        assert (await asyncio.wait_for(child.stdout.readline(), 60)).strip() == b"enrolled"
        await admin.publish_roster()
        await admin.share_conversations_with_new_devices()
        child.stdin.write(b"sync\n")
        assert (await asyncio.wait_for(child.stdout.readline(), 60)).split() == [
            b"synced",
            str(reporter.conv_id).encode(),
        ]
        await relay.stop()  # the relay is down: the reply can only be queued
        child.stdin.write(f"reply {reporter.conv_id} antwoord van het kind\n".encode())
        assert (await asyncio.wait_for(child.stdout.readline(), 60)).strip() == b"queued"
    finally:
        child.kill()  # the app process dies (SIGKILL) with the reply in its outbox
        await child.wait()
    # The app starts again; with the relay still down it unlocks on the saved session.
    restarted = await Desk.open(dataclasses.replace(admin_config, data_dir=child_dir))
    await restarted.login(PASSWORD, "000000")
    assert [(m.text, m.state) for m in restarted.messages(reporter.conv_id)][-1] == (
        "antwoord van het kind",
        "queued",
    )
    await relay.start()
    await restarted.sync_now()
    await restarted.sync_now()
    assert [m.state for m in restarted.messages(reporter.conv_id)] == ["received", "sent"]
    assert await reporter.replies() == [("antwoord van het kind", "Kind Proces")]
    await restarted.close()
    await admin.close()
    await reporter.client.aclose()


async def test_live_events_and_reconnect(world: World) -> None:
    desk = world.desk
    arrived = asyncio.Event()
    online: list[bool] = []
    went_offline = asyncio.Event()
    back_online = asyncio.Event()

    class Listener(DeskListener):
        def new_messages(self, count: int) -> None:
            arrived.set()

        def connection_changed(self, is_online: bool) -> None:
            online.append(is_online)
            (back_online if is_online else went_offline).set()

    desk.add_listener(Listener())
    await desk.start_sync()
    await asyncio.wait_for(back_online.wait(), 20)
    await world.reporter.text("live 1")
    await asyncio.wait_for(arrived.wait(), 20)
    assert [m.text for m in desk.messages(world.reporter.conv_id)] == ["live 1"]
    await world.relay.stop()
    await asyncio.wait_for(went_offline.wait(), 30)
    back_online.clear()
    arrived.clear()
    await world.relay.start()
    await asyncio.wait_for(back_online.wait(), 30)
    await world.reporter.text("live 2")
    await asyncio.wait_for(arrived.wait(), 20)
    assert [m.text for m in desk.messages(world.reporter.conv_id)] == ["live 1", "live 2"]
    assert online[:3] == [True, False, True]
    await desk.stop_sync()
    assert uuid.UUID(str(world.reporter.conv_id))
