"""A conversation not shared with this computer yet is a neutral, explained state, in the inbox row and
the conversation view: grey, no ⚠, no "Verificatieprobleem", in Dutch and English. A real verification
problem stays red (issue: a new counsellor's first view of an older conversation looked like an attack).
The desk is a stand-in with the facade's few calls; the summaries are what the core hands over."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.core.model import ConversationSummary, DeskState, Status
from opgelucht_desk.ui.conversation import ConversationView
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.inbox_model import Column, InboxModel
from ui.flows import new_reporter

Run = Callable[[Coroutine[Any, Any, Any]], Any]
PASSWORD = "lange wachtzin voor de test"

WAITING_NL = (
    "Nog niet gedeeld met deze computer: een collega deelt oudere berichten zodra de beheerder de lijst "
    "publiceert."
)
WAITING_EN = (
    "Not shared with this computer yet: a colleague shares older messages as soon as the administrator "
    "publishes the list."
)
RED = QColor("#b3261e")


class StandIn:
    """The facade calls the conversation view makes."""

    state = DeskState.UNLOCKED

    def colleagues(self, _conv: object) -> list[Any]:
        return []

    def handovers(self, _conv: object) -> list[Any]:
        return []

    def messages(self, _conv: object) -> list[Any]:
        return []

    def notes(self, _conv: object) -> list[Any]:
        return []

    def draft(self, _conv: object) -> str:
        return ""

    def save_draft(self, _conv: object, _text: str) -> None:
        pass


def _summary(
    pseudonym: str = "", *, problem: str | None = None, not_shared: int = 0, waiting: bool = False
) -> ConversationSummary:
    return ConversationSummary(
        conv_id=uuid.uuid4(),
        pseudonym=pseudonym,
        age_category=None,
        gender=None,
        last_activity=datetime(2026, 12, 1, tzinfo=UTC),
        unread=0,
        status=Status.NEW,
        category=None,
        days_until_deletion=31,
        verification_problem=problem,
        not_shared_yet=not_shared,
        waiting_for_share=waiting,
    )


def _row(model: InboxModel, role: Qt.ItemDataRole) -> object:
    return model.index(0, Column.PSEUDONYM).data(role)


def test_the_inbox_row_of_a_conversation_not_shared_yet_is_grey_and_explained(
    qtbot: QtBot, translations: Translations
) -> None:
    model = InboxModel()
    model.set_conversations([_summary(not_shared=2, waiting=True)])
    assert _row(model, Qt.ItemDataRole.DisplayRole) == "Nog niet gedeeld met deze computer"
    assert _row(model, Qt.ItemDataRole.ToolTipRole) == WAITING_NL
    brush = _row(model, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color() != RED
    assert brush.color() == QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
    # A real problem stays red with its ⚠, whatever else is not shared yet.
    model.set_conversations([_summary("Kim", problem="a message failed verification", not_shared=1)])
    assert _row(model, Qt.ItemDataRole.DisplayRole) == "⚠ Kim"
    foreground = _row(model, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(foreground, QBrush) and foreground.color() == RED
    assert str(_row(model, Qt.ItemDataRole.ToolTipRole)).startswith("Verificatieprobleem")
    translations.switch("en")
    model.set_conversations([_summary(not_shared=2, waiting=True)])
    assert _row(model, Qt.ItemDataRole.DisplayRole) == "Not shared with this computer yet"
    assert _row(model, Qt.ItemDataRole.ToolTipRole) == WAITING_EN


def test_the_conversation_view_explains_it_without_a_verification_problem(
    qtbot: QtBot, translations: Translations
) -> None:
    view = ConversationView(cast(Desk, StandIn()))
    qtbot.addWidget(view)
    view.show()
    view.show_conversation(_summary(not_shared=2, waiting=True))
    assert view.title.text() == "Nog niet gedeeld met deze computer"
    assert view.share_notice.isVisible() and view.share_notice.text() == WAITING_NL
    assert view.share_notice.objectName() == "shareNotice"  # neutral style, not the red warningBanner
    assert not view.problem.isVisible()
    # History not shared (yet) beside readable messages: said so, calmly.
    view.show_conversation(_summary("Kim", not_shared=1))
    assert view.title.text() == "Kim" and not view.problem.isVisible()
    assert view.share_notice.text() == (
        "Oudere berichten zijn nog niet met deze computer gedeeld; een collega die ze heeft, kan ze delen."
    )
    # A real problem is red as before; the notice says the rest.
    view.show_conversation(_summary("Kim", problem="a message failed verification", not_shared=1))
    assert view.problem.isVisible() and view.problem.objectName() == "warningBanner"
    assert view.problem.text().startswith("Verificatieprobleem in dit gesprek")
    view.show_conversation(_summary("Kim"))
    assert not view.problem.isVisible() and not view.share_notice.isVisible()
    view.show_conversation(_summary(not_shared=2, waiting=True))
    translations.switch("en")
    qtbot.waitUntil(lambda: view.title.text() == "Not shared with this computer yet")
    assert view.share_notice.text() == WAITING_EN


def test_a_new_counsellors_first_view_of_an_older_conversation_is_calm(
    qtbot: QtBot,
    translations: Translations,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    tmp_path: Path,
) -> None:
    """Real desks on the real relay: Sanne is listed after the conversation started and nobody has shared
    it with her computer yet. Her inbox row and conversation view are grey and explained; once Anna's
    desk shares it, the pseudonym and the messages appear, with no notice and no problem."""
    anna, sanne = open_desk("anna"), open_desk("sanne")

    async def enrol(desk: Desk, invitation: str, name: str) -> None:
        challenge = await desk.enrol_start(relay.url, invitation, name.lower(), name, PASSWORD)
        await desk.enrol_finish(challenge, relay.totp(challenge.totp_secret))

    run(enrol(anna, relay.new_org("Gedeeld BV"), "Anna"))
    code = run(anna.create_code("Poster")).code
    reporter = run(new_reporter(tmp_path, relay, code, "Kim"))
    conv_id = run(reporter.open_conversation())
    run(reporter.say(conv_id, "Eerste bericht van Kim"))
    run(enrol(sanne, run(anna.invite()), "Sanne"))
    run(sanne.sync_now())  # her desk runs before the admin lists it (roster 1 does not list it)
    run(anna.publish_roster())
    run(sanne.sync_now())
    model = InboxModel()
    model.set_conversations(sanne.conversations())
    assert model.rowCount() == 1
    assert _row(model, Qt.ItemDataRole.DisplayRole) == "Nog niet gedeeld met deze computer"
    assert _row(model, Qt.ItemDataRole.ToolTipRole) == WAITING_NL
    foreground = _row(model, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(foreground, QBrush) and foreground.color() != RED
    view = ConversationView(sanne)
    qtbot.addWidget(view)
    view.show()
    [summary] = sanne.conversations()
    view.show_conversation(summary)
    assert view.share_notice.isVisible() and view.share_notice.text() == WAITING_NL
    assert not view.problem.isVisible() and "Verificatieprobleem" not in view.problem.text()
    run(anna.share_conversations_with_new_devices())
    run(sanne.sync_now())
    [summary] = sanne.conversations()
    model.set_conversations([summary])
    view.show_conversation(summary)
    assert _row(model, Qt.ItemDataRole.DisplayRole) == "Kim"
    assert view.title.text() == "Kim" and not view.share_notice.isVisible() and not view.problem.isVisible()
    assert [b.bubble.text() for b in view._bubbles] == ["Eerste bericht van Kim"]
    run(reporter.aclose())
