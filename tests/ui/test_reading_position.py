"""A message that arrives in the open conversation is appended: the reader keeps their place, the
bubbles already shown stay as they are, and the view follows new messages only when it was at the end."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from kit.relay import RelayServer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.i18n import Translations
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def test_new_message_keeps_the_reading_position(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    translations: Translations,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    controller = make_controller(open_desk("reader"))
    main = enrol(
        qtbot, controller, relay, relay.new_org("Leesplek BV"), username="lezer", display_name="Lies"
    ).main
    main.resize(1000, 640)
    code = create_code(qtbot, main, "Kantoor")
    main.tabs.setCurrentWidget(main.inbox)
    reporter = run(new_reporter(tmp_path, relay, code, "Ruben"))
    conv_id = run(reporter.open_conversation())
    for i in range(25):
        run(reporter.say(conv_id, f"Bericht nummer {i}: " + "er gebeurde iets op de afdeling. " * 3))
    inbox = main.inbox
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: inbox.model.conversation(0).unread == 25, timeout=TIMEOUT_MS)
    inbox.table.selectRow(0)
    view = inbox.conversation
    qtbot.waitUntil(lambda: len(view._bubbles) == 25, timeout=TIMEOUT_MS)
    bar = view.messages_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=TIMEOUT_MS)

    # Scrolled back to read the first messages: a new one must not move the view.
    bar.setValue(0)
    first = view._bubbles[0]
    run(reporter.say(conv_id, "Nog een bericht terwijl u terugleest."))
    qtbot.waitUntil(lambda: len(view._bubbles) == 26, timeout=TIMEOUT_MS)
    for _ in range(3):  # the layout and scroll range follow the new bubble in posted events
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    assert bar.value() == 0, "the reading position is kept"
    assert view._bubbles[0] is first, "bubbles already shown are not rebuilt"

    # At the end, the view follows the conversation.
    bar.setValue(bar.maximum())
    run(reporter.say(conv_id, "En nog een."))
    qtbot.waitUntil(lambda: len(view._bubbles) == 27, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=TIMEOUT_MS)
    assert not view.messages_area.horizontalScrollBar().isVisible()

    # "What is stored about me" counts what is there when the page is opened, without "Refresh".
    main.tabs.setCurrentWidget(main.settings)
    stored = main.settings.stored.text()
    assert "• 1 gesprek\n" in stored and "• 0 berichten" not in stored
