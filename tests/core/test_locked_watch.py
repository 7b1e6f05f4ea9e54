"""The locked desk's watch (core/locked_watch.py): counts changed conversations from the live events
alone, asks the relay for nothing else, and stops for good when the session has ended."""

from __future__ import annotations

import asyncio
import json

import httpx

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.locked_watch import LockedWatch

CONV_A = "9b7e0c1e-0000-4000-8000-00000000000a"
CONV_B = "9b7e0c1e-0000-4000-8000-00000000000b"


def _change(conv_id: str, cursor: int) -> str:
    data = json.dumps({"conv_id": conv_id, "seq": cursor, "cursor": cursor})
    return f"event: change\ndata: {data}\n\n"


async def test_counts_distinct_conversations_and_stops_when_the_session_ended() -> None:
    requests: list[str] = []

    def relay(request: httpx.Request) -> httpx.Response:
        requests.append(f"{request.method} {request.url.path}")
        if len(requests) == 1:  # a stream with three changes in two conversations, then it ends
            body = ": ready\n\n" + _change(CONV_A, 1) + _change(CONV_A, 2) + _change(CONV_B, 3)
            return httpx.Response(200, text=body, headers={"Content-Type": "text/event-stream"})
        error = {"error": {"code": "unauthenticated", "message": "session ended"}}
        return httpx.Response(401, json=error)  # the reconnect: the idle time-out ended the session

    api = RelayClient("http://relay.test", token="t" * 43, transport=httpx.MockTransport(relay))
    counts: list[int] = []
    watch = LockedWatch(api, counts.append, max_backoff=0.01)
    watch.start()
    await asyncio.wait_for(watch.wait(), timeout=5)
    assert not watch.running
    await watch.stop()
    assert counts == [1, 2]  # one notice per conversation, however many changes it had
    assert requests == ["GET /v1/inbox/events", "GET /v1/inbox/events"]  # nothing else: no sync, no keys
    assert not watch.listening
