"""A counsellor the admin lists after a conversation started gets the reporter's next message: the
reporter app seals every message to the newest roster, fetched before each send (docs/protocol.md §11
"Sending"), on both relay backends. Before, the app sealed to the roster it held until it read or the
roster expired: the new counsellor's desk never got those messages and showed a gap for ever."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from kit.actors import create_invitation_for
from kit.reporter import CANARY_PSEUDONYM, CANARY_TEXT, Reporter
from relay.conftest import pg_server, pg_template  # noqa: F401 - fixtures of the PostgreSQL backend

from opgelucht_desk.core.desk import DeskConfig
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext

from .conftest import make_reporter
from .desks import EnrolledDesk, enrol_desk


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_a_newly_listed_counsellor_reads_the_next_message_without_a_gap(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
    app: FastAPI,
) -> None:
    admin = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    # A second reporter chose Anna only (docs/protocol.md §16): a counsellor listed later never joins it.
    chooser = make_reporter(app, clock, admin_desk.desk.config.data_dir.parent / "chooser.json")
    await chooser.register(reporter.org_code)
    chooser.client.set_profile("Kiezer")
    chosen = await chooser.client.open_conversation(to=["Anna Admin"])
    await admin.sync_now()
    assert admin.account is not None
    invitation = await create_invitation_for(ctx, admin.account.org_id)
    sanne = await enrol_desk(desk_config("sanne"), clock, invitation, "sanne", "Sanne Smit")
    try:
        assert await admin.publish_roster() == 2  # lists Sanne; the reporter app still holds version 1
        # The reporter's next message, before anyone shared the history with Sanne's computer.
        await reporter.text("na de nieuwe lijst")
        await chooser.client.say(chosen, "alleen voor Anna")
        # Anna's desk shares the history with Sanne's computer (the admin page does it after publishing);
        # what the reporter sealed to the new roster needs no share.
        assert await admin.share_conversations_with_new_devices() >= 2
        await reporter.text("en nog een")
        await sanne.desk.sync_now()
        [conv] = sanne.desk.conversations()  # the chosen conversation is not hers: not listed
        assert conv.conv_id == reporter.conv_id and conv.pseudonym == CANARY_PSEUDONYM
        texts = [m.text for m in sanne.desk.messages(conv.conv_id)]
        assert texts == [CANARY_TEXT, "na de nieuwe lijst", "en nog een"]
        assert conv.verification_problem is None  # no "2 message(s) from a sender are missing (gap)"
        assert all(m.state == "received" for m in sanne.desk.messages(conv.conv_id))
        # Anna reads both conversations, the chosen one included.
        await admin.sync_now()
        assert [m.text for m in admin.messages(chosen)] == ["alleen voor Anna"]
        assert admin.messages(reporter.conv_id)[-1].text == "en nog een"
    finally:
        await sanne.desk.close()
        await chooser.client.aclose()
