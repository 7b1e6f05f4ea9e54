"""Content-free live events (``{"conv_id", "seq", "cursor"}``) for the counsellors of an org.

``MemoryBroker`` delivers inside one process (SQLite relay). ``PostgresBroker`` publishes with
``pg_notify`` and LISTENs on one connection per relay instance, so an event published by one instance
reaches the subscribers of every instance on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.requests import HTTPConnection

from server.db import Database

log = logging.getLogger("opgelucht.relay.events")

CHANNEL = "opg_live_events"
QUEUE_SIZE = 256
RESYNC: dict[str, Any] = {"resync": True}  # sent when a slow subscriber's queue overflowed
CLOSED: dict[str, Any] = {"closed": True}  # the broker lost its feed: end the stream, the client reconnects


class MemoryBroker:
    def __init__(self) -> None:
        self._subscribers: dict[uuid.UUID, set[asyncio.Queue[dict[str, Any]]]] = {}

    def deliver(self, org_id: uuid.UUID, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(org_id, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # The client falls behind: tell it to sync by cursor instead of dropping silently.
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(RESYNC)

    async def publish(self, org_id: uuid.UUID, event: dict[str, Any]) -> None:
        self.deliver(org_id, event)

    def close_all(self) -> None:
        """Tell every subscriber that its stream must end (it reconnects and syncs by cursor)."""
        for queues in self._subscribers.values():
            for queue in queues:
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(CLOSED)

    async def _started(self) -> None:
        """Hook: be ready to receive before a subscription counts as active."""

    @contextlib.asynccontextmanager
    async def subscribe(self, org_id: uuid.UUID) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        await self._started()
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.setdefault(org_id, set()).add(queue)
        try:
            yield queue
        finally:
            subscribers = self._subscribers.get(org_id, set())
            subscribers.discard(queue)
            if not subscribers:
                self._subscribers.pop(org_id, None)
            if not self._subscribers:
                await self._idle()

    async def _idle(self) -> None:
        """Hook: the last subscriber left."""

    async def close(self) -> None:
        self._subscribers.clear()
        await self._idle()


class PostgresBroker(MemoryBroker):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db
        self._dsn = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn: Any = None
        self._lock = asyncio.Lock()

    async def publish(self, org_id: uuid.UUID, event: dict[str, Any]) -> None:
        payload = json.dumps({"org_id": str(org_id), "event": event}, separators=(",", ":"))
        async with self._db.engine.connect() as conn:
            await conn.execute(
                text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload}
            )
            await conn.commit()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            data = json.loads(payload)
            self.deliver(uuid.UUID(data["org_id"]), dict(data["event"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed live-event notification")

    async def _started(self) -> None:
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                return
            import asyncpg

            self._conn = await asyncpg.connect(self._dsn)
            await self._conn.add_listener(CHANNEL, self._on_notify)
            self._conn.add_termination_listener(self._on_lost)

    def _on_lost(self, _conn: Any) -> None:
        """The LISTEN connection died (database restart, network): notifications may be lost from now
        on, so end every stream of this instance; the clients reconnect (a new listener) and sync."""
        log.warning("live-event listener connection lost")
        self._conn = None
        self.close_all()

    async def _idle(self) -> None:
        """No subscriber left in this instance: stop listening (the next subscriber starts again)."""
        async with self._lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    await self._conn.close()
                self._conn = None


def broker_for(connection: HTTPConnection) -> MemoryBroker:
    """The app's broker, made on first use (PostgreSQL: LISTEN/NOTIFY; SQLite: in-process)."""
    state = connection.app.state
    broker: MemoryBroker | None = getattr(state, "live_events", None)
    if broker is None:
        db: Database = state.ctx.db
        broker = PostgresBroker(db) if db.dialect == "postgresql" else MemoryBroker()
        state.live_events = broker
    return broker
