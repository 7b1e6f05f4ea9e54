"""Enrolment with TOTP, lock and unlock, against a real relay over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import httpx
import shiboken6
from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import ROSTER_LIFETIME, Desk
from opgelucht_desk.core.model import DeskState
from opgelucht_desk.protocol.roster import roster_hash, sign_roster
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.conversation import ConversationView
from opgelucht_desk.ui.enrolment import EnrolmentWizard
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.login import LoginWindow
from opgelucht_desk.ui.main_window import MainWindow
from opgelucht_desk.ui.preferences import Preferences
from ui.flows import PASSWORD, TIMEOUT_MS, enrol, log_in, type_into


def state_of(desk: Desk) -> DeskState:
    return desk.state


def test_first_admin_enrols_with_totp_then_locks_and_unlocks(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    preferences: Preferences,
    translations: Translations,
    make_controller: Callable[..., Controller],
) -> None:
    desk = open_desk("admin")
    controller = make_controller(desk)
    wizard = controller.window
    assert isinstance(wizard, EnrolmentWizard)
    assert wizard.windowTitle() == "Opgelucht Desk: instellen"

    main = enrol(qtbot, controller, relay, relay.new_org()).main
    assert state_of(desk) == DeskState.UNLOCKED
    account, challenge = desk.account, wizard.account_page.challenge
    assert account is not None and challenge is not None
    assert wizard.safety_page.number.text().split() == account.safety_number.split()
    assert "beheerder" in wizard.safety_page.admin_note.text()
    assert main.admin is not None, "the first counsellor of an organisation is its administrator"
    secret = challenge.totp_secret

    # Lock (Ctrl+L): the main window and every conversation widget are destroyed, the core is locked.
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(controller.locked, timeout=TIMEOUT_MS):
        QTest.keyClick(main.inbox.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(controller.window, LoginWindow)
    assert state_of(desk) == DeskState.LOCKED
    qtbot.waitUntil(lambda: not shiboken6.isValid(main), timeout=TIMEOUT_MS)
    assert not any(isinstance(w, MainWindow | ConversationView) for w in QApplication.allWidgets())

    # The login opens in the middle of the screen, where the main window was, not in a corner.
    login = controller.window
    area, placed = login.screen().availableGeometry(), login.geometry()
    assert abs(placed.center().x() - area.center().x()) <= 40, (placed, area)
    assert abs(placed.center().y() - area.center().y()) <= 40, (placed, area)

    # A wrong code is refused with a clear message, and the window stays locked.
    type_into(login.password, PASSWORD)
    type_into(login.code, "000000")
    QTest.mouseClick(login.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(login.error.isVisible, timeout=TIMEOUT_MS)
    assert "klopt niet" in login.error.text()
    assert state_of(desk) == DeskState.LOCKED
    login.password.clear()

    main = log_in(qtbot, controller, relay, secret)
    assert state_of(desk) == DeskState.UNLOCKED
    assert main.isVisible()


def test_idle_time_locks_the_desk(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    preferences: Preferences,
    translations: Translations,
    make_controller: Callable[..., Controller],
) -> None:
    desk = open_desk("idle")
    controller = make_controller(desk)
    enrol(qtbot, controller, relay, relay.new_org("Idle BV"), username="idle", display_name="Ida")
    assert controller.idle.active
    controller.idle.set_interval_ms(100)
    with qtbot.waitSignal(controller.locked, timeout=TIMEOUT_MS):
        pass
    assert isinstance(controller.window, LoginWindow)
    assert state_of(desk) == DeskState.LOCKED


def test_settings_turn_notifications_off_and_sign_out(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    preferences: Preferences,
    make_controller: Callable[..., Controller],
) -> None:
    desk = open_desk("settings")
    controller = make_controller(desk)
    main = enrol(
        qtbot, controller, relay, relay.new_org("Instel BV"), username="inst", display_name="Ine"
    ).main
    settings = main.settings
    main.tabs.setCurrentWidget(settings)
    assert "1 gesprek" not in settings.stored.text() and "0 gesprekken" in settings.stored.text()

    QTest.mouseClick(settings.notifications, Qt.MouseButton.LeftButton)
    assert preferences.notifications is False
    shown: list[str] = []
    controller.notifier.notified.connect(lambda _title, body: shown.append(body))
    controller.notifier.notify(2)
    assert shown == []

    QTest.mouseClick(settings.sign_out, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()),
        timeout=TIMEOUT_MS,
    )
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    with qtbot.waitSignal(controller.window_changed, timeout=TIMEOUT_MS):
        QTest.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert isinstance(controller.window, LoginWindow), "keys stay: signing out leads to the login window"
    assert state_of(desk) == DeskState.LOCKED
    assert (
        not (desk.config.data_dir / "cache.sqlite3").exists() or desk.stored_data_summary().conversations == 0
    )


def test_an_expired_session_locks_and_asks_to_log_in_again(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
) -> None:
    desk = open_desk("expiry")
    controller = make_controller(desk)
    enrolled = enrol(
        qtbot, controller, relay, relay.new_org("Verloop BV"), username="verloop", display_name="Vic"
    )
    relay.clock.advance(hours=13)  # past the relay's absolute session time-out (12 h)
    with qtbot.waitSignal(controller.locked, timeout=TIMEOUT_MS):
        pass  # the sync engine's next round meets the expired session
    login = controller.window
    assert isinstance(login, LoginWindow)
    assert "opnieuw in" in login.error.text() and login.error.isVisible()
    main = log_in(qtbot, controller, relay, enrolled.totp_secret)
    assert state_of(desk) == DeskState.UNLOCKED and main.isVisible()


def test_a_computer_removed_from_the_roster_is_told_so_at_login(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
) -> None:
    """The organisation's roster drops this computer (reported stolen; signed with the org key as
    another admin's desk would): its session ends at once, the desk locks, and logging in again says in
    Dutch that this computer was removed from the organisation's list."""
    desk = open_desk("removed")
    controller = make_controller(desk)
    enrolled = enrol(qtbot, controller, relay, relay.new_org("Gestolen BV"), username="gestolen")
    unlocked = desk._unlocked()
    trust, org_seed = unlocked.trust, unlocked.secrets.org_seed
    current, signed = trust.tracker.current, trust.tracker.current_signed
    assert current is not None and signed is not None and org_seed is not None
    now = int(relay.clock.now().timestamp())
    without = dataclasses.replace(
        current,
        version=current.version + 1,
        prev_hash=roster_hash(signed),
        issued=now,
        expires=now + ROSTER_LIFETIME,
        counsellors=tuple(dataclasses.replace(c, devices=()) for c in current.counsellors),
    )
    token = unlocked.api.token
    with qtbot.waitSignal(controller.locked, timeout=TIMEOUT_MS):
        put = httpx.put(
            relay.url + "/v1/org/roster",
            json=sign_roster(without, org_seed).to_json(),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert put.status_code == 204
    login = controller.window
    assert isinstance(login, LoginWindow)
    type_into(login.password, PASSWORD)
    type_into(login.code, relay.totp(enrolled.totp_secret))
    QTest.mouseClick(login.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "van de lijst van vertrouwenspersonen" in login.error.text(), timeout=TIMEOUT_MS)
    assert login.error.isVisible() and "niet meer inloggen" in login.error.text()
    assert state_of(desk) == DeskState.LOCKED
