"""A counsellor listed after a conversation started reads the reporter's next messages, end to end: an
``opgelucht-relay serve`` subprocess on SQLite over real HTTP, Anna's and Sanne's desks and the
``opgelucht-reporter`` command (found under Xvfb: two messages never reached Sanne and her desk showed
"2 berichten van een afzender ontbreken (gat)" for ever, because the reporter sealed to the roster it
held; docs/protocol.md §11 "Sending")."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from kit.relay import RelayProcess

from opgelucht_reporter.cli import main

from .test_choice_e2e import _desk, relay  # noqa: F401 - the relay subprocess fixture

pytestmark = pytest.mark.slow


async def test_the_reporter_cli_reaches_a_counsellor_listed_after_the_conversation_started(
    relay: RelayProcess,  # noqa: F811
    tmp_path: Path,
) -> None:
    anna = await _desk(relay, tmp_path, "Anna", relay.create_org("Lijst BV"))
    state = tmp_path / "phone.json"
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(main, ["--state", str(state), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    async def reporter(*args: str) -> str:
        return await asyncio.to_thread(cli, *args)

    sanne = None
    try:
        code = (await anna.create_code("Poster")).code
        await reporter("join", code, "--relay", relay.url, "--pseudonym", "Merel")
        assert "read by all counsellors" in await reporter("say", "Er is iets gebeurd.")
        await anna.sync_now()
        sanne = await _desk(relay, tmp_path, "Sanne", await anna.invite())
        assert await anna.publish_roster() == 2
        assert await anna.share_conversations_with_new_devices() == 2  # the HELLO and the first text
        # The reporter neither reads nor lists the counsellors in between: its app held roster 1.
        await reporter("say", "Tweede bericht.")
        await reporter("say", "Derde bericht.")
        await sanne.sync_now()
        [conv] = sanne.conversations()
        assert conv.pseudonym == "Merel" and conv.verification_problem is None  # no gap
        assert [m.text for m in sanne.messages(conv.conv_id)] == [
            "Er is iets gebeurd.",
            "Tweede bericht.",
            "Derde bericht.",
        ]
        await sanne.reply(conv.conv_id, "Dag, ik ben Sanne.")
        await sanne.sync_now()
        assert "Sanne: Dag, ik ben Sanne." in await reporter("read")
    finally:
        await anna.close()
        if sanne is not None:
            await sanne.close()
