"""The admin removes one computer of a counsellor (a stolen laptop) from the Organisation tab, against a
real relay: the selected counsellor's computers are listed, this very computer cannot be removed, the
confirmation says what happens, and afterwards the laptop's login window says in Dutch that it was
removed from the list while the admin's own computer keeps working."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.login import LoginWindow
from opgelucht_desk.ui.preferences import Preferences
from ui.flows import PASSWORD, TIMEOUT_MS, enrol, type_into

Run = Callable[[Coroutine[Any, Any, Any]], Any]
PASSPHRASE = "correct horse battery staple"


def _question(qtbot: QtBot) -> QMessageBox:
    def box() -> QMessageBox | None:
        return next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None
        )

    qtbot.waitUntil(lambda: box() is not None, timeout=TIMEOUT_MS)
    found = box()
    assert found is not None
    return found


def test_the_admin_removes_a_stolen_laptop_and_it_can_no_longer_log_in(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    admin_desk = open_desk("admin")
    enrolled = enrol(
        qtbot,
        make_controller(admin_desk),
        relay,
        relay.new_org("Stichting West"),
        username="bea",
        display_name="Bea",
    )
    main = enrolled.main
    # Bea also works on a laptop (a further computer from her key backup), listed by the next roster.
    backup = tmp_path / "bea.opgbackup"
    run(admin_desk.export_identity_backup(backup, PASSPHRASE))
    laptop = open_desk("laptop")
    run(laptop.enrol_further_computer(backup, PASSPHRASE, PASSWORD, relay.totp(enrolled.totp_secret)))
    run(admin_desk.publish_roster())
    assert laptop.account is not None and admin_desk.account is not None

    page = main.admin
    assert page is not None
    counsellors = page.counsellors
    main.tabs.setCurrentWidget(page)
    page.tabs.setCurrentWidget(counsellors)
    counsellors.load()
    qtbot.waitUntil(
        lambda: len(counsellors.counsellors) == 1 and len(counsellors.counsellors[0].computers) == 2,
        timeout=TIMEOUT_MS,
    )
    counsellors.table.selectRow(0)
    table = counsellors.computers_table
    assert table.rowCount() == 2
    rows = {table.item(r, 0).text(): r for r in range(2)}  # type: ignore[union-attr]
    own, stolen = admin_desk.account.device_id.hex[:8], laptop.account.device_id.hex[:8]
    assert set(rows) == {own, stolen}
    assert table.item(rows[own], 2).text() == "deze computer"  # type: ignore[union-attr]
    assert table.item(rows[stolen], 1).text() == "ja"  # type: ignore[union-attr]
    table.selectRow(rows[own])
    assert not counsellors.remove_computer.isEnabled(), "this very computer cannot be removed"
    table.selectRow(rows[stolen])
    assert counsellors.remove_computer.isEnabled()
    assert counsellors.remove_computer.text().replace("&", "") == "Computer verwijderen…"

    # Keyboard: Space on the focused button opens the confirmation, which says what happens.
    counsellors.remove_computer.setFocus()
    QTest.keyClick(counsellors.remove_computer, Qt.Key.Key_Space)
    question = _question(qtbot)
    text = question.text()
    assert stolen in text and "Bea" in text
    for said in (
        "meteen afgemeld",
        "niet meer inloggen",
        "andere computers van Bea blijven werken",
        "opnieuw",
    ):
        assert said in text
    yes = question.button(QMessageBox.StandardButton.Yes)
    assert yes is not None
    QTest.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "verwijderd en afgemeld" in counsellors.feedback.text(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=TIMEOUT_MS)
    assert table.item(0, 0).text() == own  # type: ignore[union-attr]
    run(admin_desk.sync_now())  # the admin's own computer keeps working

    # The laptop's login window says it was removed from the list.
    run(laptop.lock())
    login = make_controller(laptop, Preferences(tmp_path / "laptop-prefs")).window
    assert isinstance(login, LoginWindow)
    type_into(login.password, PASSWORD)
    type_into(login.code, relay.totp(enrolled.totp_secret))
    QTest.mouseClick(login.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "van de lijst van vertrouwenspersonen" in login.error.text(), timeout=TIMEOUT_MS)
