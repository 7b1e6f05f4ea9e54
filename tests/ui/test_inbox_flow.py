"""A counsellor's day against a real relay and the reference reporter client (the mobile app):
receive, get a content-free notification, read, reply, drafts, status, category, notes, search, lock."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.core.model import Category, Status
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.conversation import MessageBubble
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.inbox import InboxPage
from opgelucht_desk.ui.inbox_model import Column
from opgelucht_desk.ui.login import LoginWindow
from opgelucht_desk.ui.preferences import Preferences
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter, type_into

Run = Callable[[Coroutine[Any, Any, Any]], Any]
CANARY_TEXT = "Mijn leidinggevende CANARY-7731 maakt steeds opmerkingen"
CANARY_NAME = "Merel-CANARY"


def _row_text(inbox: InboxPage, row: int, column: Column) -> str:
    return str(inbox.model.index(row, column).data())


def _select(qtbot: QtBot, inbox: InboxPage, pseudonym: str) -> None:
    row = next(r for r in range(inbox.model.rowCount()) if inbox.model.conversation(r).pseudonym == pseudonym)
    inbox.table.selectRow(row)
    qtbot.waitUntil(lambda: inbox.conversation.title.text() == pseudonym, timeout=TIMEOUT_MS)


def _visible_texts() -> list[str]:
    return [w.text() for w in QApplication.allWidgets() if isinstance(w, QLabel)]


def test_receive_notify_read_reply_organise_and_lock(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    preferences: Preferences,
    translations: Translations,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    desk = open_desk("counsellor")
    controller = make_controller(desk)
    main = enrol(qtbot, controller, relay, relay.new_org("Zorggroep Oost")).main
    code = create_code(qtbot, main, "Locatie Noord")
    main.tabs.setCurrentWidget(main.inbox)
    inbox = main.inbox

    merel = run(new_reporter(tmp_path, relay, code, CANARY_NAME))
    conv_id = run(merel.open_conversation())
    notified: list[tuple[str, str]] = []
    controller.notifier.notified.connect(lambda title, body: notified.append((title, body)))
    with qtbot.waitSignal(controller.notifier.notified, timeout=TIMEOUT_MS):
        run(merel.say(conv_id, CANARY_TEXT))

    # The notification is generic: no text, no pseudonym.
    assert notified[-1] == ("Opgelucht Desk", "Nieuw bericht in een gesprek")
    assert all(CANARY_NAME not in t + b and "CANARY-7731" not in t + b for t, b in notified)
    # The list follows within one coalesced refresh (a few ms after the notice, ui/inbox.py).
    qtbot.waitUntil(
        lambda: inbox.model.rowCount() == 1 and _row_text(inbox, 0, Column.UNREAD) == "1", timeout=TIMEOUT_MS
    )
    assert _row_text(inbox, 0, Column.PSEUDONYM) == CANARY_NAME
    assert _row_text(inbox, 0, Column.UNREAD) == "1"
    assert _row_text(inbox, 0, Column.STATUS) == "nieuw"
    assert controller.notifier.unread == 1

    # Reading shows the message as a bubble and clears the unread badge.
    _select(qtbot, inbox, CANARY_NAME)
    view = inbox.conversation
    qtbot.waitUntil(lambda: any(b.message.text == CANARY_TEXT for b in view._bubbles), timeout=TIMEOUT_MS)
    incoming = next(b for b in view._bubbles if b.message.text == CANARY_TEXT)
    assert incoming.bubble.objectName() == "bubbleIn" and "ontvangen" in incoming.meta.text()
    qtbot.waitUntil(lambda: _row_text(inbox, 0, Column.UNREAD) == "", timeout=TIMEOUT_MS)
    assert "25-34" in view.profile.text()

    # Reply with Ctrl+Enter: shown as sent, and the reporter's app receives it from the counsellor.
    type_into(view.reply, "Dank voor je bericht. Wil je vertellen wat er gebeurde?")
    QTest.keyClick(view.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert view.reply.toPlainText() == ""
    qtbot.waitUntil(
        lambda: any(b.message.outgoing and b.message.state == "sent" for b in view._bubbles),
        timeout=TIMEOUT_MS,
    )
    replies = [m for m in run(merel.read(conv_id)) if not m.from_me]
    assert [(m.text, m.counsellor_name) for m in replies] == [
        ("Dank voor je bericht. Wil je vertellen wat er gebeurde?", "Jan de Vries")
    ]

    # Status and category, as chosen in the combo boxes, land in the inbox and its filters.
    view.status.setCurrentIndex(view.status.findData(Status.OPEN))
    view.status.activated.emit(view.status.currentIndex())
    qtbot.waitUntil(lambda: _row_text(inbox, 0, Column.STATUS) == "in behandeling", timeout=TIMEOUT_MS)
    view.category.setCurrentIndex(view.category.findData(Category.PESTEN))
    view.category.activated.emit(view.category.currentIndex())
    qtbot.waitUntil(lambda: _row_text(inbox, 0, Column.CATEGORY) == "pesten", timeout=TIMEOUT_MS)
    inbox.status_filter.setCurrentIndex(inbox.status_filter.findData(Status.CLOSED))
    inbox.status_filter.activated.emit(inbox.status_filter.currentIndex())
    assert inbox.model.rowCount() == 0
    inbox.status_filter.setCurrentIndex(inbox.status_filter.findData(Status.OPEN))
    inbox.status_filter.activated.emit(inbox.status_filter.currentIndex())
    assert inbox.model.rowCount() == 1

    # A private note shows in the notes panel and never reaches the reporter.
    type_into(view.note_input, "Terugbellen op dinsdag")
    QTest.mouseClick(view.add_note_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any("Terugbellen op dinsdag" in view.notes.item(i).text() for i in range(view.notes.count())),
        timeout=TIMEOUT_MS,
    )
    assert all("Terugbellen" not in m.text for m in run(merel.read(conv_id)))

    # A second conversation: the draft of the first survives switching back and forth.
    sanne = run(new_reporter(tmp_path, relay, code, "Sanne"))
    sanne_conv = run(sanne.open_conversation())
    run(sanne.say(sanne_conv, "Hallo, ik wil iets melden over een collega."))
    inbox.status_filter.setCurrentIndex(0)
    inbox.status_filter.activated.emit(0)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=TIMEOUT_MS)
    type_into(view.reply, "Half af antwoord")
    _select(qtbot, inbox, "Sanne")
    assert view.reply.toPlainText() == ""
    _select(qtbot, inbox, CANARY_NAME)
    assert view.reply.toPlainText() == "Half af antwoord"

    # Search runs over the decrypted local data: message text finds the conversation.
    type_into(inbox.search, "collega")
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=TIMEOUT_MS)
    assert _row_text(inbox, 0, Column.PSEUDONYM) == "Sanne"
    inbox.search.clear()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=TIMEOUT_MS)

    # Locking destroys every widget that showed decrypted content.
    assert any("CANARY-7731" in t for t in _visible_texts())
    with qtbot.waitSignal(controller.locked, timeout=TIMEOUT_MS):
        controller.lock()
    assert isinstance(controller.window, LoginWindow)
    qtbot.waitUntil(
        lambda: not any(isinstance(w, MessageBubble) for w in QApplication.allWidgets()), timeout=TIMEOUT_MS
    )
    assert not any("CANARY" in t for t in _visible_texts())
    assert not any(
        "CANARY" in getattr(w, "toPlainText", lambda: "")()
        for w in QApplication.allWidgets()
        if isinstance(w, QWidget)
    )
    run(merel.aclose())
    run(sanne.aclose())
