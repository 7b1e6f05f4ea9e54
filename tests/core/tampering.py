"""The desks' network in the core tests: the real relay, whose answers a test may rewrite."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

JsonRewrite = Callable[[Any], Any]


class TamperingTransport(httpx.AsyncBaseTransport):
    """A test double of the network only: forwards to the real relay and lets a test rewrite the JSON
    of chosen GET responses (``rewrites[path]``), as a malicious relay or network could."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.rewrites: dict[str, JsonRewrite] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        rewrite = self.rewrites.get(request.url.path)
        if rewrite is None or request.method != "GET" or response.status_code != 200:
            return response
        await response.aread()
        return httpx.Response(200, json=rewrite(json.loads(response.content)))

    async def aclose(self) -> None:
        await self.inner.aclose()
