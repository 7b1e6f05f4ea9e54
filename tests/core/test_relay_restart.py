"""A relay restarted the way ops do it (SIGTERM, as `systemctl restart` sends, then a new process on the
same database) while a desk follows its live stream: the relay stops within 5 s with the desk
connected, and the desk reconnects by itself and receives the message sent while it was away.

The desk polls only every 5 minutes here, so the message can arrive within the test's time only through
the live stream's reconnect (its ``: ready`` starts a catch-up sync)."""

from __future__ import annotations

import asyncio
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
STOPS_WITHIN = 5.0
POLL_SECONDS = 300.0  # longer than the test: only the live stream brings news


@pytest.fixture
async def relay(tmp_path: Path) -> AsyncIterator[RelayProcess]:
    process = RelayProcess(tmp_path)
    process.cli("migrate")
    await process.start()
    yield process
    await process.stop()


@pytest.fixture
async def desk(relay: RelayProcess, tmp_path: Path) -> AsyncIterator[Desk]:
    config = DeskConfig(
        data_dir=tmp_path / "desk",
        relay_url=relay.url,
        keyring_backend=make_keyring(tmp_path),
        kdf=TEST_KDF,
        poll_interval=POLL_SECONDS,
        max_backoff=1.0,
        request_retries=1,
    )
    opened = await Desk.open(config)
    challenge = await opened.enrol_start(
        relay.url, relay.create_org("Herstart BV"), "admin", "Anna Admin", PASSWORD
    )
    await opened.enrol_finish(challenge, pyotp.TOTP(challenge.totp_secret).now())
    yield opened
    await opened.close()


async def test_desk_reconnects_after_a_sigterm_restart_and_gets_what_came_meanwhile(
    relay: RelayProcess, desk: Desk, tmp_path: Path
) -> None:
    code = await desk.create_code("Poster")
    reporter = Reporter(ReporterClient(tmp_path / "reporter.json"), relay.url)
    await reporter.register(code.code)
    await reporter.hello()
    arrived = asyncio.Event()

    class Listener(DeskListener):
        def new_messages(self, count: int) -> None:
            arrived.set()

    desk.add_listener(Listener())
    await desk.start_sync()
    try:
        await reporter.text("eerste")  # by the first sync or live
        await asyncio.wait_for(arrived.wait(), 20)
        arrived.clear()
        await reporter.text("live voor de herstart")  # after the first sync: only live
        await asyncio.wait_for(arrived.wait(), 20)
        assert [m.text for m in desk.messages(reporter.conv_id)][-1] == "live voor de herstart"

        status = await relay.terminate(STOPS_WITHIN)  # the desk's live stream is open
        assert status == 0, relay.log()
        await relay.start()
        arrived.clear()
        await reporter.text("terwijl de desk weg was")
        await asyncio.wait_for(arrived.wait(), 20)
        assert [m.text for m in desk.messages(reporter.conv_id)][-1] == "terwijl de desk weg was"

        arrived.clear()
        await reporter.text("live na de herstart")
        await asyncio.wait_for(arrived.wait(), 20)
        assert [m.text for m in desk.messages(reporter.conv_id)][-2:] == [
            "terwijl de desk weg was",
            "live na de herstart",
        ]
    finally:
        await desk.stop_sync()
    await reporter.client.aclose()
