"""The admin's offline backup of the organisation key, and the notice every counsellor gets when the
roster changes (DESIGN §2), against a real relay, in Dutch (the default language)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.enrolment import EnrolmentWizard
from opgelucht_desk.ui.main_window import MainWindow
from opgelucht_desk.ui.preferences import Preferences
from ui.flows import PASSWORD, TIMEOUT_MS, enrol, type_into

Run = Callable[[Coroutine[Any, Any, Any]], Any]
PASSPHRASE = "zeven zeeuwse zeilboten"


def test_the_admin_exports_and_imports_the_org_key_backup(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    controller = make_controller(open_desk("admin"))
    main = enrol(qtbot, controller, relay, relay.new_org("Stichting Sleutel"), username="sleutel").main
    assert main.admin is not None
    tab = main.admin.key_backup
    main.tabs.setCurrentWidget(main.admin)
    main.admin.tabs.setCurrentWidget(tab)
    assert "Sleutelback-up" in main.admin.tabs.tabText(3)
    backup = tmp_path / "org.opgbackup"

    type_into(tab.passphrase, PASSPHRASE)
    type_into(tab.repeat, PASSPHRASE + "x")
    tab.export_to(backup)
    assert tab.feedback.text() == "De twee wachtzinnen zijn niet hetzelfde." and not backup.exists()

    tab.repeat.clear()
    type_into(tab.repeat, PASSPHRASE)
    tab.export_to(backup)
    qtbot.waitUntil(lambda: "opgeslagen" in tab.feedback.text(), timeout=TIMEOUT_MS)
    assert backup.exists() and tab.passphrase.text() == ""  # the passphrase does not linger

    type_into(tab.passphrase, "een andere wachtzin dan die")
    tab.import_from(backup)
    qtbot.waitUntil(lambda: "Verkeerde wachtzin" in tab.feedback.text(), timeout=TIMEOUT_MS)

    tab.passphrase.clear()
    type_into(tab.passphrase, PASSPHRASE)
    tab.import_from(backup)
    qtbot.waitUntil(lambda: "geïmporteerd" in tab.feedback.text(), timeout=TIMEOUT_MS)


def test_a_roster_change_is_shown_to_a_counsellor_without_a_dialog(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    admin_desk = open_desk("admin")
    admin = make_controller(admin_desk)
    enrol(qtbot, admin, relay, relay.new_org("Stichting Lijst"), username="lijst", display_name="Lia")
    invitation = run(admin_desk.invite())
    colleague = make_controller(open_desk("colleague"), Preferences(tmp_path / "prefs2"))
    main = enrol(qtbot, colleague, relay, invitation, username="collega", display_name="Cor").main
    assert not main.roster_notice.isVisible()

    version = run(admin_desk.publish_roster())  # lists the colleague
    qtbot.waitUntil(main.roster_notice.isVisible, timeout=TIMEOUT_MS)  # the colleague's next sync
    text = main.roster_notice_text.text()
    assert f"versie {version}" in text and "uw eigen computers" in text
    assert not main.roster_notice.isWindow()  # part of the main window, not a dialog
    QTest.mouseClick(main.roster_notice_close, Qt.MouseButton.LeftButton)
    assert not main.roster_notice.isVisible()


def test_a_roster_warning_is_shown_in_dutch(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    admin_desk = open_desk("admin")
    admin = make_controller(admin_desk)
    enrol(qtbot, admin, relay, relay.new_org("Stichting Waarschuwing"), username="waar", display_name="Wim")
    invitation = run(admin_desk.invite())
    colleague = make_controller(open_desk("colleague"), Preferences(tmp_path / "prefs2"))
    main = enrol(qtbot, colleague, relay, invitation, username="nieuw", display_name="Noor").main
    # The published roster does not list the new computer yet: the core warns, the UI words it in Dutch.
    qtbot.waitUntil(main.banner.isVisible, timeout=TIMEOUT_MS)
    assert main.banner.text() == (
        "Veiligheidswaarschuwing: Deze computer staat niet op de lijst van vertrouwenspersonen van de "
        "organisatie: hij ontvangt geen nieuwe berichten totdat de beheerder van de organisatie een lijst "
        "publiceert waarop hij staat."
    )
    # The core's English reason is only the tooltip, for support.
    assert "not in the organisation's roster" in main.banner.toolTip()
    colleague.set_language("en")  # the warning follows a change of language (a posted LanguageChange)
    qtbot.waitUntil(lambda: main.banner.text().startswith("Security warning: This computer is not in the"))
    assert "list of counsellors" in main.banner.text()
    colleague.set_language("nl")
    # Once the admin publishes a list with the new computer on it, the warning goes away by itself.
    run(admin_desk.publish_roster())
    qtbot.waitUntil(main.banner.isHidden, timeout=TIMEOUT_MS)


def test_a_counsellor_adds_a_second_computer_with_the_key_backup(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    first = make_controller(open_desk("first"))
    enrolled = enrol(
        qtbot, first, relay, relay.new_org("Stichting Twee"), username="twee", display_name="Tine"
    )
    box = enrolled.main.settings.identity_backup
    backup = tmp_path / "identity.opgbackup"
    type_into(box.passphrase, PASSPHRASE)
    type_into(box.repeat, PASSPHRASE)
    box.export_to(backup)
    qtbot.waitUntil(lambda: "opgeslagen" in box.feedback.text(), timeout=TIMEOUT_MS)

    second = make_controller(open_desk("second"), Preferences(tmp_path / "prefs2"))
    wizard = second.window
    assert isinstance(wizard, EnrolmentWizard)
    QTest.mouseClick(wizard.relay_page.further, Qt.MouseButton.LeftButton)
    dialog = wizard.further_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT_MS)
    type_into(dialog.file, str(backup))
    type_into(dialog.passphrase, "niet de goede wachtzin")
    type_into(dialog.password, PASSWORD)
    type_into(dialog.code, relay.totp(enrolled.totp_secret))
    QTest.mouseClick(dialog.add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Verkeerde wachtzin" in dialog.error.text(), timeout=TIMEOUT_MS)

    dialog.passphrase.clear()
    type_into(dialog.passphrase, PASSPHRASE)
    with qtbot.waitSignal(second.window_changed, timeout=TIMEOUT_MS):
        QTest.mouseClick(dialog.add, Qt.MouseButton.LeftButton)
    main = second.window
    assert isinstance(main, MainWindow)
    assert " ".join(main.settings.safety.text().split()) == enrolled.safety_number  # the same identity
    # Not in the roster until the admin publishes it: the counsellor is told so.
    qtbot.waitUntil(lambda: "staat niet op de lijst" in main.banner.text(), timeout=TIMEOUT_MS)
