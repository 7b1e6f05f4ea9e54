"""Unread badge (tray icon, dock/taskbar, window title) and system notifications that never carry content.

Every notification text comes from `notification_text()`: it only knows a count, so it cannot leak
message text or a pseudonym. Notifications go to the system (ui/desktop_notify.py: toast, Notification
Center, freedesktop D-Bus), with or without a tray, unlocked and locked; the tray balloon is only the
fallback when the system takes none.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from opgelucht_desk.ui.desktop_notify import SystemNotifications
from opgelucht_desk.ui.resources import icon_path
from opgelucht_desk.ui.style import app_icon
from opgelucht_desk.ui.tasks import spawn
from opgelucht_desk.ui.unread import Notice, NoticeKind, UnreadNotices, counted_title

APP_NAME = "Opgelucht Desk"

ICON_SIZE = 64


@dataclass(frozen=True)
class NotificationText:
    title: str
    body: str


class Notifications(QObject):
    """Translation context of the counted ("%n …") texts of this module.

    Counted texts go through `self.tr()`: Qt's Python lupdate recognises plural forms reliably only there.
    """

    def new_messages(self, count: int) -> str:
        return self.tr("%n new messages in your conversations", "", count)

    def unread(self, count: int) -> str:
        return self.tr("Opgelucht Desk: %n unread", "", count)

    def locked_activity(self, count: int) -> str:
        return self.tr("New activity in %n conversations; log in to read it", "", count)


def notification_text(count: int, kind: NoticeKind = NoticeKind.NEW_MESSAGES) -> NotificationText:
    """The one place that words a notification; its only inputs are a number and what it counts."""
    if kind is NoticeKind.LOCKED_ACTIVITY:
        if count <= 1:
            body = QCoreApplication.translate(
                "Notifications", "New activity in a conversation; log in to read it"
            )
        else:
            body = Notifications().locked_activity(count)
    elif count <= 1:
        body = QCoreApplication.translate("Notifications", "New message in a conversation")
    else:
        body = Notifications().new_messages(count)
    return NotificationText(title=APP_NAME, body=body)


def badge_icon(base: QIcon, count: int) -> QIcon:
    """`base` with a red badge showing `count` (99+ above 99); unchanged when `count` is 0."""
    pixmap = base.pixmap(ICON_SIZE, ICON_SIZE)
    if count <= 0:
        return QIcon(pixmap)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    badge = QRectF(ICON_SIZE * 0.42, 0, ICON_SIZE * 0.58, ICON_SIZE * 0.46)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#d32f2f"))
    painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(badge.height() * 0.62))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "99+" if count > 99 else str(count))
    painter.end()
    return QIcon(pixmap)


def _badge_supported(app: QGuiApplication) -> bool:
    """Qt's Linux badge is a D-Bus signal on /com/canonical/unity/launcherentry/<application name>: an
    application name with a space ("Opgelucht Desk") is no valid object path, and Qt would only log an
    error on every update. There the window title and the tray icon carry the count."""
    if sys.platform in ("darwin", "win32"):
        return True
    return re.fullmatch(r"[A-Za-z0-9_]+", app.applicationName()) is not None


class Notifier(QObject):
    """Owns the tray icon (when there is a tray) and the system notifications; `notify()` and
    `locked_activity()` show a content-free notification when enabled (policy: ui/unread.py).

    `notified` is emitted with the exact title and body handed out, so tests can check what a user sees;
    `badge_changed` with the count the window title must show.
    """

    notified = Signal(str, str)
    badge_changed = Signal(int)
    show_requested = Signal()
    lock_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None, system: SystemNotifications | None = None) -> None:
        super().__init__(parent)
        self.state = UnreadNotices()
        if system is None:
            icon = icon_path("opgelucht.png")
            system = SystemNotifications(APP_NAME, icon, on_clicked=self.show_requested.emit)
        self.system = system
        self.delivered_by: str | None = None  # "system", "tray" or None: where the last notice went
        self._tray: QSystemTrayIcon | None = None
        self._menu: QMenu | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(app_icon(), self)
            self._menu = QMenu()
            self._show_action = self._menu.addAction("")
            self._show_action.triggered.connect(self.show_requested)
            self._lock_action = self._menu.addAction("")
            self._lock_action.triggered.connect(self.lock_requested)
            self._quit_action = self._menu.addAction("")
            self._quit_action.triggered.connect(self.quit_requested)
            self._tray.setContextMenu(self._menu)
            self._tray.activated.connect(lambda _reason: self.show_requested.emit())
            self.retranslate()
            self._tray.show()

    def retranslate(self) -> None:
        if self._tray is None:
            return
        self._show_action.setText(QCoreApplication.translate("Notifications", "Show Opgelucht Desk"))
        self._lock_action.setText(QCoreApplication.translate("Notifications", "Lock"))
        self._quit_action.setText(QCoreApplication.translate("Notifications", "Quit"))
        self._update_tooltip()

    @property
    def enabled(self) -> bool:
        return self.state.enabled

    @enabled.setter
    def enabled(self, enabled: bool) -> None:
        self.state.enabled = enabled

    @property
    def unread(self) -> int:
        """The badge's count (locked: an "at least" figure, see UnreadNotices)."""
        return self.state.badge

    def set_unread(self, count: int) -> None:
        """The core's unread total (unlocked)."""
        self.state.set_unread(count)
        self._show_badge()

    def lock(self) -> None:
        """The desk locked: keep the badge, count what changes from now on (locked_activity)."""
        self.state.lock()
        self._show_badge()

    def unlock(self) -> None:
        self.state.unlock()
        self._show_badge()

    def caught_up(self) -> None:
        """The first sync after login is done: from now on new messages are notified."""
        self.state.caught_up()

    def notify(self, new_count: int) -> None:
        """Unlocked: the sync found `new_count` new incoming messages."""
        self._show(self.state.new_messages(new_count))

    def locked_activity(self, conversations: int) -> None:
        """Locked: `conversations` conversations changed on the relay since the lock."""
        self._show(self.state.locked_activity(conversations))
        self._show_badge()

    def title(self, title: str) -> str:
        """`title` with the badge's count: "(3) Opgelucht Desk"."""
        return counted_title(title, self.state.badge)

    def _show_badge(self) -> None:
        """Tray icon, dock/taskbar badge and (through badge_changed) the window title; the tooltip says
        only how many, never from whom."""
        count = self.state.badge
        if self._tray is not None:
            self._tray.setIcon(badge_icon(app_icon(), count))
            self._update_tooltip()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication) and _badge_supported(app):
            app.setBadgeNumber(count)  # macOS dock, Windows taskbar, Linux launchers (Unity API); Qt >= 6.5
        self.badge_changed.emit(count)

    def _show(self, notice: Notice | None) -> None:
        if notice is None:
            return
        text = notification_text(notice.count, notice.kind)
        spawn(self._deliver(text))

    async def _deliver(self, text: NotificationText) -> None:
        if await self.system.show(text.title, text.body):
            self.delivered_by = "system"
        elif self._tray is not None:  # fallback: no notification library, backend or server
            self._tray.showMessage(text.title, text.body, QSystemTrayIcon.MessageIcon.Information)
            self.delivered_by = "tray"
        else:
            self.delivered_by = None
        self.notified.emit(text.title, text.body)

    def _update_tooltip(self) -> None:
        if self._tray is None:
            return
        self._tray.setToolTip(Notifications().unread(self.state.badge))

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()
