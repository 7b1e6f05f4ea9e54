"""The core's events, typed: one :class:`DeskListener` method per event, declared here only.

A listener subclasses :class:`DeskListener` and overrides the events it acts upon (the others do
nothing). The core publishes an event by calling the listener method itself, through the bus::

    events.publish(lambda listener: listener.new_messages(count))

so mypy checks the event's name and arguments at every publishing site. Every event is content-free
(counts, versions, kinds; never text or pseudonyms).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from opgelucht_desk.core.model import RosterWarning, RosterWarningKind

log = logging.getLogger("opgelucht.desk.events")

__all__ = ["DeskListener", "EventBus"]


class DeskListener:
    """The core's events. Override the ones to act upon; the defaults do nothing."""

    def inbox_changed(self) -> None:
        """Conversations, messages, counts or states changed: show the inbox again."""

    def new_messages(self, count: int) -> None:
        """``count`` new incoming messages arrived (notify)."""

    def sync_progress(self, done: int, total: int) -> None:
        """A sync round stored ``done`` of about ``total`` messages."""

    def connection_changed(self, online: bool) -> None:
        """The relay became reachable (True) or unreachable (False)."""

    def roster_warning(self, warning: RosterWarning) -> None:
        """The roster cannot be trusted or used (also: this computer is not listed)."""

    def roster_warning_cleared(self, kind: RosterWarningKind) -> None:
        """A warning of ``kind`` no longer holds (e.g. a new roster lists this computer): stop showing it."""

    def roster_changed(self, version: int) -> None:
        """A new verified roster: show it, so each counsellor can watch their own entry (DESIGN §2)."""

    def auth_expired(self) -> None:
        """The relay ended the session (time-out, signed out elsewhere): lock and ask to log in."""

    def register_changed(self) -> None:
        """The case register (core/register.py) changed or was refreshed: show the annual report again."""

    def locked_activity(self, conversations: int) -> None:
        """While locked: ``conversations`` conversations changed since locking (core/locked_watch.py)."""


class EventBus:
    """Fans events out to the listeners; a failing listener never stops the core."""

    def __init__(self) -> None:
        self.listeners: list[DeskListener] = []

    def add(self, listener: DeskListener) -> None:
        self.listeners.append(listener)

    def remove(self, listener: DeskListener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def publish(self, event: Callable[[DeskListener], None]) -> None:
        """Call ``event`` with each listener (``lambda listener: listener.inbox_changed()``)."""
        for listener in list(self.listeners):
            try:
                event(listener)
            except Exception:
                log.exception("a listener (%s) failed", type(listener).__name__)
