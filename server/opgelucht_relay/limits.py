"""Request body size limits (docs/api.md: 1 MiB for message posts, the blob of a ``max_file_bytes`` file
for blob uploads, 64 KiB elsewhere) as ASGI middleware."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opgelucht_relay.errors import error_response

# Paths whose bodies carry envelopes or key wraps and may be up to ``max_message_body_bytes``.
LARGE_BODY_PATHS = re.compile(r"^/v1/(device|inbox)/conversations/[^/]+/(messages|notes)$|^/v1/inbox/wraps$")
# Paths whose bodies are encrypted file blobs, up to ``blob_limit``.
BLOB_PATHS = re.compile(r"^/v1/(device|inbox)/conversations/[^/]+/blobs/[^/]+$")


def declared_length_refusal(scope: Scope, limit: int) -> ASGIApp | None:
    """The error answer for a request whose ``Content-Length`` is over ``limit`` (413 ``too_large``) or not
    a length (400); None when it declares none or a good one (a streamed body is counted as it comes)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                declared = -1
            if declared < 0 or declared > limit:
                code, status = ("too_large", 413) if declared > limit else ("bad_request", 400)
                return error_response(status, code)
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default_limit: int, large_limit: int, blob_limit: int = 0) -> None:
        self.app = app
        self.default_limit = default_limit
        self.large_limit = large_limit
        self.blob_limit = blob_limit or large_limit

    def limit_for(self, path: str) -> int:
        if BLOB_PATHS.match(path):
            return self.blob_limit
        return self.large_limit if LARGE_BODY_PATHS.match(path) else self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        refusal = declared_length_refusal(scope, limit)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI re-raises HTTPException from body reading; the error handler shapes it.
                    raise HTTPException(413)
            return message

        await self.app(scope, limited_receive, send)
