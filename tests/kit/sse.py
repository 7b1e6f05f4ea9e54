"""Reading the relay's Server-Sent Events stream (`/v1/inbox/events`) line by line."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator


async def next_event(lines: AsyncIterator[str]) -> dict[str, object]:
    """The next ``data:`` payload of a Server-Sent Events stream."""
    async for line in lines:
        if line.startswith("data: "):
            return dict(json.loads(line[len("data: ") :]))
    raise AssertionError("stream ended")


async def wait_ready(lines: AsyncIterator[str]) -> None:
    """Wait for the ``: ready`` comment: the subscription is active from then on."""
    async for line in lines:
        if line == ": ready":
            return
    raise AssertionError("stream ended")
