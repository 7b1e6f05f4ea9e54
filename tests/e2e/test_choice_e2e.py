"""Who reads, end to end (docs/protocol.md §16): an ``opgelucht-relay serve`` subprocess on SQLite over
real HTTP, three counsellor desks (Anna the admin, Bert, Carla) and the ``opgelucht-reporter`` command.
The reporter lists the counsellors with their presentation, chooses Bert, and later lets Carla in; Anna
never sees anything of it (the PostgreSQL run of the same flow is tests/core/test_choice.py)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner
from keyrings.alt.file import EncryptedKeyring
from kit.relay import RelayProcess

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.keystore import TEST_KDF
from opgelucht_desk.core.model import Presentation
from opgelucht_reporter.cli import main

pytestmark = pytest.mark.slow
PASSWORD = "lange wachtzin voor de test"
CANARY = "KANARIE-keuze-3d1f"


def _keyring(directory: Path) -> EncryptedKeyring:
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


async def _desk(relay: RelayProcess, tmp: Path, name: str, invitation: str) -> Desk:
    config = DeskConfig(
        data_dir=tmp / name, relay_url=relay.url, keyring_backend=_keyring(tmp / name), kdf=TEST_KDF
    )
    (tmp / name).mkdir()
    desk = await Desk.open(config)
    challenge = await desk.enrol_start(relay.url, invitation, name.lower(), name, PASSWORD)
    await desk.enrol_finish(challenge, pyotp.TOTP(challenge.totp_secret).now())
    return desk


async def test_reporter_cli_chooses_bert_then_consents_to_carla(relay: RelayProcess, tmp_path: Path) -> None:
    anna = await _desk(relay, tmp_path, "Anna", relay.create_org("Keuze BV"))
    bert = await _desk(relay, tmp_path, "Bert", await anna.invite())
    carla = await _desk(relay, tmp_path, "Carla", await anna.invite())
    state = tmp_path / "phone.json"
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(main, ["--state", str(state), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    async def reporter(*args: str) -> str:
        return await asyncio.to_thread(cli, *args)

    try:
        await bert.set_presentation(
            Presentation(role="extern", intro={"nl": "Ik ben Bert."}, availability={"nl": "ma-do bereikbaar"})
        )
        await anna.publish_roster()
        code = (await anna.create_code("Poster")).code
        await reporter("join", code, "--relay", relay.url, "--pseudonym", "Merel")
        listed = await reporter("counsellors")
        assert "Bert (extern)" in listed and "[nl] Ik ben Bert." in listed and "ma-do bereikbaar" in listed
        refused = await asyncio.to_thread(
            runner.invoke, main, ["--state", str(state), "say", "hallo", "--to", "Dirk"]
        )
        assert refused.exit_code != 0 and "not a counsellor of this organisation" in refused.output
        assert "read by Bert" in await reporter("say", CANARY, "--to", "Bert")
        for desk in (anna, bert, carla):
            await desk.sync_now()
        [conv] = bert.conversations()
        assert conv.readers == () and [m.text for m in bert.messages(conv.conv_id)] == [CANARY]
        assert anna.conversations() == [] and carla.conversations() == []

        await bert.reply(conv.conv_id, "Dag, ik ben Bert.")
        assert carla.account is not None
        await bert.request_handover(conv.conv_id, carla.account.counsellor_id)
        await bert.sync_now()
        shown = await reporter("read")
        assert "Bert: Dag, ik ben Bert." in shown and "Bert asks to bring in Carla" in shown
        asked = await reporter("handover")
        request_id = re.search(r"^(\S+) Bert asks to bring in Carla: asked", asked, re.M)
        assert request_id, asked
        assert "read by Bert, Carla" in await reporter("handover", request_id.group(1), "--yes")
        await bert.sync_now()  # the consent, then the history for Carla
        await carla.sync_now()
        [shared] = carla.conversations()
        assert shared.readers == ("Bert",)
        assert [m.text for m in carla.messages(shared.conv_id)] == [CANARY, "Dag, ik ben Bert."]
        assert bert.handovers(conv.conv_id)[0].state == "accepted"
        await anna.sync_now()
        assert anna.conversations() == []
        await anna.lock()
        for path in (tmp_path / "Anna").rglob("*"):
            if path.is_file():
                assert CANARY.encode() not in path.read_bytes(), path.name
    finally:
        for desk in (anna, bert, carla):
            await desk.close()
