"""Notifications reach the user with or without a tray, unlocked and locked, and never carry content.

The policy (what is notified when) is Qt-free and tested without Qt; the delivery is tested over a real
dbus-daemon with a recording freedesktop notification server (what dunst or GNOME Shell would get);
the whole path runs the real controller against a real relay, with a reporter writing a canary."""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.desktop_notify import SystemNotifications
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.login import LoginWindow
from opgelucht_desk.ui.main_window import MainWindow
from opgelucht_desk.ui.notifications import notification_text
from opgelucht_desk.ui.tasks import running_tasks
from opgelucht_desk.ui.unread import Notice, NoticeKind, UnreadNotices, counted_title
from ui.flows import TIMEOUT_MS, create_code, enrol, log_in, new_reporter

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="freedesktop notifications are Linux's")

Run = Callable[[Coroutine[Any, Any, Any]], Any]
CANARY_TEXT = "Mijn teamleider CANARY-4410 negeert mijn klacht"
CANARY_NAME = "Roos-CANARY"


# --- the policy, without Qt -------------------------------------------------------------------------
def test_unlocked_each_sync_with_new_messages_gives_one_notice_and_the_badge_is_the_unread_total() -> None:
    notices = UnreadNotices()
    notices.set_unread(3)
    assert notices.badge == 3
    assert notices.new_messages(2) == Notice(NoticeKind.NEW_MESSAGES, 2)
    assert notices.new_messages(0) is None


def test_the_catch_up_after_login_is_not_notified_what_comes_after_is() -> None:
    notices = UnreadNotices()
    notices.lock()
    notices.unlock()
    assert notices.new_messages(3) is None  # the first sync after login: the inbox shows them
    notices.caught_up()
    assert notices.new_messages(1) == Notice(NoticeKind.NEW_MESSAGES, 1)


def test_locked_each_newly_changed_conversation_gives_one_notice_and_raises_the_badge() -> None:
    notices = UnreadNotices()
    notices.set_unread(1)
    notices.lock()
    assert notices.badge == 1  # locking keeps the count (content-free), it no longer hides it
    assert notices.new_messages(1) is None  # a locked desk decrypts nothing
    assert notices.locked_activity(1) == Notice(NoticeKind.LOCKED_ACTIVITY, 1)
    assert notices.locked_activity(1) is None  # the same conversation again: no second notice
    assert notices.locked_activity(2) == Notice(NoticeKind.LOCKED_ACTIVITY, 2)
    assert notices.badge == 3
    notices.unlock()
    notices.set_unread(4)  # at login the exact count replaces the estimate
    assert notices.badge == 4
    assert notices.locked_activity(5) is None  # a late event of the ended watch


def test_switched_off_there_is_no_notice_but_the_badge_still_counts() -> None:
    notices = UnreadNotices()
    notices.enabled = False
    assert notices.new_messages(2) is None
    notices.lock()
    assert notices.locked_activity(1) is None
    assert notices.badge == 1


def test_the_window_title_carries_the_count() -> None:
    assert counted_title("Opgelucht Desk", 3) == "(3) Opgelucht Desk"
    assert counted_title("(3) Opgelucht Desk", 12) == "(12) Opgelucht Desk"
    assert counted_title("(12) Opgelucht Desk", 0) == "Opgelucht Desk"


def test_notification_texts_are_fixed_in_dutch_and_english(translations: Translations) -> None:
    assert notification_text(1, NoticeKind.LOCKED_ACTIVITY).body == (
        "Nieuwe activiteit in een gesprek; log in om die te lezen"
    )
    assert notification_text(2, NoticeKind.LOCKED_ACTIVITY).body == (
        "Nieuwe activiteit in 2 gesprekken; log in om die te lezen"
    )
    translations.switch("en")
    assert notification_text(1, NoticeKind.LOCKED_ACTIVITY).body == (
        "New activity in a conversation; log in to read it"
    )
    assert notification_text(2, NoticeKind.LOCKED_ACTIVITY).title == "Opgelucht Desk"


# --- delivery over a real D-Bus ---------------------------------------------------------------------
@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A private dbus-daemon as the session bus of this test (nothing reaches the developer's desktop)."""
    pytest.importorskip("dbus_fast")
    from ui.notification_server import SessionBus, use_bus

    bus = SessionBus()
    use_bus(monkeypatch, bus)
    yield bus
    bus.stop()


@linux_only
async def test_a_notification_reaches_the_freedesktop_server_over_dbus(session_bus: Any) -> None:
    from ui.notification_server import serve_notifications

    server_bus, server = await serve_notifications(session_bus.address)
    try:
        system = SystemNotifications("Opgelucht Desk")
        assert system.available
        assert await system.show("Opgelucht Desk", "Nieuw bericht in een gesprek")
        assert await system.show("Opgelucht Desk", "2 nieuwe berichten in uw gesprekken")
        assert [(c.app_name, c.summary, c.body) for c in server.calls] == [
            ("Opgelucht Desk", "Opgelucht Desk", "Nieuw bericht in een gesprek"),
            ("Opgelucht Desk", "Opgelucht Desk", "2 nieuwe berichten in uw gesprekken"),
        ]
    finally:
        server_bus.disconnect()


@linux_only
async def test_without_a_notification_server_show_says_so_for_the_tray_fallback(
    session_bus: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert await SystemNotifications("Opgelucht Desk").show("Opgelucht Desk", "x") is False
    assert "Traceback" not in caplog.text, "a missing notification server is one log line, not a traceback"


def test_without_the_library_the_system_route_is_unavailable_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "desktop_notifier", None)  # as if not installed: import fails
    system = SystemNotifications("Opgelucht Desk")
    assert not system.available  # Notifier then shows the tray balloon, where there is a tray


# --- the whole path: relay, reporter, controller, D-Bus ---------------------------------------------
@linux_only
def test_no_tray_notified_unlocked_and_locked_content_free_with_the_count_in_the_title(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    session_bus: Any,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    from ui.notification_server import serve_notifications

    server_bus, server = run(serve_notifications(session_bus.address))
    try:
        assert not QSystemTrayIcon.isSystemTrayAvailable()  # like stock GNOME: no tray at all
        desk = open_desk("melding")
        controller = make_controller(desk)
        enrolled = enrol(qtbot, controller, relay, relay.new_org("Stichting Melding"), username="meld")
        main = enrolled.main
        code = create_code(qtbot, main, "Hoofdkantoor")
        roos = run(new_reporter(tmp_path, relay, code, CANARY_NAME))
        conv_id = run(roos.open_conversation())

        # Unlocked: the sync decrypts the message; the notification server gets a fixed text.
        run(roos.say(conv_id, CANARY_TEXT))
        qtbot.waitUntil(lambda: any("Nieuw bericht" in c.body for c in server.calls), timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: controller.notifier.delivered_by == "system", timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: main.windowTitle() == "(1) Opgelucht Desk", timeout=TIMEOUT_MS)

        # Lock with the button in the window; the login window shows the count too.
        assert main.lock_button.isVisible() and main.lock_button.text() == "Vergrendelen"
        with qtbot.waitSignal(controller.locked, timeout=TIMEOUT_MS):
            QTest.mouseClick(main.lock_button, Qt.MouseButton.LeftButton)
        login = controller.window
        assert isinstance(login, LoginWindow)
        assert login.windowTitle() == "(1) Opgelucht Desk: inloggen"
        qtbot.waitUntil(lambda: desk.listening_while_locked, timeout=TIMEOUT_MS)

        # Locked: nothing can be decrypted, but the change is counted and notified, content-free.
        before = len(server.calls)
        run(roos.say(conv_id, CANARY_TEXT + " (weer)"))
        qtbot.waitUntil(lambda: len(server.calls) > before, timeout=TIMEOUT_MS)
        assert server.calls[-1].body == "Nieuwe activiteit in een gesprek; log in om die te lezen"
        assert login.windowTitle() == "(2) Opgelucht Desk: inloggen"
        assert controller.notifier.unread == 2

        # At login the exact unread count takes over.
        main = log_in(qtbot, controller, relay, enrolled.totp_secret)
        qtbot.waitUntil(lambda: main.windowTitle() == "(2) Opgelucht Desk", timeout=TIMEOUT_MS)
        assert not desk.listening_while_locked
        qtbot.waitUntil(lambda: desk.online is True and running_tasks() == 0, timeout=TIMEOUT_MS)
        assert len(server.calls) == before + 1  # the catch-up at login gives no second notice

        for call in server.calls:  # nothing of the message or the reporter ever reached the server
            seen = call.app_name + call.summary + call.body
            assert "CANARY" not in seen and "Roos" not in seen and "teamleider" not in seen
            assert call.summary == "Opgelucht Desk"
    finally:
        server_bus.disconnect()


# --- the lock button and the roster notice ----------------------------------------------------------
def test_the_lock_button_is_named_in_both_languages(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    translations: Translations,
) -> None:
    controller = make_controller(open_desk("knop"))
    main = enrol(qtbot, controller, relay, relay.new_org("Stichting Knop"), username="knop").main
    assert main.lock_button.accessibleName() == "Opgelucht Desk vergrendelen"
    assert "Ctrl+L" in main.lock_button.toolTip()
    controller.set_language("en")
    qtbot.waitUntil(lambda: main.lock_button.text() == "Lock")
    assert main.lock_button.accessibleName() == "Lock Opgelucht Desk"
    controller.set_language("nl")


def test_the_roster_notice_sends_a_counsellor_to_the_admin_and_the_admin_to_the_tab(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    from opgelucht_desk.ui.preferences import Preferences

    admin_desk = open_desk("beheer")
    admin = make_controller(admin_desk)
    admin_main = enrol(qtbot, admin, relay, relay.new_org("Stichting Rooster"), username="beheer").main
    colleague = make_controller(open_desk("collega"), Preferences(tmp_path / "prefs2"))
    main = enrol(qtbot, colleague, relay, run(admin_desk.invite()), username="colle").main
    assert isinstance(main, MainWindow) and main.admin is None
    main.show_roster_changed(7)
    admin_main.show_roster_changed(7)
    counsellor_text, admin_text = main.roster_notice_text.text(), admin_main.roster_notice_text.text()
    assert "Organisatie" not in counsellor_text  # that tab is the admin's only
    assert "beheerder van uw organisatie" in counsellor_text and "uw eigen computers" in counsellor_text
    assert "onder Organisatie" in admin_text
