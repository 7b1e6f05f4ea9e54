"""Content-free live events (``{"conv_id", "seq", "cursor"}``) for the counsellors of an org.

``MemoryBroker`` delivers inside one process (SQLite relay). ``PostgresBroker`` publishes with
``pg_notify`` and LISTENs on one connection per relay instance, so an event published by one instance
reaches the subscribers of every instance on the same database.

The same channel carries control events that end streams: ``{"end": "session:<id>"}`` (sign-out, a
revoked session, a device the roster dropped), ``{"end": "counsellor:<id>"}`` (a removed counsellor)
and ``{"end": "device:<id>"}`` (a device the roster dropped) end every stream of that session,
counsellor or device on every instance (:func:`end_streams`); they are never sent to a client. On
SIGTERM/SIGINT every stream of the process ends (:func:`streams_end_on_exit_signals`), so that the
server's graceful shutdown does not wait for streams that never finish by themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from types import FrameType
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.datastructures import State
from starlette.requests import HTTPConnection

from opgelucht_relay.db import Database

log = logging.getLogger("opgelucht.relay.events")

CHANNEL = "opg_live_events"
QUEUE_SIZE = 256
RESYNC: dict[str, Any] = {"resync": True}  # a slow subscriber's queue overflowed, or a new roster
CLOSED: dict[str, Any] = {"closed": True}  # end the stream (lost feed, session ended, shutdown)
EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def session_owner(session_id: uuid.UUID) -> str:
    return f"session:{session_id}"


def counsellor_owner(counsellor_id: uuid.UUID) -> str:
    return f"counsellor:{counsellor_id}"


def device_owner(device_id: uuid.UUID) -> str:
    return f"device:{device_id}"


class MemoryBroker:
    def __init__(self) -> None:
        # org id -> {subscriber queue: the owners it belongs to (its session and counsellor)}
        self._subscribers: dict[uuid.UUID, dict[asyncio.Queue[dict[str, Any]], frozenset[str]]] = {}
        self._shut_down = False

    def deliver(self, org_id: uuid.UUID, event: dict[str, Any]) -> None:
        ended = event.get("end")
        for queue, owners in list(self._subscribers.get(org_id, {}).items()):
            if ended is not None:
                if ended in owners:
                    _replace_all(queue, CLOSED)
                continue
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # The client falls behind: tell it to sync by cursor instead of dropping silently.
                _replace_all(queue, RESYNC)

    async def publish(self, org_id: uuid.UUID, event: dict[str, Any]) -> None:
        self.deliver(org_id, event)

    def close_all(self) -> None:
        """Tell every subscriber that its stream must end (it reconnects and syncs by cursor)."""
        for subscribers in self._subscribers.values():
            for queue in subscribers:
                _replace_all(queue, CLOSED)

    def shut_down(self) -> None:
        """The process is stopping: end every stream now, and any that subscribes from now on."""
        self._shut_down = True
        self.close_all()

    async def _started(self) -> None:
        """Hook: be ready to receive before a subscription counts as active."""

    @contextlib.asynccontextmanager
    async def subscribe(
        self, org_id: uuid.UUID, owners: Iterable[str] = ()
    ) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue of the org's events until the block ends; an ``{"end": owner}`` event for one of
        ``owners`` (or a shutdown) turns it into CLOSED."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        if self._shut_down:
            queue.put_nowait(CLOSED)
            yield queue
            return
        await self._started()
        self._subscribers.setdefault(org_id, {})[queue] = frozenset(owners)
        try:
            yield queue
        finally:
            subscribers = self._subscribers.get(org_id, {})
            subscribers.pop(queue, None)
            if not subscribers:
                self._subscribers.pop(org_id, None)
            if not self._subscribers:
                await self._idle()

    async def _idle(self) -> None:
        """Hook: the last subscriber left."""

    async def close(self) -> None:
        self._subscribers.clear()
        await self._idle()


def _replace_all(queue: asyncio.Queue[dict[str, Any]], event: dict[str, Any]) -> None:
    """Drop what the subscriber has not read yet and leave ``event`` as the only item."""
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(event)


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
    return _broker(connection.app.state)


def _broker(state: State) -> MemoryBroker:
    broker: MemoryBroker | None = getattr(state, "live_events", None)
    if broker is None:
        db: Database = state.ctx.db
        broker = PostgresBroker(db) if db.dialect == "postgresql" else MemoryBroker()
        state.live_events = broker
    return broker


async def end_streams(connection: HTTPConnection, org_id: uuid.UUID, *owners: str) -> None:
    """End the live streams of these owners (:func:`session_owner`, :func:`counsellor_owner`,
    :func:`device_owner`) on every instance. Call it after the commit that ended the session, removed
    the counsellor or dropped the device."""
    broker = broker_for(connection)
    for owner in owners:
        await broker.publish(org_id, {"end": owner})


@contextlib.contextmanager
def streams_end_on_exit_signals(state: State) -> Iterator[None]:
    """While the block runs: on SIGTERM or SIGINT, end every live stream of this process, then run the
    handler that was there before (uvicorn's: stop accepting, wait for open responses, shut down).
    Without this, a server's graceful shutdown waits for streams that never end by themselves."""
    if threading.current_thread() is not threading.main_thread():  # signals belong to the main thread
        yield
        return
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {sig: signal.getsignal(sig) for sig in EXIT_SIGNALS}

    def on_exit_signal(sig: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(lambda: _broker(state).shut_down())
        handler = previous[sig]
        if callable(handler):
            handler(sig, frame)
        elif handler == signal.SIG_DFL:  # nobody handles it: die as the default would
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    for exit_signal in EXIT_SIGNALS:
        signal.signal(exit_signal, on_exit_signal)
    try:
        yield
    finally:
        for number, handler in previous.items():
            if signal.getsignal(number) is on_exit_signal:
                signal.signal(number, handler)
