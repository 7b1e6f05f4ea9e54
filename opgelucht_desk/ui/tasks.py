"""Run coroutines from Qt slots without freezing the window and without losing their errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

_running: set[asyncio.Task[Any]] = set()


def spawn(
    coro: Coroutine[Any, Any, T],
    *,
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> asyncio.Task[T]:
    """Schedule `coro` on the running (qasync) loop and keep a reference until it finishes.

    Exactly one of the callbacks runs when the task ends (none when it is cancelled). An error with
    no `on_error` handler is logged by type only: exception texts may quote user data.
    """
    task = asyncio.ensure_future(coro)
    _running.add(task)

    def finished(t: asyncio.Task[T]) -> None:
        _running.discard(t)
        if t.cancelled():
            return
        exc = t.exception()
        if exc is not None:
            if on_error is not None:
                on_error(exc)
            else:
                log.error("background task failed: %s", type(exc).__name__)
            return
        if on_done is not None:
            on_done(t.result())

    task.add_done_callback(finished)
    return task


def running_tasks() -> int:
    """How many UI-spawned tasks are still running (tests wait for zero)."""
    return len(_running)


async def settle(seconds: float) -> None:
    """Let the UI's running tasks finish (at most `seconds`), then cancel the rest, so that no
    callback runs on a window that is about to be destroyed (application exit)."""
    pending = [t for t in _running if not t.done()]
    if pending:
        _done, late = await asyncio.wait(pending, timeout=seconds)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=seconds)
