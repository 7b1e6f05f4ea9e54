"""The admin's Organisation page against a real relay (issue 10, items 5-7): the lists follow a colleague
who enrols without a re-login, publishing the list shares the open conversations with the new computers,
F5 refreshes, the key-backup fields are labelled, and a poster PDF can be saved per code."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.core.errors import OfflineError
from opgelucht_desk.protocol.keys import safety_number
from opgelucht_desk.ui.admin_key_backup import KeyBackupTab
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.preferences import Preferences
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter

Run = Callable[[Coroutine[Any, Any, Any]], Any]
FAST_POLL_MS = 100


def _click_yes(qtbot: QtBot) -> None:
    def box() -> QMessageBox | None:
        return next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None
        )

    qtbot.waitUntil(lambda: box() is not None, timeout=TIMEOUT_MS)
    found = box()
    assert found is not None
    yes = found.button(QMessageBox.StandardButton.Yes)
    assert yes is not None
    QTest.mouseClick(yes, Qt.MouseButton.LeftButton)


def test_the_counsellor_list_follows_an_enrolment_and_publishing_shares_the_conversations(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    admin_desk = open_desk("admin")
    admin = make_controller(admin_desk)
    main = enrol(
        qtbot, admin, relay, relay.new_org("Stichting Oost"), username="beheer", display_name="Bea"
    ).main
    page = main.admin
    assert page is not None
    code = create_code(qtbot, main, "Hoofdkantoor")
    reporter = run(new_reporter(tmp_path, relay, code, "Merel"))
    conv_id = run(reporter.open_conversation())
    run(reporter.say(conv_id, "Een bericht van voor de nieuwe collega."))
    run(reporter.aclose())

    counsellors = page.counsellors
    page.tabs.setCurrentWidget(counsellors)
    page.poll.setInterval(FAST_POLL_MS)
    main.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: len(counsellors.counsellors) == 1, timeout=TIMEOUT_MS)
    assert page.poll.isActive(), "the lists poll while the page is on screen"
    assert counsellors.pending.isHidden(), "everyone is listed: no banner"
    counsellors.table.selectRow(0)
    QTest.mouseClick(counsellors.invite_counsellor, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(counsellors.invitation.isVisible, timeout=TIMEOUT_MS)

    colleague_desk = open_desk("colleague")
    colleague = make_controller(colleague_desk, Preferences(tmp_path / "prefs2"))
    enrol(qtbot, colleague, relay, counsellors.invitation.text(), username="karel", display_name="Karel")
    main.tabs.setCurrentWidget(page)  # the admin's window, as it stood; nobody calls load()

    qtbot.waitUntil(lambda: len(counsellors.counsellors) == 2, timeout=TIMEOUT_MS)
    assert admin_desk.account is not None
    assert counsellors.selected_id() == admin_desk.account.counsellor_id, (
        "the selection stays on the same person when the list changes (Remove must not hit another)"
    )
    row = next(r for r in range(2) if counsellors.table.item(r, 1).text() == "karel")  # type: ignore[union-attr]
    assert counsellors.table.item(row, 4).text() == "nee, nog niet"  # type: ignore[union-attr]
    assert counsellors.pending.isVisible() and "Karel" in counsellors.pending_text.text()

    # Publishing from the banner also shares the open conversation with Karel's computer.
    QTest.mouseClick(counsellors.pending_publish, Qt.MouseButton.LeftButton)
    _click_yes(qtbot)
    qtbot.waitUntil(lambda: "leesbaar" in counsellors.feedback.text(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(counsellors.pending.isHidden, timeout=TIMEOUT_MS)
    assert counsellors.share.isHidden(), "no separate step left to forget"
    run(colleague_desk.sync_now())
    texts = [m.text for m in colleague_desk.messages(conv_id)]
    assert texts == ["Een bericht van voor de nieuwe collega."], "Karel reads the conversation from before"

    # A code made elsewhere shows on F5 at once (the poll is slowed down to tell them apart).
    page.poll.setInterval(3_600_000)
    codes = page.codes
    page.tabs.setCurrentWidget(codes)
    run(admin_desk.create_code("Elders aangemaakt"))
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=TIMEOUT_MS)
    QTest.keyClick(codes.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: any(c.label == "Elders aangemaakt" for c in codes.codes), timeout=TIMEOUT_MS)
    assert page.refresh.text().replace("&", "") == "Vernieuwen"

    main.tabs.setCurrentWidget(main.inbox)
    assert not page.poll.isActive(), "no polling while the admin page is hidden"


def test_a_poster_is_saved_for_the_selected_code(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    desk = open_desk("admin")
    main = enrol(
        qtbot, make_controller(desk), relay, relay.new_org("Gemeente Posterdam"), username="pos"
    ).main
    code = create_code(qtbot, main, "Stadhuis")
    assert main.admin is not None
    codes = main.admin.codes
    row = next(r for r, c in enumerate(codes.codes) if c.code == code)
    assert not codes.save_poster.isEnabled(), "nothing selected yet"
    codes.table.selectRow(row)
    assert (
        codes.save_poster.isEnabled() and codes.save_poster.text().replace("&", "") == "Poster (PDF) opslaan…"
    )
    assert codes.poster_language.currentData() == "nl"
    selected = codes.selected()
    assert selected is not None
    codes.save_poster_to(selected, tmp_path / "poster", "nl")
    qtbot.waitUntil(lambda: "Poster opgeslagen" in codes.feedback.text(), timeout=TIMEOUT_MS)
    doc = pdfium.PdfDocument(tmp_path / "poster.pdf")
    text = " ".join(doc[0].get_textpage().get_text_range().split())
    doc.close()
    assert code in text.split() and "Veiligheidsnummer van Gemeente Posterdam" in text
    assert safety_number(desk._unlocked().trust.org_pk) in text


def test_the_key_backup_passphrase_fields_are_labelled_in_both_languages(
    qtbot: QtBot, open_desk: Callable[[str], Desk], translations: Translations
) -> None:
    tab = KeyBackupTab(open_desk("someone"))
    qtbot.addWidget(tab)
    for language, first, second in (
        ("nl", "Wachtzin (minstens 12 tekens):", "Herhaal de wachtzin:"),
        ("en", "Passphrase (at least 12 characters):", "Repeat passphrase:"),
    ):
        translations.switch(language)
        QApplication.processEvents()
        for field, text in ((tab.passphrase, first), (tab.repeat, second)):
            label = tab.form.labelForField(field)
            assert isinstance(label, QLabel), "a visible label next to the field"
            assert label.text().replace("&", "") == text
            assert label.buddy() is field, "its mnemonic focuses the field"
            assert field.accessibleName() and field.placeholderText()
    translations.switch("nl")


def test_when_sharing_fails_after_publishing_the_retry_is_in_plain_sight(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = open_desk("admin")
    main = enrol(qtbot, make_controller(desk), relay, relay.new_org("Stichting Storing"), username="sto").main
    assert main.admin is not None
    counsellors = main.admin.counsellors
    main.tabs.setCurrentWidget(main.admin)
    shared: list[int] = []

    async def offline() -> int:
        raise OfflineError("The relay cannot be reached (ConnectError).")

    monkeypatch.setattr(desk, "share_conversations_with_new_devices", offline)
    QTest.mouseClick(counsellors.publish, Qt.MouseButton.LeftButton)
    _click_yes(qtbot)
    qtbot.waitUntil(counsellors.share.isVisible, timeout=TIMEOUT_MS)
    assert "gepubliceerd, maar" in counsellors.feedback.text()
    assert counsellors.feedback.objectName() == "errorText"

    async def works() -> int:
        shared.append(1)
        return 3

    monkeypatch.setattr(desk, "share_conversations_with_new_devices", works)
    QTest.mouseClick(counsellors.share, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "leesbaar" in counsellors.feedback.text(), timeout=TIMEOUT_MS)
    assert shared == [1] and counsellors.share.isHidden()
