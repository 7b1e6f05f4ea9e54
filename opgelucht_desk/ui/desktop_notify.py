"""System notifications through desktop-notifier, with or without a tray (Qt-free).

Windows: a WinRT toast; macOS: UNUserNotificationCenter (from the app bundle); Linux: the freedesktop
Notifications service over D-Bus (dbus-fast on the running asyncio loop, i.e. qasync's). The caller
hands over a title and a body only; Opgelucht's are fixed, content-free texts (ui/notifications.py).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class _OneLine(logging.Filter):
    """The library logs a failed delivery with its traceback (to stderr, where people and support
    read it): keep one line with the error type instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            record.msg = f"{record.getMessage()}: {record.exc_info[0].__name__}"
            record.args = None
            record.exc_info = record.exc_text = None
        return True


def _quiet_library_logs() -> None:
    one_line = _OneLine()
    for name in list(logging.root.manager.loggerDict):
        if name == "desktop_notifier" or name.startswith("desktop_notifier."):
            logger = logging.getLogger(name)
            if not any(isinstance(f, _OneLine) for f in logger.filters):
                logger.addFilter(one_line)


class SystemNotifications:
    """One notification at a time: a new one replaces the previous one instead of piling up."""

    def __init__(
        self, app_name: str, icon: Path | None = None, on_clicked: Callable[[], None] | None = None
    ) -> None:
        self.on_clicked = on_clicked
        self._notifier: Any = None
        self._last: str | None = None
        try:
            from desktop_notifier import DesktopNotifier, Icon
            from desktop_notifier.backends.dummy import DummyNotificationCenter
            from desktop_notifier.main import get_backend_class

            _quiet_library_logs()
            if get_backend_class() is DummyNotificationCenter:  # e.g. macOS outside an app bundle
                return
            self._notifier = DesktopNotifier(app_name=app_name, app_icon=Icon(path=icon) if icon else None)
        except Exception as exc:  # not installed, or incomplete in a bundle: the tray balloon stays
            log.warning("no system notifications: %s", type(exc).__name__)

    @property
    def available(self) -> bool:
        """The library and a backend for this system exist (whether a server answers shows in show())."""
        return self._notifier is not None

    async def show(self, title: str, body: str) -> bool:
        """True when the system accepted the notification (False: no library, backend or server)."""
        if self._notifier is None:
            return False
        from desktop_notifier import Notification

        accepted = False

        def dispatched() -> None:
            nonlocal accepted
            accepted = True

        if self._last is not None:
            with contextlib.suppress(Exception):  # already closed by the user or the server
                await self._notifier.clear(self._last)
            self._last = None
        notification = Notification(title, body, on_dispatched=dispatched, on_clicked=self._clicked)
        try:  # the library logs and swallows its own failures; anything else must not stop the caller
            identifier = await self._notifier.send_notification(notification)
        except Exception as exc:
            log.warning("system notification failed: %s", type(exc).__name__)
            return False
        if accepted:
            self._last = identifier
        return accepted

    def _clicked(self) -> None:
        if self.on_clicked is not None:
            self.on_clicked()


__all__ = ["SystemNotifications"]
