"""What the user is told about new messages, and when (Qt-free, so it is tested without a screen).

Only numbers go in, so only numbers can come out: no message text and no pseudonym can reach a
notification, the badge or the window title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class NoticeKind(Enum):
    NEW_MESSAGES = "new_messages"  # unlocked: the sync decrypted this many new incoming messages
    LOCKED_ACTIVITY = "locked_activity"  # locked: this many conversations changed (nothing decrypted)


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    count: int


class UnreadNotices:
    """The unread badge and the notices, unlocked and locked.

    Unlocked, the badge is the core's unread total and each sync that found new incoming messages gives
    one notice, except the catch-up right after login (until `caught_up()`): the user is at the window
    and sees those messages in the inbox. Locked, the badge keeps the unread total of the moment of
    locking plus the conversations that changed since (an "at least" figure: the locked desk cannot
    decrypt), and each conversation that changes for the first time since the lock gives one notice.
    Notices can be switched off; the badge cannot."""

    def __init__(self) -> None:
        self.enabled = True
        self.locked = False
        self._unread = 0
        self._changed = 0  # conversations changed since the lock
        self._catching_up = False

    @property
    def badge(self) -> int:
        return self._unread + self._changed

    def set_unread(self, count: int) -> None:
        self._unread = max(0, count)

    def lock(self) -> None:
        self.locked, self._changed = True, 0

    def unlock(self) -> None:
        self.locked, self._changed, self._catching_up = False, 0, True

    def caught_up(self) -> None:
        """The first sync round after login has finished."""
        self._catching_up = False

    def new_messages(self, count: int) -> Notice | None:
        if self.locked or self._catching_up or count <= 0 or not self.enabled:
            return None
        return Notice(NoticeKind.NEW_MESSAGES, count)

    def locked_activity(self, conversations: int) -> Notice | None:
        if not self.locked or conversations <= self._changed:
            return None
        self._changed = conversations
        return Notice(NoticeKind.LOCKED_ACTIVITY, conversations) if self.enabled else None


_COUNT_PREFIX = re.compile(r"^\(\d+\) ")


def counted_title(title: str, count: int) -> str:
    """``"(3) Opgelucht Desk"``: taskbars and window lists show the unread count; any old count goes."""
    bare = _COUNT_PREFIX.sub("", title)
    return f"({count}) {bare}" if count > 0 else bare


__all__ = ["Notice", "NoticeKind", "UnreadNotices", "counted_title"]
