"""End to end against the in-process relay: enrol, read, reply, notes, status, category, login."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from kit.actors import create_invitation_for
from kit.reporter import CANARY_PSEUDONYM, CANARY_TEXT, Reporter

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import (
    AuthExpiredError,
    DeskError,
    InvalidCredentialsError,
    LockedError,
    UnknownConversationError,
)
from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.core.model import Category, DeskState, RosterWarning, RosterWarningKind, Status
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext

from .conftest import RELAY_URL
from .desks import PASSWORD, EnrolledDesk, enrol_desk
from .tampering import TamperingTransport


class Recorder(DeskListener):
    def __init__(self) -> None:
        self.events: list[tuple[str, tuple[object, ...]]] = []

    def inbox_changed(self) -> None:
        self.events.append(("inbox_changed", ()))

    def new_messages(self, count: int) -> None:
        self.events.append(("new_messages", (count,)))

    def sync_progress(self, done: int, total: int) -> None:
        self.events.append(("sync_progress", (done, total)))

    def connection_changed(self, online: bool) -> None:
        self.events.append(("connection_changed", (online,)))

    def roster_warning(self, warning: RosterWarning) -> None:
        self.events.append(("roster_warning", (warning,)))

    def roster_warning_cleared(self, kind: RosterWarningKind) -> None:
        self.events.append(("roster_warning_cleared", (kind,)))

    def roster_changed(self, version: int) -> None:
        self.events.append(("roster_changed", (version,)))

    def auth_expired(self) -> None:
        self.events.append(("auth_expired", ()))


async def test_enrolment_creates_the_org_key_and_unlocks(admin_desk: EnrolledDesk) -> None:
    desk = admin_desk.desk
    assert desk.state == DeskState.UNLOCKED
    assert desk.account is not None and desk.account.role == "admin"
    assert len(desk.account.safety_number.split()) == 12
    assert desk._unlocked().trust.problem is None
    views = await desk.counsellors()
    assert [(v.username, v.in_roster, v.safety_number) for v in views] == [
        ("admin1", True, desk.account.safety_number)
    ]


async def test_read_reply_and_reporter_sees_the_reply(admin_desk: EnrolledDesk, reporter: Reporter) -> None:
    desk = admin_desk.desk
    rec = Recorder()
    desk.add_listener(rec)
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    [conv] = desk.conversations()
    assert conv.conv_id == reporter.conv_id
    assert conv.pseudonym == CANARY_PSEUDONYM and conv.age_category == "25-34"
    assert conv.unread == 1 and desk.unread_total() == 1
    assert conv.status == Status.NEW and conv.category is None
    assert conv.verification_problem is None
    assert 30 <= conv.days_until_deletion <= 31
    [msg] = desk.messages(conv.conv_id)
    assert (msg.text, msg.outgoing, msg.state, msg.author) == (
        CANARY_TEXT,
        False,
        "received",
        CANARY_PSEUDONYM,
    )
    # Notifications are content-free: a count only.
    assert ("new_messages", (1,)) in rec.events
    assert all(
        CANARY_TEXT not in repr(args) and CANARY_PSEUDONYM not in repr(args) for _n, args in rec.events
    )

    await desk.mark_read(conv.conv_id)
    assert desk.unread_total() == 0
    await desk.mark_read(conv.conv_id, read=False)
    assert desk.unread_total() == 1

    desk.save_draft(conv.conv_id, "half an answer")
    assert desk.draft(conv.conv_id) == "half an answer"
    await desk.reply(conv.conv_id, "Dank voor je bericht.")
    assert desk.draft(conv.conv_id) == ""
    assert desk.messages(conv.conv_id)[-1].state in ("queued", "sent")
    await desk.sync_now()
    last = desk.messages(conv.conv_id)[-1]
    assert (last.text, last.outgoing, last.state, last.author) == (
        "Dank voor je bericht.",
        True,
        "sent",
        "Anna Admin",
    )
    assert await reporter.replies() == [("Dank voor je bericht.", "Anna Admin")]

    # The reporter answers again: the chain continues without a problem.
    await reporter.text("nog een vraag")
    await desk.sync_now()
    assert [m.text for m in desk.messages(conv.conv_id)] == [
        CANARY_TEXT,
        "Dank voor je bericht.",
        "nog een vraag",
    ]
    assert desk.conversations()[0].verification_problem is None


async def test_notes_status_category_and_search(admin_desk: EnrolledDesk, reporter: Reporter) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    conv_id = reporter.conv_id
    await desk.add_note(conv_id, "privé notitie")
    await desk.set_status(conv_id, Status.OPEN)
    await desk.set_category(conv_id, Category.PESTEN)
    await desk.sync_now()
    [note] = desk.notes(conv_id)
    assert (note.text, note.state, note.author) == ("privé notitie", "sent", "Anna Admin")
    [summary] = desk.conversations()
    assert (summary.status, summary.category) == (Status.OPEN, Category.PESTEN)
    # Staff messages never reach the reporter.
    assert await reporter.replies() == []
    # Search is over decrypted local data.
    assert [c.conv_id for c in desk.conversations("KANARIE-BERICHT")] == [conv_id]
    assert [c.conv_id for c in desk.conversations("notitie")] == [conv_id]
    assert [c.conv_id for c in desk.conversations(CANARY_PSEUDONYM.lower())] == [conv_id]
    assert desk.conversations("niet aanwezig") == []
    assert desk.conversations(status=Status.CLOSED) == []
    assert [c.conv_id for c in desk.conversations(category=Category.PESTEN)] == [conv_id]


async def test_lock_login_and_cached_state(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
    network: TamperingTransport,
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    await desk.lock()
    assert desk.state == DeskState.LOCKED
    with pytest.raises(LockedError):
        desk.conversations()
    with pytest.raises(InvalidCredentialsError):
        await desk.login("wrong password!!", admin_desk.totp(clock))
    # A fresh process: reads only the public profile until login.
    reopened = await Desk.open(desk_config("admin"))
    assert reopened.state is DeskState.LOCKED
    assert reopened.account == desk.account
    with pytest.raises(InvalidCredentialsError):
        await reopened.login(PASSWORD, "000000")
    assert reopened.stored_data_summary().keyring_entries == ["blob-secret", "session-token"]
    assert desk.account is not None
    previous = RelayClient(RELAY_URL, token=desk._keystore(desk.account).session_token, transport=network)
    await reopened.login(PASSWORD, admin_desk.totp(clock))
    with pytest.raises(AuthExpiredError):  # the session this login replaced was logged out
        await previous.sessions()
    await previous.aclose()
    assert reopened.state.name == "UNLOCKED"
    # The decrypted state comes from the encrypted cache, before any sync.
    assert [m.text for m in reopened.messages(reporter.conv_id)] == [CANARY_TEXT]
    await reopened.close()


async def test_new_counsellor_gets_old_threads_only_when_shared(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    admin = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await admin.sync_now()
    assert admin.account is not None
    invitation = await create_invitation_for(ctx, admin.account.org_id)
    bob = await enrol_desk(desk_config("bob"), clock, invitation, "bob", "Bob de Vries")
    rec = Recorder()
    bob.desk.add_listener(rec)
    try:
        await bob.desk.sync_now()  # roster v1 does not list bob's computer yet: he is told so
        assert [n for n, _a in rec.events if n == "roster_warning"] == ["roster_warning"]
        [warning] = dict(rec.events)["roster_warning"]
        assert isinstance(warning, RosterWarning) and warning.kind is RosterWarningKind.NOT_LISTED
        assert "not in the organisation's roster" in warning.detail
        assert (await admin.publish_roster()) == 2
        assert {v.username: v.in_roster for v in await admin.counsellors()} == {"admin1": True, "bob": True}
        await bob.desk.sync_now()
        assert ("roster_changed", (2,)) in rec.events
        [conv] = bob.desk.conversations()
        assert bob.desk.messages(conv.conv_id) == []
        # Not shared with this computer yet: an expected state of its own, not a verification problem.
        assert conv.verification_problem is None
        assert (conv.pseudonym, conv.not_shared_yet, conv.waiting_for_share) == ("", 2, True)
        shared = await admin.share_conversations_with_new_devices()
        assert shared == 2  # the HELLO and the text
        assert await admin.share_conversations_with_new_devices() == 0
        await bob.desk.sync_now()
        [conv] = bob.desk.conversations()
        assert conv.pseudonym == CANARY_PSEUDONYM
        assert [m.text for m in bob.desk.messages(conv.conv_id)] == [CANARY_TEXT]
        # New messages reach both; bob's reply is attributed to bob.
        await bob.desk.reply(conv.conv_id, "Hallo, ik ben Bob.")
        await bob.desk.sync_now()
        await admin.sync_now()
        last = admin.messages(conv.conv_id)[-1]
        assert (last.text, last.author, last.outgoing) == ("Hallo, ik ben Bob.", "Bob de Vries", True)
        assert ("Hallo, ik ben Bob.", "Bob de Vries") in await reporter.replies()
        # Removing bob publishes a roster without his device.
        assert bob.desk.account is not None
        await admin.remove_counsellor(bob.desk.account.counsellor_id)
        assert {v.username for v in await admin.counsellors()} == {"admin1"}
    finally:
        await bob.desk.close()


async def test_sign_out_wipes_token_and_cache(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    data_dir = desk.config.data_dir
    assert (data_dir / "cache.sqlite3").exists()
    await desk.sign_out()
    assert desk.state == DeskState.LOCKED
    assert not (data_dir / "cache.sqlite3").exists()
    assert desk.stored_data_summary().keyring_entries == ["blob-secret"]
    await desk.login(PASSWORD, admin_desk.totp(clock))
    assert desk.conversations() == []
    await desk.sync_now()
    assert [c.conv_id for c in desk.conversations()] == [reporter.conv_id]
    assert uuid.UUID(str(reporter.conv_id))


async def test_bad_input_gets_a_clear_error_and_loses_nothing(
    admin_desk: EnrolledDesk, reporter: Reporter
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await desk.sync_now()
    conv_id = reporter.conv_id
    draft = "x" * (70 * 1024)
    desk.save_draft(conv_id, draft)
    with pytest.raises(DeskError, match="too long"):
        await desk.reply(conv_id, draft)
    with pytest.raises(DeskError, match="empty"):
        await desk.reply(conv_id, "   ")
    with pytest.raises(DeskError, match="empty"):
        await desk.add_note(conv_id, "")
    assert desk.draft(conv_id) == draft  # the draft is kept
    assert desk.messages(conv_id) == [] and desk.stored_data_summary().queued_replies == 0
    with pytest.raises(UnknownConversationError):
        await desk.reply(uuid.uuid4(), "to nowhere")
    # The chain is intact: the next reply is accepted by the reporter without a gap.
    await desk.reply(conv_id, "korter antwoord")
    await desk.sync_now()
    assert await reporter.replies() == [("korter antwoord", "Anna Admin")]
