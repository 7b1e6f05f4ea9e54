"""Typed events: one ``inbox_changed`` per change, published after the change (the screen never shows
the old state), and a failing listener does not stop the others."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from kit.reporter import CANARY_TEXT, Reporter

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.core.events import DeskListener, EventBus
from opgelucht_desk.core.model import Category, ConversationSummary, Status

from .desks import EnrolledDesk


class Snapshots(DeskListener):
    """What the inbox list shows at each ``inbox_changed``."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.seen: list[ConversationSummary] = []

    def inbox_changed(self) -> None:
        [conv] = self.desk.conversations()
        self.seen.append(conv)


async def test_each_change_publishes_once_after_the_change(
    admin_desk: EnrolledDesk, reporter: Reporter
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    [conv] = desk.conversations()
    snapshots = Snapshots(desk)
    desk.add_listener(snapshots)

    async def published_by(change: Coroutine[Any, Any, None]) -> list[ConversationSummary]:
        # Sending the queued META afterwards is a change of its own (the item leaves the outbox): let
        # the background send settle first, so only what the change itself published is counted.
        await asyncio.gather(*desk._background._tasks)
        before = len(snapshots.seen)
        await change
        return snapshots.seen[before:]

    [closed] = await published_by(desk.set_status(conv.conv_id, Status.CLOSED))
    assert closed.status == Status.CLOSED
    [bullying] = await published_by(desk.set_category(conv.conv_id, Category.PESTEN))
    assert (bullying.status, bullying.category) == (Status.CLOSED, Category.PESTEN)
    [read] = await published_by(desk.mark_read(conv.conv_id))
    assert read.unread == 0
    desk.remove_listener(snapshots)


def test_a_failing_listener_does_not_stop_the_others() -> None:
    class Failing(DeskListener):
        def new_messages(self, count: int) -> None:
            raise RuntimeError("boom")

    class Counting(DeskListener):
        def __init__(self) -> None:
            self.counts: list[int] = []

        def new_messages(self, count: int) -> None:
            self.counts.append(count)

    bus, counting = EventBus(), Counting()
    bus.add(Failing())
    bus.add(counting)
    bus.publish(lambda listener: listener.new_messages(2))
    bus.publish(lambda listener: listener.inbox_changed())  # not overridden: nothing happens
    assert counting.counts == [2]
    bus.remove(counting)
    bus.publish(lambda listener: listener.new_messages(3))
    assert counting.counts == [2]
