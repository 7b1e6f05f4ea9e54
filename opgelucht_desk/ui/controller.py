"""Switches between enrolment, login and the main window; wires the core's events to the widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QWidget

from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.core.model import DeskState, RosterWarning, RosterWarningKind
from opgelucht_desk.ui.enrolment import EnrolmentWizard
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.idle import IdleWatcher
from opgelucht_desk.ui.login import LoginWindow
from opgelucht_desk.ui.main_window import MainWindow
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.notifications import Notifier
from opgelucht_desk.ui.preferences import Preferences
from opgelucht_desk.ui.tasks import settle, spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk

SETTLE_SECONDS = 5.0


class DeskEvents(QObject, DeskListener):
    """The core's events (core/events.py) as Qt signals (content-free, like the events themselves)."""

    inbox_changed_signal = Signal()
    new_messages_signal = Signal(int)
    sync_progress_signal = Signal(int, int)
    connection_changed_signal = Signal(bool)
    roster_warning_signal = Signal(object)  # RosterWarning
    roster_warning_cleared_signal = Signal(object)  # RosterWarningKind
    roster_changed_signal = Signal(int)
    auth_expired_signal = Signal()
    locked_activity_signal = Signal(int)
    register_changed_signal = Signal()

    def inbox_changed(self) -> None:
        self.inbox_changed_signal.emit()

    def new_messages(self, count: int) -> None:
        self.new_messages_signal.emit(count)

    def sync_progress(self, done: int, total: int) -> None:
        self.sync_progress_signal.emit(done, total)

    def connection_changed(self, online: bool) -> None:
        self.connection_changed_signal.emit(online)

    def roster_warning(self, warning: RosterWarning) -> None:
        self.roster_warning_signal.emit(warning)

    def roster_warning_cleared(self, kind: RosterWarningKind) -> None:
        self.roster_warning_cleared_signal.emit(kind)

    def roster_changed(self, version: int) -> None:
        self.roster_changed_signal.emit(version)

    def auth_expired(self) -> None:
        self.auth_expired_signal.emit()

    def locked_activity(self, conversations: int) -> None:
        self.locked_activity_signal.emit(conversations)

    def register_changed(self) -> None:
        self.register_changed_signal.emit()


class Controller(QObject):
    """Owns the top-level windows. Exactly one of wizard, login or main window exists at a time."""

    window_changed = Signal(QWidget)  # the new top-level window (tests wait on it)
    locked = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        desk: Desk,
        preferences: Preferences,
        translations: Translations,
        preset_relay_url: str | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.preferences = preferences
        self.translations = translations
        self.preset_relay_url = preset_relay_url
        self.window: QWidget | None = None
        self.main: MainWindow | None = None
        self.events = DeskEvents(self)
        self.notifier = Notifier(self)
        self.notifier.enabled = preferences.notifications
        self.idle = IdleWatcher(preferences.idle_minutes, self)
        self.idle.idle.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        desk.add_listener(self.events)
        self.events.inbox_changed_signal.connect(self._inbox_changed)
        self.events.new_messages_signal.connect(self._new_messages)
        self.events.sync_progress_signal.connect(self._sync_progress)
        self.events.connection_changed_signal.connect(self._connection_changed)
        self.events.roster_warning_signal.connect(self._roster_warning)
        self.events.roster_warning_cleared_signal.connect(self._roster_warning_cleared)
        self.events.roster_changed_signal.connect(self._roster_changed)
        self.events.auth_expired_signal.connect(self._auth_expired)
        self.events.register_changed_signal.connect(self._register_changed)
        self.notifier.show_requested.connect(self._raise_window)
        self.notifier.lock_requested.connect(self.lock)
        self.notifier.quit_requested.connect(self.quit_requested)
        # Locked too: count and notify, content-free (the core's locked watch), and title the window.
        self.events.locked_activity_signal.connect(self.notifier.locked_activity)
        self.notifier.badge_changed.connect(self._show_badge)

    def start(self) -> None:
        """Show what the desk's state asks for."""
        if self.desk.state == DeskState.NOT_ENROLLED:
            self._show_wizard()
        elif self.desk.state == DeskState.LOCKED:
            self._show_login()
            self.notifier.lock()
            self.desk.watch_while_locked()
        else:
            self._show_main()

    # --- windows ----------------------------------------------------------------------------------
    def _replace_window(self, window: QWidget) -> None:
        old = self.window
        self.window = window
        centre(window, (old.screen() if old is not None else None) or window.screen())
        window.show()
        window.raise_()
        window.activateWindow()
        if old is not None:
            old.hide()
            old.deleteLater()
        self._show_badge(self.notifier.unread)
        self.window_changed.emit(window)

    def _show_badge(self, count: int) -> None:
        if self.main is not None and self.window is self.main:
            self.main.set_unread(count)
        elif self.window is not None:
            self.window.setWindowTitle(self.notifier.title(self.window.windowTitle()))

    def _show_wizard(self) -> None:
        self.idle.stop()
        wizard = EnrolmentWizard(self.desk, self.preset_relay_url)
        wizard.enrolled.connect(self._enrolled)
        wizard.rejected.connect(self.quit_requested)
        self._replace_window(wizard)

    def _show_login(self) -> None:
        self.idle.stop()
        login = LoginWindow(self.desk)
        login.unlocked.connect(self._show_main)
        login.closed.connect(lambda: self._closed_by_user(login))
        self._replace_window(login)
        login.password.setFocus()

    def _enrolled(self) -> None:
        if self.desk.state == DeskState.UNLOCKED:
            self._show_main()
        else:
            self._show_login()

    def _show_main(self) -> None:
        main = MainWindow(self.desk, self.preferences)
        self.main = main
        main.lock_requested.connect(self.lock)
        main.closed.connect(self._main_closed)
        settings = main.settings
        settings.language_chosen.connect(self.set_language)
        settings.idle_minutes_changed.connect(self.set_idle_minutes)
        settings.notifications_changed.connect(self.set_notifications)
        settings.sign_out_requested.connect(self.sign_out)
        self._replace_window(main)
        main.inbox.refresh()
        self.notifier.unlock()
        self.notifier.set_unread(main.inbox.unread_total)
        main.inbox.unread_changed.connect(self.notifier.set_unread)
        self.idle.start()
        spawn(self.desk.start_sync(), on_error=lambda exc: main.show_problem(describe_error(exc)))

    def _closed_by_user(self, window: QWidget) -> None:
        """× on the current window quits (the app no longer quits when its last window closes)."""
        if self.window is window:
            self.quit_requested.emit()

    def _main_closed(self) -> None:
        if self.main is not None and self.window is self.main:
            self.quit_requested.emit()

    def _raise_window(self) -> None:
        if self.window is not None:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()

    # --- lock, sign-out ---------------------------------------------------------------------------
    def _drop_main(self) -> None:
        main = self.main
        self.main = None
        if main is not None:
            main.closed.disconnect(self._main_closed)
            main.clear_content()

    def lock(self) -> None:
        """Destroy every widget with decrypted content at once, then lock the core (keys leave memory).

        The login window accepts input only after the core has finished locking."""
        if self.main is None:
            return
        self._drop_main()
        self.notifier.lock()
        self._show_login()
        login = self.window
        if isinstance(login, LoginWindow):
            login.set_busy(True)

        def done(_r: object) -> None:
            if isinstance(self.window, LoginWindow):
                self.window.set_busy(False)
                self.desk.watch_while_locked()
            self.locked.emit()

        spawn(self.desk.lock(), on_done=done, on_error=lambda _e: done(None))

    def sign_out(self) -> None:
        self._drop_main()

        async def run() -> None:
            await self.desk.stop_sync()
            await self.desk.sign_out()

        def done(_r: object) -> None:
            self.notifier.unlock()
            self.notifier.set_unread(0)
            self.start()

        spawn(run(), on_done=done, on_error=lambda _e: self.start())

    def close_windows(self) -> None:
        """Destroy the windows and stop watching input (application exit)."""
        self._drop_main()
        self.idle.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        self.notifier.hide()
        if self.window is not None:
            self.window.hide()
            self.window.deleteLater()
            self.window = None

    async def shutdown(self) -> None:
        """Close the windows and stop background work before the event loop ends. What the user just
        did (marking read, a status) finishes first: its result must not reach destroyed widgets."""
        await settle(SETTLE_SECONDS)
        self.close_windows()
        await self.desk.close()

    # --- settings ---------------------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        self.translations.switch(language)
        self.preferences.language = language
        self.notifier.retranslate()

    def set_idle_minutes(self, minutes: int) -> None:
        self.preferences.idle_minutes = minutes
        self.idle.set_minutes(minutes)

    def set_notifications(self, enabled: bool) -> None:
        self.preferences.notifications = enabled
        self.notifier.enabled = enabled

    # --- core events ------------------------------------------------------------------------------
    def _inbox_changed(self) -> None:
        if self.main is not None:
            self.main.inbox.request_refresh()  # the unread total follows (unread_changed)

    def _register_changed(self) -> None:
        if self.main is not None:
            self.main.annual.show_report()

    def _new_messages(self, count: int) -> None:
        if self.main is None:
            return
        self.notifier.notify(count)

    def _sync_progress(self, done: int, total: int) -> None:
        if self.main is not None:
            self.main.set_sync_progress(done, total)

    def _connection_changed(self, online: bool) -> None:
        if self.main is not None:
            self.main.set_online(online)
            if online:  # a sync round has finished: the login's catch-up is shown in the inbox itself
                self.notifier.caught_up()

    def _auth_expired(self) -> None:
        """The relay ended the session (time-out, or signed out elsewhere): lock and ask to log in."""
        if self.main is None:
            return
        self.lock()
        if isinstance(self.window, LoginWindow):
            self.window.show_session_ended()

    def _roster_warning(self, warning: RosterWarning) -> None:
        if self.main is not None:
            self.main.show_roster_warning(warning)

    def _roster_warning_cleared(self, kind: RosterWarningKind) -> None:
        if self.main is not None:
            self.main.clear_roster_warning(kind)

    def _roster_changed(self, version: int) -> None:
        if self.main is not None:
            self.main.show_roster_changed(version)


def centre(window: QWidget, screen: QScreen | None) -> None:
    """Place ``window`` in the middle of ``screen``'s free area, where the previous window was (the login
    after locking opened in the screen's top-left corner under some window managers)."""
    if screen is None:
        return
    area = screen.availableGeometry()
    resized = window.testAttribute(Qt.WidgetAttribute.WA_Resized)
    size = (window.size() if resized else window.sizeHint()).boundedTo(area.size())
    window.move(area.center() - QPoint(size.width() // 2, size.height() // 2))
