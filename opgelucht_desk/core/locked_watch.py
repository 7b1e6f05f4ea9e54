"""While the desk is locked: count the conversations that change on the relay, without any key.

Locking takes every key out of memory (DESIGN §5), so nothing can be decrypted. What stays is the
relay session (its token in the keyring) and the relay's live event stream, which is content-free by
design: "conversation X changed". The watch listens to that stream and reports how many distinct
conversations changed since the lock, nothing else. It cannot tell a reporter's message from a
colleague's reply or note (that is inside the encryption), so it counts activity; the exact unread
count follows at login.

It makes no request besides the event stream, so it does not keep the relay session alive: when the
session's idle time-out ends it (401), the watch stops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.errors import AuthExpiredError, OfflineError, ServerError


class LockedWatch:
    """Calls ``on_activity(n)`` each time the number ``n`` of conversations changed since the lock grows."""

    def __init__(
        self, api: RelayClient, on_activity: Callable[[int], None], max_backoff: float = 60.0
    ) -> None:
        self.api = api
        self.on_activity = on_activity
        self.max_backoff = max_backoff
        self.listening = False  # the relay confirmed the subscription
        self._changed: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="opg-locked-watch")

    async def wait(self) -> None:
        """Until the watch has ended by itself (its session ended)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            while not task.done():  # as in SyncEngine.stop: a cancel inside an HTTP time-out may be swallowed
                task.cancel()
                await asyncio.wait([task], timeout=1.0)
            with contextlib.suppress(BaseException):
                task.result()
        await self.api.aclose()

    async def _run(self) -> None:
        first = backoff = min(1.0, self.max_backoff)
        while True:
            try:
                async for event in self.api.events():
                    if event is None:  # subscribed (or asked to resync, which a locked desk cannot)
                        self.listening, backoff = True, first
                    elif event.conv_id not in self._changed:
                        self._changed.add(event.conv_id)
                        self.on_activity(len(self._changed))
            except AuthExpiredError:
                return  # the session ended: there is nothing left to listen with until the next login
            except (OfflineError, ServerError):
                pass
            self.listening = False
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)


__all__ = ["LockedWatch"]
