"""The one async facade the Qt UI calls (it never touches httpx, SQL or the keyring).

Life cycle: :meth:`Desk.open` reads the public account profile (no secrets) → ``NOT_ENROLLED`` or
``LOCKED``; :meth:`Desk.enrol_start` + :meth:`Desk.enrol_finish` or :meth:`Desk.login` → ``UNLOCKED``
(keys and decrypted state in memory); :meth:`Desk.lock` drops them again; :meth:`Desk.sign_out` also
ends the session and wipes the token and the local cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import secrets
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import platformdirs
from keyring.backend import KeyringBackend

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.cache import CACHE_FILENAME, EncryptedCache, wipe_cache_files
from opgelucht_desk.core.errors import (
    BackupError,
    DeskError,
    ForbiddenError,
    LockedError,
    NotEnrolledError,
    NotFoundError,
    OfflineError,
    VerificationError,
)
from opgelucht_desk.core.inbox import (
    STATE_FAILED,
    STATE_UNSHARED,
    ConversationRecord,
    Inbox,
    MessageRecord,
    b64,
    unb64,
)
from opgelucht_desk.core.keystore import (
    PRODUCTION_KDF,
    KdfParams,
    KeySecrets,
    Keystore,
    require_secure_backend,
    service_name,
)
from opgelucht_desk.core.locked_watch import LockedWatch
from opgelucht_desk.core.model import (
    AccountInfo,
    Article,
    Category,
    ConversationSummary,
    CounsellorView,
    DeskListener,
    DeskState,
    EnrolmentChallenge,
    EnrolmentResult,
    MessageState,
    MessageView,
    NoteView,
    OrgCode,
    SessionView,
    StatsReport,
    StatsRow,
    Status,
    StoredDataSummary,
)
from opgelucht_desk.core.org_backup import (
    KIND_IDENTITY_KEY,
    KIND_ORG_KEY,
    KeyBackup,
    read_backup,
    write_backup,
)
from opgelucht_desk.core.outbox import ITEM_FAILED, ITEM_QUEUED, Outbox, seal_outgoing
from opgelucht_desk.core.poster import CodePoster
from opgelucht_desk.core.sync import TRUST_META, Notifier, SyncEngine, read_messages
from opgelucht_desk.core.trust import Trust
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import (
    DeviceKeys,
    generate_signing_seed,
    key_id,
    safety_number,
    signing_public_key,
)
from opgelucht_desk.protocol.qr import parse_qr_payload
from opgelucht_desk.protocol.rewrap import make_rewrap
from opgelucht_desk.protocol.roster import (
    ZERO_HASH,
    CounsellorEntry,
    DeviceEntry,
    Roster,
    SignedRoster,
    make_device_entry,
    parse_roster_body,
    roster_hash,
    sign_roster,
)

__all__ = [
    "AccountInfo",
    "Desk",
    "DeskConfig",
    "DeskListener",
    "DeskState",
    "default_data_dir",
]

ACCOUNT_FILE = "account.json"
KEYS_FILE = "keys.bin"
ROSTER_LIFETIME = 14 * 86400
WRAPS_PER_REQUEST = 200
MAX_TEXT_BYTES = 64 * 1024  # a reply or note; far below the envelope's limit
ProgressCallback = Callable[[float, str], None]


def default_data_dir() -> Path:
    """The per-user data directory, the one source of it for the UI and the core
    (``platformdirs.user_data_dir("Opgelucht Desk", "Opgelucht")``)."""
    return Path(platformdirs.user_data_dir("Opgelucht Desk", "Opgelucht"))


@dataclass(frozen=True)
class DeskConfig:
    """Where the desk keeps its data and how it reaches the relay.

    ``keyring_backend`` None means the OS keyring (refused when insecure); tests pass a real backend
    explicitly. ``kdf`` is the Argon2id cost for new key blobs (tests use a cheap profile). ``transport``
    replaces httpx's network layer (tests only). ``clock`` returns Unix seconds (tests travel in time).
    """

    data_dir: Path
    relay_url: str | None = None
    ca_bundle: Path | None = None
    keyring_service: str = "opgelucht-desk"
    keyring_backend: KeyringBackend | None = None
    kdf: KdfParams = PRODUCTION_KDF
    transport: httpx.AsyncBaseTransport | None = None
    clock: Callable[[], int] | None = None
    poll_interval: float = 10.0
    request_timeout: float = 15.0
    request_retries: int = 4
    sync_page_size: int = 500
    max_backoff: float = 60.0


@dataclass
class _Unlocked:
    """Everything that exists only while the desk is unlocked."""

    secrets: KeySecrets
    keys: DeviceKeys
    api: RelayClient
    cache: EncryptedCache
    inbox: Inbox
    trust: Trust
    outbox: Outbox
    engine: SyncEngine
    summaries: dict[str, tuple[tuple[object, ...], ConversationSummary]] = field(default_factory=dict)


@dataclass
class _PendingEnrolment:
    password: str
    relay_url: str
    started: dict[str, Any]

    @property
    def creates_org_key(self) -> bool:
        """The org's first admin: the relay says so in the enrolment start (role admin, no org key)."""
        s = self.started
        return s.get("role") == "admin" and "org_key" in s and s["org_key"] is None and "org_id" in s


class Desk:
    """The desktop core facade. Create it with :meth:`open`."""

    def __init__(self, config: DeskConfig, account: AccountInfo | None) -> None:
        self.config = config
        self.account = account
        self._u: _Unlocked | None = None
        self._notifier = Notifier()
        self._pending: dict[str, _PendingEnrolment] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._blob_key: bytes | None = None  # while unlocked: re-protects changed secrets (key backups)
        self._locked_watch: LockedWatch | None = None

    # -- life cycle --------------------------------------------------------------------------------
    @classmethod
    async def open(cls, config: DeskConfig) -> Desk:
        """Read the local account profile (public data only). Raises KeyringUnavailableError when only
        an insecure keyring backend exists."""
        require_secure_backend(config.keyring_backend)
        await asyncio.to_thread(make_private_dir, config.data_dir)
        path = config.data_dir / ACCOUNT_FILE
        account = await asyncio.to_thread(_read_account, path) if path.exists() else None
        return cls(config, account)

    @property
    def state(self) -> DeskState:
        if self.account is None:
            return DeskState.NOT_ENROLLED
        return DeskState.UNLOCKED if self._u is not None else DeskState.LOCKED

    def _now(self) -> int:
        return self.config.clock() if self.config.clock is not None else int(time.time())

    def _client(self, relay_url: str, token: str | None = None) -> RelayClient:
        return RelayClient(
            relay_url,
            token=token,
            ca_bundle=self.config.ca_bundle,
            timeout=self.config.request_timeout,
            retries=self.config.request_retries,
            transport=self.config.transport,
        )

    def _keystore(self, account: AccountInfo) -> Keystore:
        return Keystore(
            service_name(self.config.keyring_service, account.relay_url, account.username),
            self.config.data_dir / KEYS_FILE,
            self.config.keyring_backend,
        )

    def _unlocked(self) -> _Unlocked:
        if self._u is None:
            raise LockedError("The desk is locked; log in first.")
        return self._u

    # -- enrolment ---------------------------------------------------------------------------------
    async def enrol_start(
        self, relay_url: str, invitation: str, username: str, display_name: str, password: str
    ) -> EnrolmentChallenge:
        """Redeem the one-time invitation and set the password; returns the TOTP secret to scan."""
        if self.account is not None:
            raise DeskError("This computer is already enrolled.")
        relay_url = (self.config.relay_url or relay_url).rstrip("/")
        api = self._client(relay_url)
        try:
            started = await api.enrolment_start(invitation.strip(), username, display_name, password)
        finally:
            await api.aclose()
        token = str(started["enrolment_token"])
        self._pending[token] = _PendingEnrolment(
            password=password, relay_url=relay_url, started=dict(started)
        )
        return EnrolmentChallenge(
            relay_url=relay_url,
            username=username,
            display_name=display_name,
            enrolment_token=token,
            totp_secret=str(started["totp_secret"]),
            totp_uri=str(started["totp_uri"]),
        )

    async def enrol_finish(
        self, challenge: EnrolmentChallenge, totp_code: str, progress: ProgressCallback | None = None
    ) -> EnrolmentResult:
        """Confirm TOTP, generate and upload the keys (the org's first admin also creates the org key
        and roster v1), protect them with the password, and unlock."""
        pending = self._pending.get(challenge.enrolment_token)
        if pending is None:
            raise DeskError("This enrolment was not started here; start again with the invitation.")
        report = progress or (lambda _f, _t: None)
        report(0.05, "Generating keys")
        identity_seed, device_keys, device_id, entry = await asyncio.to_thread(_generate_device)
        api = self._client(pending.relay_url)
        try:
            report(0.2, "Registering this computer")
            finish: dict[str, Any] = {
                "enrolment_token": challenge.enrolment_token,
                "totp_code": totp_code.strip(),
                "identity_key": b64(signing_public_key(identity_seed)),
                "device": entry.to_json(),
            }
            org_seed: bytes | None = None
            if pending.creates_org_key:
                report(0.3, "Creating the organisation key")
                org_seed = generate_signing_seed()
                me = CounsellorEntry(
                    uuid.UUID(str(pending.started["counsellor_id"])),
                    challenge.display_name,
                    signing_public_key(identity_seed),
                    (entry,),
                )
                first = _new_roster(
                    uuid.UUID(str(pending.started["org_id"])), [me], None, org_seed, self._now()
                )
                finish["org_key"] = b64(signing_public_key(org_seed))
                finish["roster"] = first.to_json()
            result = await api.enrolment_finish(finish)
            del self._pending[challenge.enrolment_token]
            api.token = str(result["token"])
            counsellor = result["counsellor"]
            org = await api.org()
            if org.get("org_key") is None:
                raise DeskError("The organisation has no key yet: its admin must enrol first.")
            org_pk = unb64(str(org["org_key"]))
            key_secrets = KeySecrets(
                device_id=str(device_id),
                device_enc_sk=device_keys.enc_sk,
                device_sign_seed=device_keys.sign_seed,
                identity_seed=identity_seed,
                cache_key=secrets.token_bytes(32),
                org_seed=org_seed,
            )
            account = AccountInfo(
                username=challenge.username,
                display_name=challenge.display_name,
                role=str(counsellor["role"]),
                org_id=uuid.UUID(str(counsellor["org_id"])),
                relay_url=pending.relay_url,
                safety_number=safety_number(signing_public_key(identity_seed)),
                counsellor_id=uuid.UUID(str(counsellor["counsellor_id"])),
                device_id=device_id,
            )
            report(0.5, "Protecting the keys with your password")
            keystore = self._keystore(account)
            self._blob_key = await asyncio.to_thread(
                keystore.store, key_secrets, pending.password, self.config.kdf
            )
            keystore.save_session_token(api.token)
            wipe_cache_files(self.config.data_dir)
            await asyncio.to_thread(_write_account, self.config.data_dir / ACCOUNT_FILE, account)
            self.account = account
            report(0.8, "Opening the inbox")
            trust = Trust.new(org_pk)
            if org.get("roster") is not None:
                warning = trust.accept(org["roster"], self._now())
                if warning:
                    self._notifier.emit("roster_warning", warning)
            await self._unlock(key_secrets, api, trust)
        except BaseException:
            if self._u is None:
                await api.aclose()
            raise
        report(1.0, "Done")
        return EnrolmentResult(
            safety_number=account.safety_number,
            is_admin=account.role == "admin",
            created_org_key=org_seed is not None,
        )

    # -- login, lock, sign-out ---------------------------------------------------------------------
    async def login(self, password: str, totp_code: str) -> None:
        """Unlock the keys with the password and start a new relay session (password + TOTP).

        Raises InvalidCredentialsError (wrong password or code), LockedOutError, OfflineError when the
        relay cannot be reached and no earlier session exists, KeyringUnavailableError."""
        account = self.account
        if account is None:
            raise NotEnrolledError("Enrol this computer first.")
        if self._u is not None:
            return
        keystore = self._keystore(account)
        # Argon2id (slow by design) runs in a worker thread while the relay checks password and code;
        # a session is kept only when both succeed, and a local failure is reported first, as before.
        unlocking = asyncio.ensure_future(asyncio.to_thread(keystore.unlock, password))
        api = self._client(account.relay_url)
        relay = asyncio.ensure_future(api.login(account.username, password, totp_code.strip()))
        try:
            try:
                key_secrets, blob_key = await unlocking
            except BaseException:
                await self._discard_login(relay, api)
                raise
            previous = keystore.session_token
            try:
                result = await relay
                api.token = str(result["token"])
                keystore.save_session_token(api.token)
                if previous is not None and previous != api.token:
                    self._spawn(self._end_session(account.relay_url, previous))
            except OfflineError:
                saved = keystore.session_token
                if saved is None:
                    raise
                api.token = saved  # work offline on the cache; sync reconnects later
            await self._unlock(key_secrets, api, None)
            self._blob_key = blob_key
        except BaseException:
            if self._u is None:
                await api.aclose()
            raise

    @staticmethod
    async def _discard_login(relay: asyncio.Future[Any], api: RelayClient) -> None:
        """The keys did not unlock: end the relay session the same login may have opened."""
        relay.cancel()
        try:
            result = await relay
        except BaseException:  # cancelled or refused: no session
            return
        api.token = str(result["token"])
        with contextlib.suppress(DeskError):
            await api.logout()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Background work of this session (cancelled by lock)."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _end_session(self, relay_url: str, token: str) -> None:
        """Best effort: log out a session we no longer use (it would otherwise idle out)."""
        old = self._client(relay_url, token)
        try:
            with contextlib.suppress(DeskError):
                await old.logout()
        finally:
            await old.aclose()

    async def _unlock(self, key_secrets: KeySecrets, api: RelayClient, trust: Trust | None) -> None:
        keys = DeviceKeys(enc_sk=key_secrets.device_enc_sk, sign_seed=key_secrets.device_sign_seed)
        cache = await asyncio.to_thread(
            EncryptedCache, self.config.data_dir / CACHE_FILENAME, key_secrets.cache_key
        )
        try:
            if trust is None:
                raw = await asyncio.to_thread(cache.get_meta, TRUST_META)
                if raw is None:
                    org = await api.org()
                    trust = Trust.new(unb64(str(org["org_key"])))
                else:
                    trust = Trust.from_bytes(raw)
            await asyncio.to_thread(cache.set_meta, TRUST_META, trust.to_bytes())
            # Only the conversations are decrypted now; their messages load in the background
            # after unlock (or at once when a conversation is opened or synced).
            inbox = Inbox(keys.sign_pk, cache, self._now)
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
            notifier=self._notifier,
            clock=self._now,
            poll_interval=self.config.poll_interval,
            page_size=self.config.sync_page_size,
            max_backoff=self.config.max_backoff,
        )
        self._u = _Unlocked(key_secrets, keys, api, cache, inbox, trust, outbox, engine)
        await self._stop_locked_watch()  # the sync engine takes over
        await engine.purge()
        self._spawn(engine.load_all())

    async def lock(self) -> None:
        """Drop decrypted state and keys from memory; the session (token in the keyring) stays."""
        u, self._u = self._u, None
        self._blob_key = None
        await self._stop_locked_watch()
        if u is None:
            return
        await u.engine.stop()
        await self._cancel_background()
        await u.api.aclose()
        u.cache.close()

    async def close(self) -> None:
        """Stop background work and release files (application exit)."""
        await self.lock()

    async def sign_out(self) -> None:
        """End the relay session, wipe the session token and the local cache; keys stay (log in again)."""
        account = self.account
        if account is None:
            return
        keystore = self._keystore(account)
        u = self._u
        api = u.api if u is not None else self._client(account.relay_url, keystore.session_token)
        if api.token is not None:
            with contextlib.suppress(DeskError):
                await api.logout()
        if u is None:
            await api.aclose()
        await self.lock()
        keystore.clear_session_token()
        await asyncio.to_thread(wipe_cache_files, self.config.data_dir)

    async def _cancel_background(self) -> None:
        tasks, self._background = list(self._background), set()
        for t in tasks:
            while not t.done():  # re-cancel: a cancellation inside an HTTP time-out can be swallowed
                t.cancel()
                await asyncio.wait([t], timeout=1.0)
            with contextlib.suppress(asyncio.CancelledError, DeskError):
                t.result()

    # -- live updates ------------------------------------------------------------------------------
    def add_listener(self, listener: DeskListener) -> None:
        self._notifier.listeners.append(listener)

    def remove_listener(self, listener: DeskListener) -> None:
        with contextlib.suppress(ValueError):
            self._notifier.listeners.remove(listener)

    def watch_while_locked(self) -> bool:
        """While locked: listen to the relay's content-free live events with the saved session and emit
        ``locked_activity(n)``, n = conversations changed since (see core/locked_watch.py; no key, no
        decryption). Ends at login, lock, sign-out and close. False when there is no session to use."""
        account = self.account
        if account is None or self._u is not None or self._locked_watch is not None:
            return self._locked_watch is not None
        try:
            token = self._keystore(account).session_token
        except DeskError:  # the keyring refused (the login will say so): no watch meanwhile
            return False
        if token is None:
            return False
        watch = LockedWatch(
            self._client(account.relay_url, token),
            lambda n: self._notifier.emit("locked_activity", n),
            self.config.max_backoff,
        )
        self._locked_watch = watch
        watch.start()
        return True

    @property
    def listening_while_locked(self) -> bool:
        """The locked watch's event stream is subscribed (what it counts from now on is not missed)."""
        return self._locked_watch is not None and self._locked_watch.listening

    async def _stop_locked_watch(self) -> None:
        watch, self._locked_watch = self._locked_watch, None
        if watch is not None:
            await watch.stop()

    async def start_sync(self) -> None:
        """Live events + polling fallback in the background (until stop_sync, lock or sign_out)."""
        await self._unlocked().engine.start()

    async def stop_sync(self) -> None:
        if self._u is not None:
            await self._u.engine.stop()

    async def load_messages(self) -> None:
        """Wait until every conversation's cached messages are decrypted in memory. They load in
        the background after login (the inbox list does not need them); until then a search covers
        the pseudonyms, drafts and the conversations already opened or synced, and ``inbox_changed``
        fires when the rest is in."""
        await self._unlocked().engine.load_all()

    async def sync_now(self) -> None:
        """One sync round now (roster, conversations, messages, outbox); raises OfflineError etc."""
        await self._unlocked().engine.sync_once()

    async def flush_outbox(self) -> int:
        """Send queued messages now; returns how many the relay accepted. Raises OfflineError."""
        u = self._unlocked()
        return await u.outbox.flush(u.api)

    @property
    def online(self) -> bool | None:
        return None if self._u is None else self._u.engine.online

    @property
    def roster_problem(self) -> str | None:
        """The warning that currently blocks sending, if any."""
        return None if self._u is None else self._u.trust.problem

    # -- inbox views (synchronous: in-memory decrypted state) --------------------------------------
    def conversations(
        self, query: str = "", status: Status | None = None, category: Category | None = None
    ) -> list[ConversationSummary]:
        """The inbox, newest activity first. ``query`` searches the decrypted local data only
        (pseudonym, messages, notes, draft), case-insensitively, in memory."""
        u = self._unlocked()
        needle = query.casefold().strip()
        now = self._now()
        out: list[ConversationSummary] = []
        for conv in u.inbox.conversations.values():
            days = max(0, math.ceil((conv.expires_at - now) / 86400))
            key = (conv.revision, conv.read_cursor, conv.status, conv.category, conv.pseudonym, days)
            cached = u.summaries.get(conv.conv_id)
            if cached is not None and cached[0] == key:
                summary = cached[1]
            else:
                summary = self._summary(u, conv, now)
                u.summaries[conv.conv_id] = (key, summary)
            if status is not None and summary.status != status:
                continue
            if category is not None and summary.category != category:
                continue
            if needle and not self._matches(u, conv, needle):
                continue
            out.append(summary)
        out.sort(key=lambda s: s.last_activity, reverse=True)
        return out

    def _summary(self, u: _Unlocked, conv: ConversationRecord, now: int) -> ConversationSummary:
        problems = list(conv.problems)
        if conv.unshared:  # counts kept by the inbox: no message needs to be decrypted for the list
            problems.append("older messages have not been shared with this computer yet")
        try:
            status = Status(conv.status)
        except ValueError:
            status = Status.NEW
        category: Category | None
        try:
            category = Category(conv.category) if conv.category else None
        except ValueError:
            category = Category.OVERIG
        return ConversationSummary(
            conv_id=uuid.UUID(conv.conv_id),
            pseudonym=conv.pseudonym or "",
            age_category=conv.age_category,
            gender=conv.gender,
            last_activity=_dt(conv.last_activity),
            unread=conv.unread or 0,
            status=status,
            category=category,
            days_until_deletion=max(0, math.ceil((conv.expires_at - now) / 86400)),
            verification_problem="; ".join(problems) or None,
        )

    @staticmethod
    def _matches(u: _Unlocked, conv: ConversationRecord, needle: str) -> bool:
        if needle in (conv.pseudonym or "").casefold():
            return True
        if needle in u.inbox.drafts.get(conv.conv_id, "").casefold():
            return True
        texts = [m.text for m in u.inbox.messages.get(conv.conv_id, {}).values()]
        texts += [
            i.text for i in u.outbox.for_conversation(conv.conv_id) if i.msg_type != int(MessageType.META)
        ]
        return any(needle in t.casefold() for t in texts)

    def _conv(self, u: _Unlocked, conv_id: uuid.UUID | str) -> ConversationRecord:
        conv = u.inbox.conversations.get(str(conv_id))
        if conv is None:
            raise NotFoundError(404, "not_found", "This conversation no longer exists.")
        return conv

    def messages(self, conv_id: uuid.UUID | str) -> list[MessageView]:
        """The chat of one conversation, oldest first; queued replies last."""
        u = self._unlocked()
        conv = self._conv(u, conv_id)
        u.inbox.ensure_loaded(conv.conv_id)  # decrypted from the cache on first opening
        records = sorted(u.inbox.messages.get(conv.conv_id, {}).values(), key=lambda m: m.cursor)
        views = [
            MessageView(
                msg_id=uuid.UUID(m.msg_id),
                outgoing=m.outgoing,
                author=m.author or (conv.pseudonym or ""),
                text=m.text if m.state != STATE_FAILED else "",
                sent_at=_dt(m.stored_at),
                state=_state(m.state),
                problem=m.problem,
            )
            for m in records
            if m.channel == "chat"
            and m.state != STATE_UNSHARED
            and (m.state == STATE_FAILED or m.msg_type == int(MessageType.TEXT))
        ]
        seen = {m.msg_id for m in records}
        name = self.account.display_name if self.account else ""
        views += [
            MessageView(
                msg_id=uuid.UUID(i.msg_id),
                outgoing=True,
                author=name,
                text=i.text,
                sent_at=_dt(i.queued_at),
                state="sent" if i.state != ITEM_QUEUED else "queued",
                problem=i.problem if i.state == ITEM_FAILED else None,
            )
            for i in u.outbox.for_conversation(conv.conv_id)
            if i.channel == "chat" and i.msg_id not in seen
        ]
        return views

    def notes(self, conv_id: uuid.UUID | str) -> list[NoteView]:
        """Private counsellor notes of one conversation (staff channel), oldest first."""
        u = self._unlocked()
        conv = self._conv(u, conv_id)
        u.inbox.ensure_loaded(conv.conv_id)  # decrypted from the cache on first opening
        records = sorted(u.inbox.messages.get(conv.conv_id, {}).values(), key=lambda m: m.cursor)
        views = [
            NoteView(
                msg_id=uuid.UUID(m.msg_id),
                author=m.author,
                text=m.text if m.state != STATE_FAILED else "",
                written_at=_dt(m.stored_at),
                state=_state(m.state),
                problem=m.problem,
            )
            for m in records
            if m.channel == "staff" and (m.msg_type == int(MessageType.NOTE) or m.state == STATE_FAILED)
        ]
        seen = {m.msg_id for m in records}
        name = self.account.display_name if self.account else ""
        views += [
            NoteView(
                msg_id=uuid.UUID(i.msg_id),
                author=name,
                text=i.text,
                written_at=_dt(i.queued_at),
                state="sent" if i.state != ITEM_QUEUED else "queued",
                problem=i.problem if i.state == ITEM_FAILED else None,
            )
            for i in u.outbox.for_conversation(conv.conv_id)
            if i.msg_type == int(MessageType.NOTE) and i.msg_id not in seen
        ]
        return views

    def unread_total(self) -> int:
        """Unread incoming messages over all conversations (0 while locked)."""
        if self._u is None:
            return 0
        return sum(s.unread for s in self.conversations())

    # -- drafts ------------------------------------------------------------------------------------
    def draft(self, conv_id: uuid.UUID | str) -> str:
        return self._unlocked().inbox.drafts.get(str(conv_id), "")

    def save_draft(self, conv_id: uuid.UUID | str, text: str) -> None:
        """Keep a draft reply (encrypted in the cache); an empty text deletes it."""
        u = self._unlocked()
        key = str(conv_id)
        if text:
            u.inbox.drafts[key] = text
        else:
            u.inbox.drafts.pop(key, None)
        u.cache.set_draft(key, text)

    # -- writing -----------------------------------------------------------------------------------
    async def _queue(
        self, conv_id: uuid.UUID | str, msg_type: MessageType, payload: bytes, text: str
    ) -> None:
        u = self._unlocked()
        conv = self._conv(u, conv_id)
        chains = dict(conv.own_chains)
        item = seal_outgoing(
            conv=conv,
            keys=u.keys,
            trust=u.trust,
            msg_type=msg_type,
            payload=payload,
            text=text,
            now=self._now(),
        )
        try:
            await u.outbox.add(item, conv)
        except BaseException:
            conv.own_chains = chains  # not stored: the next message takes this place in the chain
            raise
        self._notifier.emit("inbox_changed")
        self._kick(u)

    def _kick(self, u: _Unlocked) -> None:
        """Send soon: wake the sync engine, or flush in the background when it is not running."""
        if u.engine.running:
            u.engine.wake()
            return

        async def flush() -> None:
            with contextlib.suppress(DeskError):
                await u.outbox.flush(u.api)
                self._notifier.emit("inbox_changed")

        task = asyncio.create_task(flush())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def reply(self, conv_id: uuid.UUID | str, text: str) -> None:
        """Queue a reply (sealed and stored encrypted first), then send it; never lost, never doubled.
        Raises RosterBlockedError when the roster forbids sending."""
        if not text.strip():
            raise DeskError("An empty reply cannot be sent.")
        _check_length(text)
        await self._queue(conv_id, MessageType.TEXT, text.encode("utf-8"), text)
        self.save_draft(conv_id, "")

    async def add_note(self, conv_id: uuid.UUID | str, text: str) -> None:
        """A private note for the counsellors (staff channel, never sent to the reporter)."""
        if not text.strip():
            raise DeskError("An empty note cannot be saved.")
        _check_length(text)
        await self._queue(conv_id, MessageType.NOTE, text.encode("utf-8"), text)

    async def set_status(self, conv_id: uuid.UUID | str, status: Status) -> None:
        u = self._unlocked()
        conv = self._conv(u, conv_id)
        meta = _meta(status.value, conv.category)
        await self._queue(conv_id, MessageType.META, meta, meta.decode())
        conv.status = status.value
        self._notifier.emit("inbox_changed")

    async def set_category(self, conv_id: uuid.UUID | str, category: Category | None) -> None:
        u = self._unlocked()
        conv = self._conv(u, conv_id)
        value = None if category is None else category.value
        meta = _meta(conv.status, value)
        await self._queue(conv_id, MessageType.META, meta, meta.decode())
        conv.category = value
        self._notifier.emit("inbox_changed")

    async def mark_read(self, conv_id: uuid.UUID | str, read: bool = True) -> None:
        """Read state is local to this computer."""
        u = self._unlocked()
        conv = self._conv(u, conv_id)
        u.inbox.ensure_loaded(conv.conv_id)
        msgs = u.inbox.messages.get(conv.conv_id, {}).values()
        if read:
            conv.read_cursor = max((m.cursor for m in msgs), default=conv.read_cursor)
        else:
            incoming = [m.cursor for m in msgs if not m.outgoing and m.channel == "chat"]
            conv.read_cursor = max(incoming) - 1 if incoming else 0
        u.inbox.refresh(conv)
        await asyncio.to_thread(u.cache.save, [conv.to_cache()], [])
        self._notifier.emit("inbox_changed")

    # -- statistics --------------------------------------------------------------------------------
    async def stats(self, period: str) -> StatsReport:
        """Aggregated counts of the organisation (k ≥ 5, rounded) for ``YYYY-MM`` or ``YYYY-Www``."""
        raw = await self._unlocked().api.stats(period)
        return StatsReport(
            period=str(raw["period"]),
            rows=[_stats_row(r) for r in raw["codes"]],
            total=_stats_row(raw["total"]),
        )

    # -- sessions ----------------------------------------------------------------------------------
    async def sessions(self) -> list[SessionView]:
        """The counsellor's live relay sessions (e.g. on another computer)."""
        return [
            SessionView(
                session_id=str(r["id"]),
                created_at=_dt(int(r["created_at"])),
                last_used_at=_dt(int(r["last_used_at"])),
                current=bool(r["current"]),
            )
            for r in await self._unlocked().api.sessions()
        ]

    async def end_session(self, session_id: str) -> None:
        """End another session of this counsellor (ending the current one is ``sign_out``)."""
        await self._unlocked().api.delete_session(session_id)

    # -- org admin ---------------------------------------------------------------------------------
    async def invite(self, role: str = "counsellor") -> str:
        """A one-time invitation for a new counsellor (or admin)."""
        result = await self._unlocked().api.create_invitation(role)
        return str(result["invitation"])

    async def counsellors(self) -> list[CounsellorView]:
        u = self._unlocked()
        org = await u.api.org()
        current = u.trust.tracker.current
        in_roster = {c.counsellor_id for c in current.counsellors} if current else set()
        listed = {d.device_id for _c, d in current.valid_devices()} if current else set()
        views = []
        for c in org["counsellors"]:
            identity = unb64(c["identity_key"])
            views.append(
                CounsellorView(
                    counsellor_id=uuid.UUID(c["counsellor_id"]),
                    username=c["username"],
                    display_name=c["display_name"],
                    role=c["role"],
                    safety_number=safety_number(identity),
                    devices=len(c.get("devices", [])),
                    in_roster=uuid.UUID(c["counsellor_id"]) in in_roster,
                    unlisted_devices=sum(
                        1 for d in _publishable_devices(c, identity) if d.device_id not in listed
                    ),
                )
            )
        return views

    async def remove_counsellor(self, counsellor_id: uuid.UUID | str) -> None:
        """Remove a counsellor (their sessions die) and publish a roster without their devices."""
        u = self._unlocked()
        await u.api.remove_counsellor(str(counsellor_id))
        await self.publish_roster()

    async def publish_roster(self) -> int:
        """Sign and upload the next roster listing every counsellor of the org and their valid devices.
        Org admins with the org key only. Returns the new version."""
        u = self._unlocked()
        org_seed = u.secrets.org_seed
        if org_seed is None:
            raise ForbiddenError(
                403, "forbidden", "Only the admin who holds the organisation key can do this."
            )
        org = await u.api.org()
        if org.get("roster") is not None:
            warning = u.trust.accept(org["roster"], self._now())
            if warning and u.trust.problem_kind != "expired":
                raise VerificationError(warning.detail)
        entries = []
        for c in org["counsellors"]:
            identity = unb64(c["identity_key"])
            devices = _publishable_devices(c, identity)
            entries.append(
                CounsellorEntry(uuid.UUID(c["counsellor_id"]), c["display_name"], identity, tuple(devices))
            )
        prev = u.trust.tracker.current_signed
        signed = _new_roster(uuid.UUID(str(org["org_id"])), entries, prev, org_seed, self._now())
        await u.api.put_roster(signed.to_json())
        warning = u.trust.accept(signed.to_json(), self._now())
        if warning:
            raise VerificationError(warning.detail)
        await asyncio.to_thread(u.cache.set_meta, TRUST_META, u.trust.to_bytes())
        current = u.trust.tracker.current
        assert current is not None
        return current.version

    async def share_conversations_with_new_devices(self) -> int:
        """Re-wrap the content keys of live messages for roster devices that lack them (signed
        ``opg/rewrap/v1`` records). Returns the number of keys shared."""
        u = self._unlocked()
        await u.engine.sync_once()
        await u.engine.load_all()
        roster, _hash = u.trust.sendable(self._now())
        targets = [d for _c, d in roster.valid_devices()]
        wraps: list[dict[str, str]] = []
        changed: list[MessageRecord] = []
        for msgs in u.inbox.messages.values():
            for m in msgs.values():
                if m.content_key is None:
                    continue
                have = set(m.key_ids)
                for device in targets:
                    kid = key_id(device.enc_pk)
                    if b64(kid) in have:
                        continue
                    record = make_rewrap(
                        conv_id=uuid.UUID(m.conv_id),
                        msg_id=uuid.UUID(m.msg_id),
                        content_key=unb64(m.content_key),
                        target_enc_pk=device.enc_pk,
                        signer=u.keys,
                    )
                    wraps.append(
                        {
                            "conv_id": m.conv_id,
                            "msg_id": m.msg_id,
                            "key_id": b64(kid),
                            "wrap": b64(record.wrap),
                            "record": b64(record.to_bytes()),
                        }
                    )
                    m.key_ids.append(b64(kid))
                    changed.append(m)
        for i in range(0, len(wraps), WRAPS_PER_REQUEST):
            await u.api.post_wraps(wraps[i : i + WRAPS_PER_REQUEST])
        if changed:
            await asyncio.to_thread(u.cache.save, [], [m.to_cache() for m in changed])
        return len(wraps)

    async def codes(self) -> list[OrgCode]:
        return [_code(c) for c in await self._unlocked().api.codes()]

    async def create_code(self, label: str) -> OrgCode:
        return _code(await self._unlocked().api.create_code(label))

    async def revoke_code(self, code: str) -> None:
        await self._unlocked().api.revoke_code(code)

    async def code_poster(self, code: OrgCode) -> CodePoster:
        """What the printable poster of an org code shows (core/poster.py): its join QR text, checked to
        pin the org key this desk trusts, and that key's safety number (the one the reporter app shows).
        Raises VerificationError when the relay's QR text names another code or key."""
        u = self._unlocked()
        try:
            join = parse_qr_payload(code.qr_payload)
        except ProtocolError as exc:
            raise VerificationError("This code has no QR code (revoked?).") from exc
        if join.org_code != code.code or not join.matches(u.trust.org_pk):
            raise VerificationError("The relay's QR code does not pin the organisation key this desk trusts.")
        org = await u.api.org()
        return CodePoster(
            org_name=str(org.get("name", "")),
            code=code.code,
            label=code.label,
            join_payload=code.qr_payload,
            safety_number=safety_number(u.trust.org_pk),
        )

    async def articles(self) -> list[Article]:
        return [_article(a) for a in await self._unlocked().api.articles()]

    async def save_article(
        self, article_id: str | None, *, title: str, body: str, language: str, published: bool
    ) -> Article:
        """Create (``article_id`` None) or update an article of the org's app content (admins)."""
        api = self._unlocked().api
        payload = {"title": title, "body": body, "language": language, "published": published}
        if article_id is None:
            return _article(await api.create_article(payload))
        result = await api.update_article(article_id, payload)
        return _article(result if result else {**payload, "id": article_id})

    async def delete_article(self, article_id: str) -> None:
        await self._unlocked().api.delete_article(article_id)

    # -- key backups, further computers (docs/desktop-core.md "Key backups") ---------------------
    async def export_org_key_backup(self, path: Path | str, passphrase: str) -> None:
        """Write the org signing key to ``path``, encrypted with ``passphrase`` (Argon2id with this
        desk's cost, ≥ 256 MiB and t = 3 in production; XChaCha20-Poly1305). Org key holders only."""
        u, account = self._unlocked(), self._account()
        if u.secrets.org_seed is None:
            raise ForbiddenError(
                403, "forbidden", "Only the admin who holds the organisation key can do this."
            )
        backup = KeyBackup(KIND_ORG_KEY, str(account.org_id), u.secrets.org_seed, {})
        await asyncio.to_thread(write_backup, Path(path), backup, passphrase, self.config.kdf)

    async def import_org_key_backup(self, path: Path | str, passphrase: str) -> None:
        """Take the org signing key from a backup file (a new installation of an org admin). It must be
        the org key this desk trusts. Raises BackupError (wrong passphrase, tampered or other file)."""
        u, account = self._unlocked(), self._account()
        if account.role != "admin":
            raise ForbiddenError(403, "forbidden", "Only an org admin can hold the organisation key.")
        backup = await asyncio.to_thread(read_backup, Path(path), passphrase, KIND_ORG_KEY)
        if backup.org_id != str(account.org_id):
            raise BackupError("This backup holds the key of another organisation.", "other_key")
        if backup.public_key != u.trust.org_pk:
            raise BackupError(
                "This backup holds another organisation key than the one this computer trusts "
                "(an older key, or a forgery).",
                "other_key",
            )
        await self._reseal(replace(u.secrets, org_seed=backup.seed))

    async def export_identity_backup(self, path: Path | str, passphrase: str) -> None:
        """Write this counsellor's identity key (plus the relay, username and trusted org key) to
        ``path``, encrypted with ``passphrase``, to add a further computer with
        :meth:`enrol_further_computer`."""
        u, account = self._unlocked(), self._account()
        meta = {
            "counsellor_id": str(account.counsellor_id),
            "username": account.username,
            "relay_url": account.relay_url,
            "org_key": b64(u.trust.org_pk),
        }
        backup = KeyBackup(KIND_IDENTITY_KEY, str(account.org_id), u.secrets.identity_seed, meta)
        await asyncio.to_thread(write_backup, Path(path), backup, passphrase, self.config.kdf)

    async def enrol_further_computer(
        self,
        backup_path: Path | str,
        passphrase: str,
        password: str,
        totp_code: str,
        progress: ProgressCallback | None = None,
    ) -> EnrolmentResult:
        """Enrol this computer as a further desktop of a counsellor enrolled elsewhere: open the
        identity backup, log in (password + TOTP), register a new device signed by the identity key
        (``POST /v1/me/devices``) and pin the org key the other computer trusted. The device receives
        messages once an admin publishes a roster listing it; older threads come with
        :meth:`share_conversations_with_new_devices` on a computer that has them."""
        if self.account is not None:
            raise DeskError("This computer is already enrolled.")
        report = progress or (lambda _f, _t: None)
        report(0.05, "Opening the key backup")
        backup = await asyncio.to_thread(read_backup, Path(backup_path), passphrase, KIND_IDENTITY_KEY)
        try:
            relay_url = (self.config.relay_url or backup.meta["relay_url"]).rstrip("/")
            username, pinned = backup.meta["username"], unb64(backup.meta["org_key"])
        except (KeyError, ValueError):
            raise BackupError("This identity backup is incomplete.", "damaged") from None
        api = self._client(relay_url)
        try:
            report(0.2, "Logging in")
            result = await api.login(username, password, totp_code.strip())
            api.token = str(result["token"])
            counsellor = result["counsellor"]
            if unb64(str(counsellor["identity_key"])) != backup.public_key:
                with contextlib.suppress(DeskError):
                    await api.logout()
                raise BackupError("This backup holds the identity key of another account.", "other_key")
            report(0.3, "Registering this computer")
            device_keys, device_id = DeviceKeys.generate(), uuid.uuid4()
            entry = make_device_entry(backup.seed, device_keys, device_id)
            await api.add_device(entry.to_json())
            org = await api.org()
            trust = Trust.new(pinned)
            if not trust.follow_org_key(org.get("org_key"), org.get("org_key_chain", [])):
                raise VerificationError(
                    "The relay's organisation key is not the one your other computer trusts, and no "
                    "certificate links them. Ask your organisation's admin before going on."
                )
            key_secrets = KeySecrets(
                device_id=str(device_id),
                device_enc_sk=device_keys.enc_sk,
                device_sign_seed=device_keys.sign_seed,
                identity_seed=backup.seed,
                cache_key=secrets.token_bytes(32),
            )
            account = AccountInfo(
                username=str(counsellor["username"]),
                display_name=str(counsellor["display_name"]),
                role=str(counsellor["role"]),
                org_id=uuid.UUID(str(counsellor["org_id"])),
                relay_url=relay_url,
                safety_number=safety_number(backup.public_key),
                counsellor_id=uuid.UUID(str(counsellor["counsellor_id"])),
                device_id=device_id,
            )
            report(0.5, "Protecting the keys with your password")
            keystore = self._keystore(account)
            blob_key = await asyncio.to_thread(keystore.store, key_secrets, password, self.config.kdf)
            keystore.save_session_token(api.token)
            wipe_cache_files(self.config.data_dir)
            await asyncio.to_thread(_write_account, self.config.data_dir / ACCOUNT_FILE, account)
            self.account = account
            report(0.8, "Opening the inbox")
            if org.get("roster") is not None:
                warning = trust.accept(org["roster"], self._now())
                if warning:
                    self._notifier.emit("roster_warning", warning)
            await self._unlock(key_secrets, api, trust)
            self._blob_key = blob_key
        except BaseException:
            if self._u is None:
                await api.aclose()
            raise
        report(1.0, "Done")
        return EnrolmentResult(
            safety_number=account.safety_number, is_admin=account.role == "admin", created_org_key=False
        )

    def _account(self) -> AccountInfo:
        if self.account is None:
            raise NotEnrolledError("Enrol this computer first.")
        return self.account

    async def _reseal(self, changed: KeySecrets) -> None:
        """Store changed secrets in the key blob under the same password (no Argon2id run)."""
        u, account = self._unlocked(), self._account()
        if self._blob_key is None:
            raise LockedError("Log in again first.")
        await asyncio.to_thread(self._keystore(account).reseal, changed, self._blob_key)
        u.secrets = changed

    # -- transparency ------------------------------------------------------------------------------
    def stored_data_summary(self) -> StoredDataSummary:
        """What this installation stores (counts only, no content)."""
        data_dir = self.config.data_dir
        account = self.account
        entries: list[str] = []
        service = ""
        if account is not None:
            keystore = self._keystore(account)
            service, entries = keystore.service, keystore.entries()
        conversations = messages = notes = drafts = queued = 0
        oldest: datetime | None = None
        if self._u is not None:
            u = self._u
            conversations = len(u.inbox.conversations)
            convs = u.inbox.conversations.values()  # counts kept per conversation by the inbox
            messages = sum(c.chat_count for c in convs)
            notes = sum(c.note_count for c in convs)
            drafts, queued = len(u.inbox.drafts), u.outbox.pending()
            first = min((c.oldest for c in convs if c.oldest is not None), default=None)
            if first is not None:
                oldest = _dt(first)
        return StoredDataSummary(
            data_dir=str(data_dir),
            cache_file=str(data_dir / CACHE_FILENAME),
            conversations=conversations,
            messages=messages,
            notes=notes,
            drafts=drafts,
            queued_replies=queued,
            keyring_service=service,
            keyring_entries=entries,
            oldest_message=oldest,
        )


# -- helpers -------------------------------------------------------------------------------------------
def _generate_device() -> tuple[bytes, DeviceKeys, uuid.UUID, DeviceEntry]:
    identity_seed = generate_signing_seed()
    device_keys = DeviceKeys.generate()
    device_id = uuid.uuid4()
    return identity_seed, device_keys, device_id, make_device_entry(identity_seed, device_keys, device_id)


def _publishable_devices(counsellor: dict[str, Any], identity: bytes) -> list[DeviceEntry]:
    """The devices of a counsellor (as the relay lists them) whose signatures verify: the ones a
    published roster lists."""
    devices = []
    for d in counsellor.get("devices", []):
        try:
            dev = DeviceEntry.from_json(d)
        except ProtocolError:
            continue
        if dev.verifies(identity):
            devices.append(dev)
    return devices


def _new_roster(
    org_id: uuid.UUID,
    counsellors: list[CounsellorEntry],
    prev: SignedRoster | None,
    org_seed: bytes,
    now: int,
) -> SignedRoster:
    version = 1
    if prev is not None:
        version = parse_roster_body(prev.body).version + 1
    roster = Roster(
        org_id=org_id,
        version=version,
        prev_hash=roster_hash(prev) if prev is not None else ZERO_HASH,
        issued=now,
        expires=now + ROSTER_LIFETIME,
        counsellors=tuple(counsellors),
    )
    return sign_roster(roster, org_seed)


def _check_length(text: str) -> None:
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise DeskError(f"The text is too long: at most {MAX_TEXT_BYTES // 1024} KiB.")


def _meta(status: str, category: str | None) -> bytes:
    return json.dumps({"status": status, "category": category}, sort_keys=True).encode()


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _state(state: str) -> MessageState:
    if state == "sent":
        return "sent"
    if state == STATE_FAILED:
        return "verification_failed"
    return "received"


def _stats_row(raw: dict[str, Any]) -> StatsRow:
    return StatsRow(
        label=str(raw.get("label", "")),
        devices=raw.get("devices"),
        suppressed=bool(raw.get("suppressed", False)),
        counts={str(k): {str(i): int(n) for i, n in v.items()} for k, v in (raw.get("counts") or {}).items()},
    )


def _opt_dt(value: object) -> datetime | None:
    return None if value is None else _dt(int(str(value)))


def _code(raw: dict[str, Any]) -> OrgCode:
    return OrgCode(
        code=str(raw["code"]),
        label=str(raw.get("label", "")),
        created_at=_dt(int(raw["created_at"])),
        revoked_at=_opt_dt(raw.get("revoked_at")),
        qr_payload=str(raw.get("qr_payload", "")),
    )


def _article(raw: dict[str, Any]) -> Article:
    return Article(
        id=str(raw["id"]),
        title=str(raw.get("title", "")),
        body=str(raw.get("body", "")),
        language=str(raw.get("language", "nl")),
        published=bool(raw.get("published", True)),
        updated_at=_opt_dt(raw.get("updated_at")),
    )


def _read_account(path: Path) -> AccountInfo:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return AccountInfo(
        username=raw["username"],
        display_name=raw["display_name"],
        role=raw["role"],
        org_id=uuid.UUID(raw["org_id"]),
        relay_url=raw["relay_url"],
        safety_number=raw["safety_number"],
        counsellor_id=uuid.UUID(raw["counsellor_id"]),
        device_id=uuid.UUID(raw["device_id"]),
    )


def make_private_dir(directory: Path) -> None:
    """The data directory, readable by its owner only (0700); an existing one (created by an older
    version, or with the umask's 0755) is tightened. Windows and macOS keep it in the user's profile."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(directory, 0o700)


def _write_account(path: Path, account: AccountInfo) -> None:
    """The public account profile (no secrets, but whom a counsellor works for): lets the login screen
    show who and where. Owner-only (0600), like everything in the data directory."""
    make_private_dir(path.parent)
    data = {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "org_id": str(account.org_id),
        "relay_url": account.relay_url,
        "safety_number": account.safety_number,
        "counsellor_id": str(account.counsellor_id),
        "device_id": str(account.device_id),
    }
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(json.dumps(data, indent=2))
    os.chmod(tmp, 0o600)  # a stale .tmp of an older version kept its mode through O_TRUNC
    os.replace(tmp, path)
