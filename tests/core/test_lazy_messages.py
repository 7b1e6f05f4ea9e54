"""After login only the conversations are decrypted; a conversation's messages are decrypted from the
cache when it is opened, synced into or searched (in the background). Nothing of what the user sees
may change because of that: counts, verification failures, chains and search results stay the same."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from kit.reporter import CANARY_TEXT, Reporter

from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.core.sync import CURSOR_META
from opgelucht_relay.clock import ManualClock

from .conftest import make_reporter
from .desks import PASSWORD, EnrolledDesk
from .tampering import TamperingTransport

SYNC = "/v1/inbox/sync"


async def _relogin(enrolled: EnrolledDesk, clock: ManualClock) -> None:
    await enrolled.desk.lock()
    await enrolled.desk.login(PASSWORD, enrolled.totp(clock))


def _loaded(enrolled: EnrolledDesk) -> set[str]:
    """Conversations whose messages are decrypted in memory (white-box: the point of these tests)."""
    return set(enrolled.desk._unlocked().inbox.loaded)


async def test_lazily_decrypted_conversation_still_shows_its_verification_failure(
    admin_desk: EnrolledDesk, reporter: Reporter, network: TamperingTransport, clock: ManualClock
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await desk.sync_now()
    await reporter.text("een")
    target = await reporter.text(CANARY_TEXT)
    await reporter.text("drie")

    def flip(page: dict[str, Any]) -> dict[str, Any]:
        for m in page["messages"]:
            if m["msg_id"] == str(target):
                raw = bytearray(base64.b64decode(m["envelope"]))
                raw[-40] ^= 0x01
                m["envelope"] = base64.b64encode(bytes(raw)).decode()
        return page

    network.rewrites[SYNC] = flip
    await desk.sync_now()
    network.rewrites.clear()
    before = desk.conversations()
    await _relogin(admin_desk, clock)

    # The inbox list comes from the conversation rows alone: same unread count and problem.
    assert _loaded(admin_desk) == set()
    [summary] = desk.conversations()
    assert summary == before[0]
    assert summary.unread == 3 and summary.verification_problem is not None
    # Opening the conversation decrypts its messages: the failure is still a failure, not text.
    assert [(m.text, m.state) for m in desk.messages(reporter.conv_id)] == [
        ("een", "received"),
        ("", "verification_failed"),
        ("drie", "received"),
    ]
    assert _loaded(admin_desk) == {str(reporter.conv_id)}


async def test_search_finds_text_in_a_conversation_never_opened(
    admin_desk: EnrolledDesk, reporter: Reporter, app: FastAPI, clock: ManualClock, tmp_path: Path
) -> None:
    desk = admin_desk.desk
    other = make_reporter(app, clock, tmp_path / "reporter2.json")
    await other.register(reporter.org_code)
    await other.hello("Tweede")
    await reporter.hello("Eerste")
    await reporter.text("over de vergadering van dinsdag")
    await other.text(CANARY_TEXT)
    await desk.sync_now()
    await _relogin(admin_desk, clock)
    events: list[str] = []

    class Listener(DeskListener):
        def inbox_changed(self) -> None:
            events.append("inbox_changed")

    desk.add_listener(Listener())
    # Pseudonyms are searchable at once.
    assert [c.conv_id for c in desk.conversations("tweede")] == [other.conv_id]
    await desk.load_messages()  # the background loading started at login, waited for here
    assert "inbox_changed" in events  # the UI re-runs its search then
    assert _loaded(admin_desk) == {str(reporter.conv_id), str(other.conv_id)}
    assert [c.conv_id for c in desk.conversations("VERGADERING")] == [reporter.conv_id]
    assert [c.conv_id for c in desk.conversations(CANARY_TEXT.lower())] == [other.conv_id]
    assert desk.conversations("geen treffer") == []


async def test_sync_into_a_conversation_not_loaded_keeps_its_chain_and_counts(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text("een")
    await desk.sync_now()
    await desk.mark_read(reporter.conv_id)
    await reporter.text("twee")
    await desk.sync_now()
    await _relogin(admin_desk, clock)
    assert _loaded(admin_desk) == set()
    [summary] = desk.conversations()
    assert summary.unread == 1

    await reporter.text("drie")
    await desk.sync_now()  # loads the cached messages first, then checks "drie" against them
    [summary] = desk.conversations()
    assert summary.unread == 2 and summary.verification_problem is None
    assert [m.text for m in desk.messages(reporter.conv_id)] == ["een", "twee", "drie"]
    summary_data = desk.stored_data_summary()
    assert (summary_data.conversations, summary_data.messages) == (1, 4)  # HELLO + three texts
    # And the counts written with the conversation survive the next login.
    await _relogin(admin_desk, clock)
    [summary] = desk.conversations()
    assert summary.unread == 2 and desk.stored_data_summary().messages == 4


async def test_messages_applied_but_not_written_reach_the_disk_when_delivered_again(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock
) -> None:
    """A sync interrupted after checking a page but before writing it leaves the messages in memory
    only; the relay delivers them again from the stored cursor, and then they must be written."""
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text("een")
    await reporter.text("twee")
    await desk.sync_now()
    cache = desk._unlocked().cache
    # What the interruption leaves on disk: neither the page's rows nor its cursor.
    cache.delete_conversations([str(reporter.conv_id)])
    cache.set_meta(CURSOR_META, b"0")
    await desk.sync_now()
    await _relogin(admin_desk, clock)
    assert [m.text for m in desk.messages(reporter.conv_id)] == ["een", "twee"]
    [summary] = desk.conversations()
    assert summary.unread == 2 and summary.verification_problem is None
