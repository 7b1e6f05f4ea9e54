"""Tray icon with an unread badge, and system notifications that never carry content.

Every notification text comes from `notification_text()`: it only knows a count, so it cannot leak
message text or a pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from opgelucht_desk.ui.style import app_icon

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


def notification_text(new_count: int) -> NotificationText:
    """The one place that words a notification; its only input is a number."""
    if new_count <= 1:
        body = QCoreApplication.translate("Notifications", "New message in a conversation")
    else:
        body = Notifications().new_messages(new_count)
    return NotificationText(title="Opgelucht Desk", body=body)


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


class Notifier(QObject):
    """Owns the tray icon; `notify()` shows a content-free notification when enabled.

    `notified` is emitted with the exact title and body shown, so tests can check what a user sees.
    """

    notified = Signal(str, str)
    show_requested = Signal()
    lock_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = True
        self.unread = 0
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

    def set_unread(self, count: int) -> None:
        """Redraw the badge; the tooltip says only how many, never from whom."""
        self.unread = count
        if self._tray is not None:
            self._tray.setIcon(badge_icon(app_icon(), count))
            self._update_tooltip()

    def notify(self, new_count: int) -> None:
        if not self.enabled or new_count <= 0:
            return
        text = notification_text(new_count)
        if self._tray is not None:
            self._tray.showMessage(text.title, text.body, QSystemTrayIcon.MessageIcon.Information)
        self.notified.emit(text.title, text.body)

    def _update_tooltip(self) -> None:
        if self._tray is None:
            return
        self._tray.setToolTip(Notifications().unread(self.unread))

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()
