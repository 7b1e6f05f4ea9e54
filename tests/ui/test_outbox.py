"""A reply written while the relay is down waits visibly in the outbox and is sent once it is back."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.keystore import TEST_KDF
from opgelucht_desk.ui.controller import Controller
from opgelucht_relay.clock import unix
from ui.conftest import make_keyring
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter, type_into

Run = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture
def own_relay(tmp_path: Path) -> Iterator[list[RelayServer]]:
    """A relay of this test alone (it is stopped and restarted); the list holds the current one."""
    servers = [RelayServer(tmp_path / "relay")]
    servers[0].start()
    yield servers
    servers[-1].stop()


def test_reply_waits_while_the_relay_is_down_and_is_sent_afterwards(
    qtbot: QtBot,
    own_relay: list[RelayServer],
    run: Run,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    relay = own_relay[0]
    config = DeskConfig(
        data_dir=tmp_path / "desk",
        keyring_backend=make_keyring(tmp_path / "keyring"),
        kdf=TEST_KDF,
        clock=lambda: unix(relay.clock.now()),
        poll_interval=0.5,
    )
    desk: Desk = run(Desk.open(config))
    controller = make_controller(desk)
    main = enrol(
        qtbot, controller, relay, relay.new_org("Uitval BV"), username="uitval", display_name="Uma"
    ).main
    code = create_code(qtbot, main, "Magazijn")
    main.tabs.setCurrentWidget(main.inbox)
    reporter = run(new_reporter(tmp_path, relay, code, "Joost"))
    conv_id = run(reporter.open_conversation())
    run(reporter.say(conv_id, "Is hier iemand?"))
    inbox = main.inbox
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=TIMEOUT_MS)
    inbox.table.selectRow(0)
    view = inbox.conversation
    qtbot.waitUntil(lambda: len(view._bubbles) == 1, timeout=TIMEOUT_MS)

    relay.stop()
    type_into(view.reply, "Ja, ik lees mee. Ik antwoord zo snel als ik kan.")
    QTest.keyClick(view.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(b.message.state == "queued" for b in view._bubbles), timeout=TIMEOUT_MS)
    queued = next(b for b in view._bubbles if b.message.state == "queued")
    assert "in wachtrij" in queued.meta.text()
    # The queued bubble fits the conversation: no horizontal scroll bar, nothing clipped.
    main.resize(760, 560)
    view.splitter.setSizes([380, 380])  # notes panel dragged wide: the chat at its minimum width
    qtbot.waitUntil(lambda: queued.width() <= view.messages_area.viewport().width(), timeout=TIMEOUT_MS)
    assert not view.messages_area.horizontalScrollBar().isVisible()
    assert queued.meta.width() >= queued.meta.minimumSizeHint().width()
    qtbot.waitUntil(lambda: main.connection.text().startswith("Offline"), timeout=TIMEOUT_MS)

    back = RelayServer(relay.directory, port=relay.port, clock=relay.clock)
    own_relay.append(back)
    back.start()
    qtbot.waitUntil(
        lambda: any(b.message.outgoing and b.message.state == "sent" for b in view._bubbles),
        timeout=TIMEOUT_MS,
    )
    assert not any(b.message.state == "queued" for b in view._bubbles)
    replies = [m.text for m in run(reporter.read(conv_id)) if not m.from_me]
    assert replies == ["Ja, ik lees mee. Ik antwoord zo snel als ik kan."], "sent once, not lost, not doubled"
    run(reporter.aclose())
