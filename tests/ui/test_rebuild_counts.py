"""How much the UI rebuilds per change. An incoming message in the open conversation and a reply sent
update the changed list row in place and append one bubble: no list reset, no bubble rebuilt, the
unread total taken from the refresh's own conversations() result."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.core.model import ConversationSummary, DeskState, MessageView, NoteView, Status
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.conversation import ConversationView
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.inbox import InboxPage
from opgelucht_desk.ui.inbox_model import Column, InboxModel
from opgelucht_desk.ui.tasks import running_tasks
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter, type_into

Run = Callable[[Coroutine[Any, Any, Any]], Any]
COUNTERS = ("resets", "rows_inserted", "rows_removed", "rows_moved", "rows_updated")
VIEW_COUNTERS = ("bubbles_built", "bubbles_updated", "bubbles_removed", "notes_built")


def _summary(inbox: InboxPage, pseudonym: str) -> ConversationSummary:
    rows = [inbox.model.conversation(r) for r in range(inbox.model.rowCount())]
    return next(s for s in rows if s.pseudonym == pseudonym)


def _settle(qtbot: QtBot) -> None:
    """Let every spawned task finish and a few sync rounds pass: late duplicate events land here."""
    qtbot.waitUntil(lambda: running_tasks() == 0, timeout=TIMEOUT_MS)
    qtbot.wait(1500)
    qtbot.waitUntil(lambda: running_tasks() == 0, timeout=TIMEOUT_MS)


def _counts(inbox: InboxPage) -> dict[str, int]:
    view = inbox.conversation
    return {name: getattr(inbox.model, name) for name in COUNTERS} | {
        name: getattr(view, name) for name in VIEW_COUNTERS
    }


def _since(before: dict[str, int], inbox: InboxPage) -> dict[str, int]:
    return {name: value - before[name] for name, value in _counts(inbox).items()}


def test_changes_update_rows_in_place_and_append_bubbles(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    translations: Translations,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = open_desk("counter")
    controller = make_controller(desk)
    main = enrol(qtbot, controller, relay, relay.new_org("Telwerk BV")).main
    code = create_code(qtbot, main, "Hoofdkantoor")
    main.tabs.setCurrentWidget(main.inbox)
    inbox = main.inbox
    view = inbox.conversation
    model = inbox.model

    telma = run(new_reporter(tmp_path, relay, code, "Telma"))
    otto = run(new_reporter(tmp_path, relay, code, "Otto"))
    telma_conv = run(telma.open_conversation())
    run(telma.say(telma_conv, "Eerste bericht."))
    relay.clock.advance(minutes=5)
    otto_conv = run(otto.open_conversation())
    run(otto.say(otto_conv, "Een ander gesprek."))
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: _summary(inbox, "Otto").unread == 1, timeout=TIMEOUT_MS)
    assert str(model.index(0, Column.PSEUDONYM).data()) == "Otto"
    inbox.table.selectRow(1)
    qtbot.waitUntil(lambda: view.title.text() == "Telma" and len(view._bubbles) == 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: _summary(inbox, "Telma").unread == 0, timeout=TIMEOUT_MS)
    _settle(qtbot)
    assert controller.notifier.unread == 1 and main.windowTitle().startswith("(1) ")
    scroll = inbox.table.verticalScrollBar().value()

    calls: list[tuple[object, ...]] = []
    real_conversations = desk.conversations

    def counted_conversations(*args: Any, **kwargs: Any) -> list[ConversationSummary]:
        calls.append(args)
        return real_conversations(*args, **kwargs)

    monkeypatch.setattr(desk, "conversations", counted_conversations)
    monkeypatch.setattr(desk, "unread_total", lambda: pytest.fail("the refresh counts unread itself"))

    # An incoming message in the open conversation: its row moves to the top, updated once, and the
    # new message is one new bubble; the list is not rebuilt, the selection stays.
    before, refreshes, first_bubble = _counts(inbox), inbox.refreshes, view._bubbles[0]
    relay.clock.advance(minutes=5)
    run(telma.say(telma_conv, "Tweede bericht."))
    qtbot.waitUntil(lambda: len(view._bubbles) == 2, timeout=TIMEOUT_MS)
    _settle(qtbot)
    incoming = _since(before, inbox)
    assert incoming == {
        "resets": 0,
        "rows_inserted": 0,
        "rows_removed": 0,
        "rows_moved": 1,
        "rows_updated": 1,
        "bubbles_built": 1,
        "bubbles_updated": 0,
        "bubbles_removed": 0,
        "notes_built": 0,
    }
    assert view._bubbles[0] is first_bubble
    assert [model.conversation(r).pseudonym for r in range(2)] == ["Telma", "Otto"]
    assert [i.row() for i in inbox.table.selectionModel().selectedRows()] == [0]
    assert str(model.index(0, Column.UNREAD).data()) == ""
    assert controller.notifier.unread == 1 and main.windowTitle().startswith("(1) ")
    assert inbox.table.verticalScrollBar().value() == scroll
    # One conversations() call per refresh gives both the rows and the unread total.
    assert len(calls) == inbox.refreshes - refreshes

    # A reply sent: one bubble appended (queued, then sent in that same bubble), no rebuild.
    before, refreshes = _counts(inbox), inbox.refreshes
    calls.clear()
    relay.clock.advance(minutes=5)
    type_into(view.reply, "Dank je, ik lees mee.")
    QTest.keyClick(view.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: any(b.message.outgoing and b.message.state == "sent" for b in view._bubbles),
        timeout=TIMEOUT_MS,
    )
    _settle(qtbot)
    reply = _since(before, inbox)
    assert reply["resets"] == 0 and reply["rows_inserted"] == 0 and reply["rows_removed"] == 0
    assert reply["bubbles_built"] == 1 and reply["bubbles_removed"] == 0 and reply["notes_built"] == 0
    assert reply["bubbles_updated"] <= 1, "queued → sent updates the reply's own bubble"
    assert len(view._bubbles) == 3 and view._bubbles[0] is first_bubble
    assert [i.row() for i in inbox.table.selectionModel().selectedRows()] == [0]
    assert len(calls) == inbox.refreshes - refreshes

    # Duplicate change events of one moment (the core's and the view's own) give one refresh, and a
    # refresh without changes touches no widget.
    before, refreshes = _counts(inbox), inbox.refreshes
    controller.events.inbox_changed()
    controller.events.inbox_changed()
    view.changed.emit()
    qtbot.waitUntil(lambda: inbox.refreshes == refreshes + 1, timeout=TIMEOUT_MS)
    qtbot.wait(100)
    assert inbox.refreshes == refreshes + 1
    assert _since(before, inbox) == dict.fromkeys(COUNTERS + VIEW_COUNTERS, 0)


def _row(name: str, minute: int, unread: int = 0) -> ConversationSummary:
    return ConversationSummary(
        conv_id=uuid.uuid5(uuid.NAMESPACE_DNS, name),
        pseudonym=name,
        age_category=None,
        gender=None,
        last_activity=datetime(2026, 12, 1, 9, minute, tzinfo=UTC),
        unread=unread,
        status=Status.NEW,
        category=None,
        days_until_deletion=30,
        verification_problem=None,
    )


def test_the_inbox_model_moves_inserts_removes_and_updates_rows_in_place(qtbot: QtBot) -> None:
    model = InboxModel()
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    model.set_conversations([_row("a", 5), _row("b", 4), _row("c", 3), _row("d", 2)])
    assert model.resets == 1
    table.selectRow(2)  # "c"
    resets: list[None] = []
    model.modelReset.connect(lambda: resets.append(None))

    # "c" gets a new message (to the top, unread), "b" goes (filtered away), "e" arrives at the end.
    model.update_conversations([_row("c", 9, unread=1), _row("a", 5), _row("d", 2), _row("e", 1)])
    assert [model.conversation(r).pseudonym for r in range(model.rowCount())] == ["c", "a", "d", "e"]
    assert model.conversation(0).unread == 1
    assert (model.rows_removed, model.rows_moved, model.rows_inserted, model.rows_updated) == (1, 1, 1, 1)
    assert not resets
    assert [i.row() for i in table.selectionModel().selectedRows()] == [0], "the selection follows its row"

    # Nothing changed: nothing happens.
    model.update_conversations(model.rows())
    assert (model.rows_removed, model.rows_moved, model.rows_inserted, model.rows_updated) == (1, 1, 1, 1)

    # Everything at once (e.g. a filter cleared): still the same rows as a reset would give.
    target = [_row(name, 30 - i) for i, name in enumerate("fedcba")]
    model.update_conversations(target)
    assert model.rows() == target and not resets


class _FakeDesk:
    """Just what the conversation view reads of a desk."""

    state = DeskState.UNLOCKED

    def __init__(self) -> None:
        self.chat: list[MessageView] = []

    def messages(self, _conv_id: uuid.UUID) -> list[MessageView]:
        return list(self.chat)

    def notes(self, _conv_id: uuid.UUID) -> list[NoteView]:
        return []

    def draft(self, _conv_id: uuid.UUID) -> str:
        return ""

    def save_draft(self, _conv_id: uuid.UUID, _text: str) -> None:
        pass


def _message(name: str, minute: int, *, outgoing: bool = False, state: str = "received") -> MessageView:
    return MessageView(
        msg_id=uuid.uuid5(uuid.NAMESPACE_DNS, name),
        outgoing=outgoing,
        author="Jan" if outgoing else "Telma",
        text=f"tekst {name}",
        sent_at=datetime(2026, 12, 1, 9, minute, tzinfo=UTC),
        state=state,  # type: ignore[arg-type]
    )


def test_bubbles_are_matched_by_message_id(qtbot: QtBot, translations: Translations) -> None:
    desk = _FakeDesk()
    view = ConversationView(cast(Desk, desk))
    qtbot.addWidget(view)
    desk.chat = [_message("in1", 1), _message("reply", 2, outgoing=True, state="queued")]
    view.show_conversation(_row("Telma", 2))
    assert view.bubbles_built == 2
    first, reply = view._bubbles

    # A message arrives before the queued reply, and the reply is sent meanwhile: one new bubble, the
    # reply's bubble updated in place and kept last.
    desk.chat = [_message("in1", 1), _message("in2", 3), _message("reply", 2, outgoing=True, state="sent")]
    view.reload()
    assert (view.bubbles_built, view.bubbles_updated, view.bubbles_removed) == (3, 1, 0)
    assert view._bubbles[0] is first and view._bubbles[2] is reply
    assert reply.message.state == "sent" and "verstuurd" in reply.meta.text()
    layout = view.messages_layout
    assert [layout.indexOf(b) for b in view._bubbles] == [1, 2, 3], "in order, after the stretch"

    # Unchanged: nothing happens.
    view.reload()
    assert (view.bubbles_built, view.bubbles_updated, view.bubbles_removed) == (3, 1, 0)


class _FakeInboxDesk(_FakeDesk):
    """A desk whose inbox has one unread conversation and whose cache cannot be written."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = [_row("Telma", 5, unread=2), _row("Otto", 4)]
        self.calls = 0

    def conversations(self, query: str = "") -> list[ConversationSummary]:
        self.calls += 1
        return [r for r in self.rows if query.casefold() in r.pseudonym.casefold()]

    async def mark_read(self, _conv_id: uuid.UUID) -> None:
        raise OSError("disk full")


def test_a_conversation_that_could_not_be_marked_read_is_listed_unread(
    qtbot: QtBot, translations: Translations, qloop: object
) -> None:
    desk = _FakeInboxDesk()
    inbox = InboxPage(cast(Desk, desk))
    qtbot.addWidget(inbox)
    inbox.refresh()
    assert desk.calls == 1 and inbox.unread_total == 2
    totals: list[int] = []
    inbox.unread_changed.connect(totals.append)
    inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: inbox.conversation.error.isVisibleTo(inbox), timeout=TIMEOUT_MS)
    assert inbox.model.conversation(0).unread == 2
    inbox.refresh()  # listed read while marking it read, then unread again when that fails
    qtbot.waitUntil(lambda: totals[-1:] == [2], timeout=TIMEOUT_MS)
    assert inbox.model.conversation(0).unread == 2 and inbox.model.resets == 0
