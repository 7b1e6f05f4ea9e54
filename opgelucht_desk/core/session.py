"""The unlocked session: everything that exists only while the desk is unlocked (keys, relay client,
cache, inbox, trust, outbox, sync engine), in one object the feature modules share.

:func:`open_session` builds it from the unlocked key secrets; :meth:`Session.close` drops it again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.cache import CACHE_FILENAME, EncryptedCache
from opgelucht_desk.core.config import DeskConfig
from opgelucht_desk.core.errors import DeskError, LockedError, UnknownConversationError
from opgelucht_desk.core.events import EventBus
from opgelucht_desk.core.inbox import ConversationRecord, Inbox
from opgelucht_desk.core.keystore import KeySecrets, Keystore
from opgelucht_desk.core.model import AccountInfo, ConversationSummary
from opgelucht_desk.core.outbox import Outbox
from opgelucht_desk.core.sync import TRUST_META, SyncEngine, read_messages
from opgelucht_desk.core.trust import Trust
from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.keys import DeviceKeys


class Background:
    """Background tasks of the desk (cancelled together by lock)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel_all(self) -> None:
        tasks, self._tasks = list(self._tasks), set()
        for t in tasks:
            while not t.done():  # re-cancel: a cancellation inside an HTTP time-out can be swallowed
                t.cancel()
                await asyncio.wait([t], timeout=1.0)
            with contextlib.suppress(asyncio.CancelledError, DeskError):
                t.result()


@dataclass
class Session:
    """One unlocked session. ``blob_key`` re-protects changed secrets (key backups) without the
    password; ``summaries`` caches the inbox list's rows by their inputs."""

    config: DeskConfig
    account: AccountInfo
    secrets: KeySecrets
    keys: DeviceKeys
    api: RelayClient
    cache: EncryptedCache
    inbox: Inbox
    trust: Trust
    outbox: Outbox
    engine: SyncEngine
    events: EventBus
    background: Background
    blob_key: bytes | None = None
    summaries: dict[str, tuple[tuple[object, ...], ConversationSummary]] = field(default_factory=dict)

    def now(self) -> int:
        return self.config.now()

    @property
    def keystore(self) -> Keystore:
        return self.config.keystore(self.account)

    def conv(self, conv_id: object) -> ConversationRecord:
        """The conversation, or UnknownConversationError when this desk does not have it."""
        conv = self.inbox.conversations.get(str(conv_id))
        if conv is None:
            raise UnknownConversationError("This conversation no longer exists.")
        return conv

    def changed(self) -> None:
        """Publish ``inbox_changed`` (once per change, after the change)."""
        self.events.publish(lambda listener: listener.inbox_changed())

    def kick(self) -> None:
        """Send soon: wake the sync engine, or flush in the background when it is not running."""
        if self.engine.running:
            self.engine.wake()
            return

        async def flush() -> None:
            with contextlib.suppress(DeskError):
                await self.outbox.flush(self.api)
                self.changed()

        self.background.spawn(flush())

    async def reseal(self, changed: KeySecrets) -> None:
        """Store changed secrets in the key blob under the same password (no Argon2id run)."""
        if self.blob_key is None:
            raise LockedError("Log in again first.")
        await asyncio.to_thread(self.keystore.reseal, changed, self.blob_key)
        self.secrets = changed

    async def close(self) -> None:
        """Stop the sync engine, the background work, the relay client and the cache."""
        await self.engine.stop()
        await self.background.cancel_all()
        await self.api.aclose()
        self.cache.close()


async def open_session(
    config: DeskConfig,
    account: AccountInfo,
    key_secrets: KeySecrets,
    api: RelayClient,
    trust: Trust | None,
    events: EventBus,
    background: Background,
    blob_key: bytes | None,
) -> Session:
    """Open the cache with the unlocked keys, load the inbox (conversations now, their messages in the
    background) and the outbox, and make the sync engine. ``trust`` None: the pinned trust state from
    the cache (or the relay's org key on a first unlock)."""
    keys = DeviceKeys(enc_sk=key_secrets.device_enc_sk, sign_seed=key_secrets.device_sign_seed)
    cache = await asyncio.to_thread(EncryptedCache, config.data_dir / CACHE_FILENAME, key_secrets.cache_key)
    try:
        if trust is None:
            raw = await asyncio.to_thread(cache.get_meta, TRUST_META)
            if raw is None:
                org = await api.org()
                trust = Trust.new(b64d(str(org["org_key"])))
            else:
                trust = Trust.from_bytes(raw)
        await asyncio.to_thread(cache.set_meta, TRUST_META, trust.to_bytes())
        # Only the conversations are decrypted now; their messages load in the background
        # after unlock (or at once when a conversation is opened or synced).
        inbox = Inbox(keys.sign_pk, cache, config.now)
        stale = inbox.load(await asyncio.to_thread(cache.conversations))
        if stale:  # rows written before the inbox counts were stored: count them once
            inbox.merge(await asyncio.to_thread(read_messages, cache, stale))
        outbox = Outbox(cache)
        await asyncio.to_thread(outbox.load)
        inbox.drafts = await asyncio.to_thread(cache.drafts)
    except BaseException:
        cache.close()
        raise
    engine = SyncEngine(
        api=api,
        cache=cache,
        inbox=inbox,
        trust=trust,
        outbox=outbox,
        keys=keys,
        events=events,
        clock=config.now,
        poll_interval=config.poll_interval,
        page_size=config.sync_page_size,
        max_backoff=config.max_backoff,
    )
    return Session(
        config,
        account,
        key_secrets,
        keys,
        api,
        cache,
        inbox,
        trust,
        outbox,
        engine,
        events,
        background,
        blob_key,
    )
