"""The limit prototype for bench/relay_speed.py: what a signed post costs at Python's limit here.

A raw ASGI app (no framework, no middleware) on the same uvicorn as ``opgelucht-relay serve`` (uvloop
and httptools when installed, access log off) that, per request: reads the body, verifies the device's
Ed25519 request signature with ``opgelucht_desk.protocol.verify_request`` (the device's key from a dict
loaded at start-up), and does one INSERT + COMMIT of the body keyed by the nonce (a repeated nonce is a
401, as in the relay). SQLite: plain ``sqlite3`` on the event loop with the relay's pragmas (WAL,
synchronous=NORMAL). PostgreSQL: one ``INSERT`` on a pooled asyncpg connection (autocommit).

    python bench/limit_app.py --db sqlite:///path | postgresql://... --keys keys.json --port P [--workers N]

``keys.json`` maps device ids to base64 signing keys. Nothing is logged.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn

from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.errors import RequestAuthError
from opgelucht_desk.protocol.request_auth import parse_request_headers, verify_request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DB_ENV, KEYS_ENV, POOL_ENV = "OPG_LIMIT_DB", "OPG_LIMIT_KEYS", "OPG_LIMIT_POOL"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS limit_posts (nonce TEXT PRIMARY KEY, device_id TEXT NOT NULL, "
    "path TEXT NOT NULL, body {blob} NOT NULL, stored_at DOUBLE PRECISION NOT NULL)"
)
INSERT_SQLITE = "INSERT INTO limit_posts VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
INSERT_PG = "INSERT INTO limit_posts VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"


def _start(status: int) -> Message:
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json")],
    }


class LimitApp:
    """The ASGI app; ``db`` is ``sqlite:///<file>`` or a ``postgresql://`` URL."""

    def __init__(self, db: str, keys: dict[uuid.UUID, bytes], pool_size: int = 32) -> None:
        self.db, self.keys, self.pool_size = db, keys, pool_size
        self.sqlite: sqlite3.Connection | None = None
        self.pool: asyncpg.Pool | None = None

    async def startup(self) -> None:
        if self.db.startswith("sqlite:///"):
            self.sqlite = sqlite3.connect(self.db.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
                self.sqlite.execute(f"PRAGMA {pragma}")
            self.sqlite.execute(SCHEMA.format(blob="BLOB"))
        else:
            self.pool = await asyncpg.create_pool(self.db, min_size=self.pool_size, max_size=self.pool_size)
            async with self.pool.acquire() as conn:
                await conn.execute(SCHEMA.format(blob="BYTEA"))

    async def store(self, nonce: str, device_id: uuid.UUID, path: str, body: bytes) -> bool:
        row = (nonce, str(device_id), path, body, time.time())
        if self.sqlite is not None:
            self.sqlite.execute("BEGIN IMMEDIATE")
            inserted = self.sqlite.execute(INSERT_SQLITE, row).rowcount
            self.sqlite.execute("COMMIT")
            return bool(inserted)
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            status = await conn.execute(INSERT_PG, *row)
        return bool(status.endswith(" 1"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await self.startup()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        status, answer = await self.handle(scope, body)
        await send(_start(status))
        await send({"type": "http.response.body", "body": answer})

    async def handle(self, scope: Scope, body: bytes) -> tuple[int, bytes]:
        if scope["method"] == "GET":
            return 200, b'{"status":"ok"}'
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        path = bytes(scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        try:
            key = self.keys.get(parse_request_headers(headers).device_id)
            if key is None:
                return 401, b'{"error":"bad_signature"}'
            device_id, _, nonce = verify_request(
                headers, scope["method"], path, body, key, now=int(time.time())
            )
        except RequestAuthError:
            return 401, b'{"error":"bad_signature"}'
        if not await self.store(nonce, device_id, path, body):
            return 401, b'{"error":"replayed_request"}'
        return 201, json.dumps({"nonce": nonce}).encode()


def load_keys(path: Path) -> dict[uuid.UUID, bytes]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {uuid.UUID(device): b64d(key) for device, key in raw.items()}


def create_app() -> LimitApp:
    """The factory uvicorn's workers call (settings from the environment)."""
    pool = int(os.environ.get(POOL_ENV, "32"))
    return LimitApp(os.environ[DB_ENV], load_keys(Path(os.environ[KEYS_ENV])), pool)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--keys", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--pool", type=int, default=32, help="asyncpg connections per worker")
    args = parser.parse_args()
    os.environ[DB_ENV], os.environ[KEYS_ENV] = args.db, str(args.keys)
    os.environ[POOL_ENV] = str(args.pool)
    if args.workers > 1 and args.db.startswith("sqlite"):
        sys.exit("SQLite: one process (as the relay)")
    options: dict[str, Any] = {
        "host": "127.0.0.1", "port": args.port, "access_log": False, "server_header": False,
        "log_level": "warning", "factory": True, "workers": args.workers,
        "app_dir": str(Path(__file__).resolve().parent),
    }  # fmt: skip
    uvicorn.run("limit_app:create_app", **options)


if __name__ == "__main__":
    main()
