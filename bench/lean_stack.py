"""The relay's own CPU per lean-route request around the services: the ASGI stack, the route's match, the
access log and counter, the body limit, the error layers and the answer, in one process without a
server, a database or a signature (``hot_paths.verify`` and ``hot_paths.device_post`` are stubbed), so
that what changes with the stack is measured without the noise of a shared machine's wrk runs.

    .venv/bin/python bench/lean_stack.py [--requests 20000] [--rounds 5]

Prints the CPU microseconds per request (the best of the rounds: the least disturbed) of a device post
answered 201 and of one answered 401 (a refused signature: the error-handler path), and of a request
that passes the lean routes (``GET /v1/health``-like: a 404 for an unknown path) for the cost added to
every other route. Run it against another checkout with ``PYTHONPATH=<checkout>/server``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from opgelucht_relay.app import create_app
from opgelucht_relay.config import Settings
from opgelucht_relay.errors import ApiError
from opgelucht_relay.services import hot_paths

BODY = b'{"envelope": "' + b"A" * 400 + b'"}'
STORED = {"id": str(uuid.uuid4()), "seq": 7, "created_at": "2026-12-01T17:00:00Z", "expires_at": None}


async def _verify_ok(*_args: Any) -> tuple[Any, str]:
    return None, "nonce"


async def _verify_refused(*_args: Any) -> tuple[Any, str]:
    raise ApiError(401, "bad_signature", "The request signature is not valid.")


async def _post(*_args: Any) -> tuple[dict[str, Any], int]:
    return STORED, 201


def _scope(path: str, method: str) -> dict[str, Any]:
    headers = [
        (b"host", b"127.0.0.1:8080"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(BODY)).encode()),
        (b"opg-device", b"d"),
        (b"opg-timestamp", b"t"),
        (b"opg-nonce", b"n"),
        (b"opg-signature", b"s"),
    ]
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8080),
        "state": {},
    }  # fmt: skip


async def _round(app: Any, path: str, method: str, expect: int, requests: int) -> float:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    started = time.process_time()
    for _ in range(requests):
        await app(_scope(path, method), receive, send)
    spent = time.process_time() - started
    assert status == expect, (path, status)
    return spent / requests * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(
            None, data_dir=Path(tmp), database_url=f"sqlite+aiosqlite:///{tmp}/bench.db", run_jobs=False,
            auto_migrate=False, log_level="WARNING",
        )  # fmt: skip
        app = create_app(settings)
        hot_paths.device_post = _post  # type: ignore[assignment]
        post = f"/v1/device/conversations/{uuid.uuid4()}/messages"
        cases = [
            ("device post 201", _verify_ok, post, "POST", 201),
            ("device post 401", _verify_refused, post, "POST", 401),
            ("other route 404", _verify_ok, "/v1/no-such-route", "GET", 404),
        ]
        for name, verify, path, method, expect in cases:
            hot_paths.verify = verify  # type: ignore[assignment]
            await _round(app, path, method, expect, 2_000)  # warm: caches, lazily built stacks
            best = min([await _round(app, path, method, expect, args.requests) for _ in range(args.rounds)])
            print(f"{name}: {best:.1f} µs CPU per request")


if __name__ == "__main__":
    asyncio.run(main())
