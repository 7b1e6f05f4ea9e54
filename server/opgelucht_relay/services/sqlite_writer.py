"""One writer thread for the SQLite relay: whole write transactions with plain ``sqlite3``, with
optional group commit, results handed to the asyncio caller through futures (issue 12).

Through SQLAlchemy + aiosqlite every statement of a post is one hop to aiosqlite's thread and back;
here a *job* (a plain function of the ``sqlite3.Connection``) runs entirely in the writer thread, so a
post costs one hand-off in and one wake-up out.

Group commit: the jobs that are queued when the thread takes work (up to ``max_group``) run in one
transaction, each inside a SAVEPOINT of its own. A job that raises is rolled back to its savepoint
(the others are kept) and its future gets the exception. Then one COMMIT; only after it has returned
are the futures resolved: a caller (and so a client) never hears "stored" for a row that is not
committed. When the COMMIT fails, every job of the group gets that error and nothing is kept.

Durability is that of the relay's engine (WAL, ``synchronous=NORMAL``): a committed transaction
survives the relay process being killed; after a power loss the last commits may be lost (pass
``synchronous="FULL"`` to fsync every commit). A job must not COMMIT, ROLLBACK or BEGIN itself; it may
use SAVEPOINTs of its own (nested inside its job savepoint).

The relay's hot paths run here (``services/hot_paths.py``); its other writers (SQLAlchemy sessions
under ``write_lock``) take the same database lock through their own connection, and SQLite's busy
timeout orders the two (docs/relay.md "The SQLite writer").
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

Job = Callable[[sqlite3.Connection], T]

# The relay's pragmas (server/opgelucht_relay/db.py), so rows written here read back identically.
PRAGMAS = ("secure_delete=ON", "journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000")


class WriterClosed(RuntimeError):
    """The writer was closed (or its thread ended) before the job ran."""


@dataclass
class _Pending(Generic[T]):
    job: Job[T]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[T]


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():  # the caller was cancelled: the job's outcome (committed or not) stands
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


Outcome = tuple[asyncio.Future[Any], Any, BaseException | None]


def _settle_all(outcomes: list[Outcome]) -> None:
    for future, value, error in outcomes:
        _settle(future, value, error)


def _hand_back(group: list[tuple[_Pending[Any], Any, BaseException | None]]) -> None:
    """Resolve a group's futures with ONE ``call_soon_threadsafe`` per event loop (not one per job:
    each is a lock, a queue append and a wake-up of the loop; a group of 32 paid 32)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
    for pending, value, error in group:
        by_loop.setdefault(pending.loop, []).append((pending.future, value, error))
    for loop, outcomes in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop was closed: nobody waits for these futures
            loop.call_soon_threadsafe(_settle_all, outcomes)


class SqliteWriter:
    """``await writer.run(job)`` runs ``job(conn)`` in the writer thread inside a transaction and
    returns its result once that transaction has committed (or raises the job's exception: the job's
    writes are rolled back, the other jobs of its group are not)."""

    def __init__(
        self,
        path: str | Path,
        *,
        group_commit: bool = True,
        max_group: int = 64,
        synchronous: str = "NORMAL",
    ) -> None:
        if synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"):
            raise ValueError("synchronous: NORMAL, FULL or EXTRA")
        self._path = str(path)
        self._max_group = max_group if group_commit else 1
        self._synchronous = synchronous.upper()
        self._queue: queue.SimpleQueue[_Pending[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self.groups = 0  # transactions committed (group commit: fewer than jobs)
        self.jobs = 0

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the connection in the writer thread (raises what opening raised)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._main, name="opg-sqlite-writer", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            raise self._startup_error

    def close(self) -> None:
        """Finish the queued jobs, then close the connection and end the thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    # -- running jobs --------------------------------------------------------------------------------

    async def run(self, job: Job[T]) -> T:
        if self._closed or self._thread is None or not self._thread.is_alive():
            raise WriterClosed("the SQLite writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Pending(job, loop, future))
        return await future

    # -- the thread ----------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        for pragma in (*PRAGMAS, f"synchronous={self._synchronous}"):
            conn.execute(f"PRAGMA {pragma}")
        return conn

    def _main(self) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:  # reported to start()
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    break
                group = [first]
                stop = False
                while len(group) < self._max_group:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    group.append(more)
                self._run_group(conn, group)
                if stop:
                    break
        finally:
            self._fail_queued()
            conn.close()

    def _fail_queued(self) -> None:
        while True:
            try:
                pending = self._queue.get_nowait()
            except queue.Empty:
                return
            if pending is not None:
                error = WriterClosed("the SQLite writer was closed")
                pending.loop.call_soon_threadsafe(_settle, pending.future, None, error)

    def _run_group(self, conn: sqlite3.Connection, group: list[_Pending[Any]]) -> None:
        outcomes: list[tuple[_Pending[Any], Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for pending in group:
                conn.execute("SAVEPOINT opg_job")
                try:
                    value = pending.job(conn)
                except Exception as exc:
                    conn.execute("ROLLBACK TO opg_job")
                    conn.execute("RELEASE opg_job")
                    outcomes.append((pending, None, exc))
                else:
                    conn.execute("RELEASE opg_job")
                    outcomes.append((pending, value, None))
            conn.execute("COMMIT")
        except Exception as exc:  # BEGIN, a savepoint statement or the COMMIT failed: nothing is kept
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            _hand_back([(pending, None, exc) for pending in group])
            return
        self.groups += 1
        self.jobs += len(group)
        _hand_back(outcomes)
