"""Who reads, in the UI (docs/protocol.md §16): the conversation header in Dutch ("alleen u", "u en
Anouk", "alle vertrouwenspersonen"), the handover action and its states, and the Settings box where a
counsellor enters how reporters see them. The desk is a stand-in with the facade's few calls."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from pytestqt.qtbot import QtBot

from opgelucht_desk.core.model import (
    Colleague,
    ConversationSummary,
    HandoverView,
    Presentation,
    Status,
)
from opgelucht_desk.ui.conversation import ConversationView
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.presentation import PresentationBox

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk

CONV = uuid.UUID("6f9b1c2e-4a3d-4e5f-8a7b-9c0d1e2f3a4b")
ANOUK = Colleague(uuid.uuid4(), "Anouk", "extern", {"nl": "afwezig tot 12 januari"})


class StandIn:
    """The facade calls the conversation header makes."""

    def __init__(self) -> None:
        self.colleague_list: list[Colleague] = [ANOUK]
        self.requests: list[HandoverView] = []

    def colleagues(self, _conv: object) -> list[Colleague]:
        return self.colleague_list

    def handovers(self, _conv: object) -> list[HandoverView]:
        return self.requests

    def messages(self, _conv: object) -> list[Any]:
        return []

    def notes(self, _conv: object) -> list[Any]:
        return []

    def draft(self, _conv: object) -> str:
        return ""

    def save_draft(self, _conv: object, _text: str) -> None:
        pass


def _summary(readers: tuple[str, ...] | None) -> ConversationSummary:
    return ConversationSummary(
        conv_id=CONV,
        pseudonym="Sanne",
        age_category=None,
        gender=None,
        last_activity=datetime(2026, 12, 1, tzinfo=UTC),
        unread=0,
        status=Status.NEW,
        category=None,
        days_until_deletion=31,
        verification_problem=None,
        readers=readers,
    )


def test_the_header_says_who_reads_and_shows_the_handover_state(
    qtbot: QtBot, translations: Translations
) -> None:
    desk = StandIn()
    view = ConversationView(cast("Desk", desk))
    qtbot.addWidget(view)
    view.show()
    view.show_conversation(_summary(None))
    assert view.readers.text() == "Wie leest mee: alle vertrouwenspersonen"
    assert not view.handover_button.isVisible() and not view.handover_state.isVisible()
    view.show_conversation(_summary(()))
    assert view.readers.text() == "Wie leest mee: alleen u"
    assert view.handover_button.isVisible() and view.handover_button.text() == "&Collega erbij vragen…"
    desk.requests = [HandoverView(uuid.uuid4(), "Anouk", "Jan", "asked")]
    view.show_conversation(_summary(()))
    assert view.handover_state.text() == "Overdracht: Anouk: gevraagd aan de melder, nog geen antwoord"
    desk.requests = [replace(desk.requests[0], state="declined")]
    view.show_conversation(_summary(()))
    assert view.handover_state.text() == "Overdracht: Anouk: geweigerd door de melder"
    desk.requests, desk.colleague_list = [replace(desk.requests[0], state="accepted")], []
    view.show_conversation(_summary(("Anouk",)))
    assert view.readers.text() == "Wie leest mee: u en Anouk"
    assert "geaccepteerd door de melder" in view.handover_state.text()
    assert not view.handover_button.isVisible()  # nobody left to bring in
    translations.switch("en")
    qtbot.waitUntil(lambda: view.readers.text().startswith("Who"))
    assert view.readers.text() == "Who can read it: you and Anouk"


def test_settings_presentation_box_round_trip(qtbot: QtBot, translations: Translations) -> None:
    box = PresentationBox(cast("Desk", StandIn()))
    qtbot.addWidget(box)
    assert box.title() == "Hoe melders u zien"
    value = Presentation(
        role="intern",
        intro={"nl": "Ik ben Jan.", "en": "I am Jan."},
        availability={"nl": "ma t/m do", "en": "Mon to Thu"},
    )
    box.show_presentation(value)
    assert box.current() == value
    box.show_presentation(Presentation())
    assert box.current() == Presentation(
        role="", intro={"nl": "", "en": ""}, availability={"nl": "", "en": ""}
    )
