"""The sync engine: cursor-based incremental sync, live events with polling fallback, the outbox
sender, roster tracking and the 31-day purge. Runs in the background on the asyncio loop; decryption
and disk writes go to worker threads so the loop never stalls on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from opgelucht_desk.core.api import RelayClient, RelayUnreachableError, SyncMessage, SyncPage
from opgelucht_desk.core.cache import RETENTION_SECONDS, CachedConversation, EncryptedCache
from opgelucht_desk.core.errors import AuthExpiredError, DeskError, OfflineError, ServerError
from opgelucht_desk.core.events import EventBus
from opgelucht_desk.core.inbox import (
    STATE_UNSHARED,
    ApplyResult,
    ConversationRecord,
    Inbox,
    MessageRecord,
    Opened,
    decrypt_batch,
    open_shared,
)
from opgelucht_desk.core.membership import share_handovers
from opgelucht_desk.core.model import RosterWarning, RosterWarningKind
from opgelucht_desk.core.outbox import Outbox
from opgelucht_desk.core.trust import Trust
from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.meta import parse_meta
from opgelucht_desk.protocol.rewrap import open_rewrap, verify_rewrap

log = logging.getLogger("opgelucht.desk.sync")

CURSOR_META = "cursor"
TRUST_META = "trust"
PURGE_INTERVAL = 3600.0
# Threads opening envelopes (PyNaCl's C calls release the GIL). One core is left to the event loop
# (the UI): on a loaded 2-core machine a second opener gained nothing and doubled the loop's stalls.
OPEN_WORKERS = max(1, (os.cpu_count() or 2) - 1)
APPLY_SLICE = 100  # messages checked on the loop between two yields
LOAD_BATCH = 250  # conversations whose cached messages are decrypted per worker-thread call
NOT_LISTED = RosterWarning(
    RosterWarningKind.NOT_LISTED,
    "This computer is not in the organisation's roster: it receives no new messages "
    "until the org admin publishes a roster that lists it.",
)


_OpenedPage = tuple[SyncPage, "asyncio.Task[SyncPage] | None", list[Opened]]  # page, next fetch, opened


async def _cancel(task: asyncio.Task[Any] | None) -> None:
    """Cancel a pipeline task that is no longer wanted and wait until it has ended."""
    if task is None:
        return
    if not task.done():
        task.cancel()
    with contextlib.suppress(BaseException):
        result = await task
        if isinstance(result, tuple) and isinstance(result[1], asyncio.Task):
            await _cancel(result[1])  # an opened page nobody took: its next fetch too


def read_messages(cache: EncryptedCache, conv_ids: list[str]) -> dict[str, list[MessageRecord]]:
    """Decrypt some conversations' cached messages (runs in a worker thread)."""
    return {c: [MessageRecord.from_cache(r) for r in rows] for c, rows in cache.messages_of(conv_ids).items()}


class SyncEngine:
    def __init__(
        self,
        *,
        api: RelayClient,
        cache: EncryptedCache,
        inbox: Inbox,
        trust: Trust,
        outbox: Outbox,
        keys: DeviceKeys,
        events: EventBus,
        clock: Callable[[], int] = lambda: int(time.time()),
        page_size: int = 500,
        poll_interval: float = 10.0,
        live_poll_interval: float = 120.0,
        max_backoff: float = 60.0,
    ) -> None:
        self.api, self.cache, self.inbox, self.trust, self.outbox = api, cache, inbox, trust, outbox
        self.keys, self.events, self.clock = keys, events, clock
        self.page_size = page_size
        self.poll_interval, self.live_poll_interval, self.max_backoff = (
            poll_interval,
            live_poll_interval,
            max_backoff,
        )
        self.online: bool | None = None
        self.live = False
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._shared_keys: dict[str, bytes] = {}
        self._shared_convs: set[str] = set()
        self._pool: ThreadPoolExecutor | None = None
        self._load_lock = asyncio.Lock()
        self._last_purge = 0.0
        self._stopping = False
        self.listed_in_roster: bool | None = None
        self.rounds = 0

    # -- one round ---------------------------------------------------------------------------------
    async def sync_once(self) -> None:
        """Roster, live conversations, new messages, then the outbox. Raises OfflineError and friends."""
        async with self._lock:
            await self._refresh_roster()
            await self._refresh_conversations()
            if self.outbox.pending():  # first, so that our own messages come back in this round
                await self.outbox.flush(self.api)
            await self._pull()
            if self.outbox.pending():  # queued while pulling
                await self.outbox.flush(self.api)
            # History for a colleague the reporter let in (handover with consent, docs §16).
            await share_handovers(
                inbox=self.inbox, trust=self.trust, keys=self.keys, api=self.api, cache=self.cache
            )
            self.rounds += 1

    async def _stored_cursor(self) -> int:
        """The relay cursor of the last page stored: everything up to it has reached this desk."""
        raw = await asyncio.to_thread(self.cache.get_meta, CURSOR_META)
        cursor = int(raw.decode()) if raw else 0
        self.trust.seen_cursor = max(self.trust.seen_cursor, cursor)
        return cursor

    async def _refresh_roster(self) -> None:
        org = await self.api.org()
        await self._stored_cursor()  # a device the roster drops is removed as of this cursor
        warning: RosterWarning | None = None
        before = self.trust.tracker.current.version if self.trust.tracker.current else 0
        if not self.trust.follow_org_key(org.get("org_key"), org.get("org_key_chain", [])):
            warning = self.trust.set_problem("org_key_change")
        elif org.get("roster") is not None:
            warning = self.trust.accept(org["roster"], self.clock())
        else:
            warning = self.trust.recheck(self.clock())
        await asyncio.to_thread(self.cache.set_meta, TRUST_META, self.trust.to_bytes())
        current = self.trust.tracker.current
        if current is not None and current.version != before:
            # Every roster change is shown, so each counsellor can watch their own entry.
            self.events.publish(lambda listener: listener.roster_changed(current.version))
        listed = current is not None and current.device_by_sign_pk(self.keys.sign_pk) is not None
        if listed != self.listed_in_roster:
            was_listed, self.listed_in_roster = self.listed_in_roster, listed
            if not listed:
                self.events.publish(lambda listener: listener.roster_warning(NOT_LISTED))
            elif was_listed is False:  # listed again: the warning shown before no longer holds
                self.events.publish(
                    lambda listener: listener.roster_warning_cleared(RosterWarningKind.NOT_LISTED)
                )
        if warning:
            self.events.publish(lambda listener: listener.roster_warning(warning))

    async def _refresh_conversations(self) -> None:
        live = await self.api.inbox_conversations()
        listed = {c["conv_id"]: c for c in live}
        gone = [c for c in self.inbox.conversations if c not in listed]
        changed: list[ConversationRecord] = []
        for conv_id, info in listed.items():
            conv = self.inbox.conversations.get(conv_id)
            if conv is not None and conv.expires_at != info["expires_at"]:
                conv.expires_at = info["expires_at"]
                changed.append(conv)
        if gone:
            await asyncio.to_thread(self.cache.delete_conversations, gone)
            self.inbox.drop(gone)
            await self.outbox.drop_conversations(gone)
        if changed:
            await asyncio.to_thread(self.cache.save, [c.to_cache() for c in changed], [])
        if gone or changed:
            self.events.publish(lambda listener: listener.inbox_changed())

    async def _pull(self) -> None:
        """Pages by cursor, pipelined: while page N is checked on the loop (in slices, yielding in
        between), page N+1 is opened by the worker pool, page N+2 is being fetched and page N-1 is
        written to disk."""
        cursor = await self._stored_cursor()
        done = 0
        first = asyncio.create_task(self.api.inbox_sync(cursor, self.page_size))
        upcoming: asyncio.Task[_OpenedPage] | None = asyncio.create_task(self._fetch_and_open(first))
        writing: asyncio.Task[None] | None = None
        try:
            while upcoming is not None:
                page, following, opened = await upcoming
                upcoming = None
                if following is not None:
                    upcoming = asyncio.create_task(self._fetch_and_open(following))
                cursor = max(cursor, int(page["cursor"]))
                writing = await self._apply_page(page, opened, cursor, writing)
                done += len(page["messages"])
                self._progress(done, done + (self.page_size if page["more"] else 0))
            if writing is not None:
                await writing
        finally:
            await _cancel(upcoming)
            if writing is not None and not writing.done():
                with contextlib.suppress(Exception):
                    await writing  # a page's rows and its cursor still reach the disk together

    def _progress(self, done: int, total: int) -> None:
        self.events.publish(lambda listener: listener.sync_progress(done, total))

    async def _fetch_and_open(self, fetch: asyncio.Task[SyncPage]) -> _OpenedPage:
        """Wait for a page, start fetching the next one, and open this one on the worker pool."""
        following: asyncio.Task[SyncPage] | None = None
        try:
            page = await fetch
            if page["more"]:
                following = asyncio.create_task(self.api.inbox_sync(int(page["cursor"]), self.page_size))
            return page, following, await self._open_page(page["messages"])
        except BaseException:
            await _cancel(fetch)
            await _cancel(following)
            raise

    async def _open_page(self, messages: list[SyncMessage]) -> list[Opened]:
        """Open a page's envelopes on the worker pool: PyNaCl's C calls release the GIL, so the
        slices run on several cores. Results keep the relay's order."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=OPEN_WORKERS, thread_name_prefix="opg-open")
        loop = asyncio.get_running_loop()
        size = max(1, -(-len(messages) // OPEN_WORKERS))
        parts = await asyncio.gather(
            *(
                loop.run_in_executor(self._pool, decrypt_batch, messages[i : i + size], self.keys)
                for i in range(0, len(messages), size)
            )
        )
        return [o for part in parts for o in part]

    async def _apply_page(
        self,
        page: SyncPage,
        opened: list[Opened],
        cursor: int,
        writing: asyncio.Task[None] | None,
    ) -> asyncio.Task[None]:
        """Check and add one opened page; returns the task writing it (started after ``writing``)."""
        flagged = [c for wrap in page.get("wraps", []) if (c := self._accept_wrap(wrap, cursor)) is not None]
        # Conversations that get messages must have their cached ones loaded (chains, counts).
        wanted = {o.message["conv_id"] for o in opened} | self._shared_convs
        await self.load_conversations(
            [c for c in wanted if c in self.inbox.conversations and c not in self.inbox.loaded]
        )
        result = ApplyResult()
        for i in range(0, len(opened), APPLY_SLICE):
            if i:
                await asyncio.sleep(0)  # let the UI (and other tasks) run between slices
            part = self.inbox.apply(opened[i : i + APPLY_SLICE], self.trust.staff)
            result.conversations.extend(part.conversations)
            result.messages.extend(part.messages)
            result.new_incoming += part.new_incoming
        self.trust.seen_cursor = max(self.trust.seen_cursor, cursor)
        shared = self._open_shared()
        result.messages.extend(shared.messages)
        convs = {c.conv_id: c for c in [*flagged, *result.conversations, *shared.conversations]}
        for conv in convs.values():
            self._keep_pending_meta(conv)
        # Conversation records change with later pages: snapshot them here. Message records do not
        # change once applied, so they are serialised in the worker thread.
        rows = ([c.to_cache() for c in convs.values()], result.messages)
        if writing is not None:
            await writing  # pages reach the disk in order; the cursor only after its page
        task = asyncio.create_task(asyncio.to_thread(self._persist, *rows, cursor))
        # The decrypted records live as long as the session. Keep the cyclic garbage collector from
        # rescanning them: a full collection over 100,000 messages stalls the loop for over 100 ms.
        # Young cyclic garbage is collected first (cheap) so that it is not frozen; frozen objects are
        # still freed by reference counting when dropped.
        gc.collect(1)
        gc.freeze()
        await self.outbox.confirm(m["msg_id"] for m in page["messages"])
        if result.messages or convs:
            self.events.publish(lambda listener: listener.inbox_changed())
        if result.new_incoming:
            self.events.publish(lambda listener: listener.new_messages(result.new_incoming))
        return task

    # -- lazy loading of cached messages -----------------------------------------------------------
    async def load_conversations(self, conv_ids: list[str]) -> None:
        """Decrypt these conversations' cached messages in a worker thread and add them."""
        if conv_ids:
            self.inbox.merge(await asyncio.to_thread(read_messages, self.cache, conv_ids))

    async def load_all(self) -> None:
        """Decrypt every conversation's cached messages, in batches in a worker thread (started in
        the background at unlock; search and re-sharing need them). Emits ``inbox_changed`` when it
        loaded anything. Safe to call again: it loads what is left."""
        async with self._load_lock:
            loaded = False
            while batch := self.inbox.unloaded()[:LOAD_BATCH]:
                await self.load_conversations(batch)
                loaded = True
                gc.collect(1)  # as in _apply_page: the records live as long as the session
                gc.freeze()
            if loaded:
                self.events.publish(lambda listener: listener.inbox_changed())

    def _keep_pending_meta(self, conv: ConversationRecord) -> None:
        """A status/category change of ours still in the outbox wins over older ones from sync."""
        pending = [
            i for i in self.outbox.for_conversation(conv.conv_id) if i.msg_type == int(MessageType.META)
        ]
        if pending:
            meta = parse_meta(pending[-1].text.encode())
            if meta.status is not None:
                conv.status = meta.status
            if meta.sets_category:
                conv.category = meta.category

    def _persist(self, convs: list[CachedConversation], messages: list[MessageRecord], cursor: int) -> None:
        self.cache.save(convs, [m.to_cache() for m in messages])
        self.cache.set_meta(CURSOR_META, str(cursor).encode())

    def _accept_wrap(self, wrap: Any, cursor: int) -> ConversationRecord | None:
        """A colleague shared an old message's content key with this device (signed rewrap record, in a
        page up to relay ``cursor``). The signer must be a counsellor device the newest roster lists
        (``StaffDirectory.removal``: a re-wrap is always new). A refused record is a verification problem
        of its conversation, which is returned to be stored."""
        staff = self.trust.staff
        try:
            record = verify_rewrap(b64d(wrap["record"]), allowed_signers=staff.devices)
            if str(record.msg_id) != wrap["msg_id"] or str(record.conv_id) != wrap["conv_id"]:
                raise ProtocolError("the record names another message")
            removal = staff.removal(record.signer_sign_pk, cursor)
            if removal is not None:
                return self.inbox.flag(
                    wrap["conv_id"], f"a message key shared by {removal.describe()} was refused"
                )
            self._shared_keys[wrap["msg_id"]] = open_rewrap(record, self.keys)
            self._shared_convs.add(wrap["conv_id"])
        except (ProtocolError, ValueError, KeyError, TypeError):
            log.warning("refused an invalid shared key record")
            conv_id = wrap.get("conv_id") if isinstance(wrap, dict) else None
            if isinstance(conv_id, str):
                return self.inbox.flag(conv_id, "a shared message key failed verification and was refused")
        return None

    def _open_shared(self) -> ApplyResult:
        # Messages wrapped to this desk before it knew the reporter's key (a colleague brought in by a
        # handover) are kept with their content key: opened once the HELLO is here (or comes with them).
        waiting = [
            r
            for r in self.inbox.unshared()
            if r.content_key is not None
            and (r.conv_id in self._shared_convs or self.inbox.conversations[r.conv_id].reporter_sign_pk)
        ]
        waiting_ids = {r.msg_id for r in waiting}
        if not self._shared_keys and not waiting:
            return ApplyResult()
        for conv_id in self._shared_convs:
            self.inbox.ensure_loaded(conv_id)  # normally done already, before the page was applied
        self._shared_convs.clear()
        batch = []
        for record in self.inbox.unshared():
            key = self._shared_keys.pop(record.msg_id, None)
            if key is None and record.content_key is not None and record.msg_id in waiting_ids:
                key = b64d(record.content_key)
            if key is not None:
                batch.append(open_shared(record, key))
        if not batch:
            return ApplyResult()
        batch.sort(key=lambda o: o.message["cursor"])
        return self.inbox.apply(batch, self.trust.staff)

    # -- retention ---------------------------------------------------------------------------------
    async def purge(self) -> None:
        """The 31-day rule on the local cache (on start and hourly)."""
        now = self.clock()

        def purge() -> tuple[list[str], list[str]]:
            touched = self.cache.conversations_with_expired_messages(now)
            gone, _count = self.cache.purge_expired(now)
            return gone, touched

        gone, touched = await asyncio.to_thread(purge)
        self.inbox.drop(gone)
        self.inbox.drop_messages_before(now, RETENTION_SECONDS)
        # Conversations not loaded yet lost messages on disk only: load them to recount.
        convs = [self.inbox.conversations[c] for c in touched if c in self.inbox.conversations]
        await self.load_conversations([c.conv_id for c in convs if c.conv_id not in self.inbox.loaded])
        if convs:
            await asyncio.to_thread(self.cache.save, [c.to_cache() for c in convs], [])
        await self.outbox.drop_conversations(gone)
        self._last_purge = time.monotonic()
        warning = self.trust.recheck(now)
        if warning:
            self.events.publish(lambda listener: listener.roster_warning(warning))
        self.events.publish(lambda listener: listener.inbox_changed())

    # -- background --------------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.events.publish(lambda listener: listener.connection_changed(online))

    async def start(self) -> None:
        if self._tasks:
            return
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._sync_loop(), name="opg-sync"),
            asyncio.create_task(self._event_loop(), name="opg-events"),
        ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        pool, self._pool = self._pool, None
        self._stopping = True
        for task in tasks:
            # A cancellation that lands inside an HTTP time-out scope can be swallowed (it then looks
            # like a time-out): cancel again until the task has really ended.
            while not task.done():
                task.cancel()
                await asyncio.wait([task], timeout=1.0)
            with contextlib.suppress(asyncio.CancelledError, DeskError):
                task.result()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def _sync_loop(self) -> None:
        backoff = 1.0
        while not self._stopping:
            self._wake.clear()
            timeout = self.live_poll_interval if self.live else self.poll_interval
            try:
                if time.monotonic() - self._last_purge >= PURGE_INTERVAL:
                    await self.purge()
                await self.sync_once()
                self._set_online(True)
                backoff = 1.0
            except AuthExpiredError:
                self._set_online(False)
                self.events.publish(lambda listener: listener.auth_expired())
                timeout = self.max_backoff
            except (OfflineError, ServerError):
                self._set_online(False)
                timeout, backoff = backoff, min(backoff * 2, self.max_backoff)
            except DeskError:
                log.exception("sync round failed")
                timeout, backoff = backoff, min(backoff * 2, self.max_backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _event_loop(self) -> None:
        """The live stream. When it breaks, a sync round starts at once (to catch up, or to find the relay
        gone), and the stream is opened again after a back-off; if nothing answers at the relay's
        address then, the desk is shown offline at once: about a second after a relay died, instead of
        after the sync loop's retries or its next poll (minutes while the stream was live)."""
        backoff = 1.0
        while not self._stopping:
            try:
                async for event in self.api.events():
                    if event is None:  # (re)connected: catch up on what happened meanwhile
                        self.live, backoff = True, 1.0
                    self._wake.set()
            except RelayUnreachableError:
                self._set_online(False)
            except (OfflineError, ServerError, AuthExpiredError):
                pass
            if self.live:
                self.live = False
                self._wake.set()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)


__all__ = ["STATE_UNSHARED", "SyncEngine"]
