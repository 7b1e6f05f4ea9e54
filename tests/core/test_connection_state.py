"""The connection status follows the relay: with the desk's own default timings, a relay process killed
(SIGKILL, as in a crash) while the desk holds its live stream is shown as offline within seconds, and as
online again once the relay is back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pyotp
import pytest
from kit.relay import RelayProcess
from kit.reporter import Reporter

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.core.keystore import TEST_KDF
from opgelucht_reporter.client import ReporterClient

from .conftest import make_keyring
from .desks import PASSWORD

pytestmark = pytest.mark.slow
SHOWN_WITHIN = 5.0  # seconds from the relay's death to "offline" in the UI's connection status


@pytest.fixture
async def relay(tmp_path: Path) -> AsyncIterator[RelayProcess]:
    process = RelayProcess(tmp_path)
    process.cli("migrate")
    await process.start()
    yield process
    await process.stop()


class ConnectionListener(DeskListener):
    """What the UI listens to: ``connection_changed(online)``, and new messages."""

    def __init__(self) -> None:
        self.states: list[bool] = []
        self.online = asyncio.Event()
        self.offline = asyncio.Event()
        self.arrived = asyncio.Event()

    def connection_changed(self, online: bool) -> None:
        self.states.append(online)
        (self.online if online else self.offline).set()

    def new_messages(self, count: int) -> None:
        self.arrived.set()


async def _idle(desk: Desk) -> None:
    """Wait until the sync loop waits for its next event or poll: no round in flight (bounded)."""
    engine = desk._unlocked().engine
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not engine.live or engine._lock.locked() or engine._wake.is_set():
        assert loop.time() < deadline, "the desk did not settle"
        await asyncio.sleep(0.01)  # internal state without an event: polled, bounded


async def test_killed_relay_is_shown_offline_within_seconds(relay: RelayProcess, tmp_path: Path) -> None:
    # The desk's default timings (poll interval, request retries and back-off, time-outs), as in the app.
    config = DeskConfig(
        data_dir=tmp_path / "desk", relay_url=relay.url, keyring_backend=make_keyring(tmp_path), kdf=TEST_KDF
    )
    desk = await Desk.open(config)
    reporter = Reporter(ReporterClient(tmp_path / "reporter.json"), relay.url)
    try:
        challenge = await desk.enrol_start(
            relay.url, relay.create_org("Verbinding BV"), "admin", "Anna Admin", PASSWORD
        )
        await desk.enrol_finish(challenge, pyotp.TOTP(challenge.totp_secret).now())
        await reporter.register((await desk.create_code("Poster")).code)
        await reporter.hello()
        listener = ConnectionListener()
        desk.add_listener(listener)
        await desk.start_sync()
        await asyncio.wait_for(listener.online.wait(), 20)
        # A message that arrives at once shows the live stream is up (the next poll is minutes away).
        await reporter.text("live")
        await asyncio.wait_for(listener.arrived.wait(), SHOWN_WITHIN)
        await _idle(desk)

        loop = asyncio.get_running_loop()
        relay.kill()
        killed_at = loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener.offline.wait(), 30)
        assert listener.offline.is_set(), "still shown as connected 30 s after the relay died"
        assert loop.time() - killed_at < SHOWN_WITHIN, f"offline shown after {loop.time() - killed_at:.1f} s"
        assert desk.online is False

        listener.online.clear()
        await relay.start()
        await asyncio.wait_for(listener.online.wait(), 70)
        assert listener.states[:3] == [True, False, True]
    finally:
        await desk.close()
        await reporter.client.aclose()
