"""The one async facade the Qt UI calls (it never touches httpx, SQL or the keyring).

Life cycle: :meth:`Desk.open` reads the public account profile (no secrets) → ``NOT_ENROLLED`` or
``LOCKED``; :meth:`Desk.enrol_start` + :meth:`Desk.enrol_finish` or :meth:`Desk.login` → ``UNLOCKED``
(keys and decrypted state in memory, one :class:`~opgelucht_desk.core.session.Session`);
:meth:`Desk.lock` drops them again; :meth:`Desk.sign_out` also ends the session and wipes the token
and the local cache.

The facade holds the state of the life cycle and delegates each feature to its module
(docs/desktop-core.md "Modules"): the feature modules get the session, never the facade.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from opgelucht_desk.core import (
    admin,
    attachments,
    backups,
    enrolment,
    handover,
    presentation,
    views,
    writing,
)
from opgelucht_desk.core.account import ACCOUNT_FILE, make_private_dir, read_account
from opgelucht_desk.core.admin import ROSTER_LIFETIME
from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.cache import wipe_cache_files
from opgelucht_desk.core.config import KEYS_FILE, DeskConfig, default_data_dir
from opgelucht_desk.core.enrolment import Enrolled, PendingEnrolment, ProgressCallback, no_progress
from opgelucht_desk.core.errors import DeskError, LockedError, NotEnrolledError
from opgelucht_desk.core.events import DeskListener, EventBus
from opgelucht_desk.core.keystore import KeySecrets, Keystore, require_secure_backend
from opgelucht_desk.core.locked_watch import LockedWatch
from opgelucht_desk.core.login import authenticate, log_out
from opgelucht_desk.core.model import (
    AccountInfo,
    Article,
    Category,
    Colleague,
    ConversationSummary,
    CounsellorView,
    DeskState,
    EnrolmentChallenge,
    EnrolmentResult,
    HandoverView,
    MessageView,
    NoteView,
    OrgCode,
    Presentation,
    SessionView,
    StatsReport,
    Status,
    StoredDataSummary,
)
from opgelucht_desk.core.poster import CodePoster
from opgelucht_desk.core.register import CaseRegister
from opgelucht_desk.core.safe_render import Rendering
from opgelucht_desk.core.session import Background, Session, open_session
from opgelucht_desk.core.trust import Trust

__all__ = [
    "ACCOUNT_FILE",
    "KEYS_FILE",
    "ROSTER_LIFETIME",
    "AccountInfo",
    "Desk",
    "DeskConfig",
    "DeskListener",
    "DeskState",
    "default_data_dir",
]


class Desk:
    """The desktop core facade. Create it with :meth:`open`."""

    def __init__(self, config: DeskConfig, account: AccountInfo | None) -> None:
        self.config = config
        self.account = account
        self._u: Session | None = None
        self._events = EventBus()
        self._pending: dict[str, PendingEnrolment] = {}
        self._background = Background()
        self._locked_watch: LockedWatch | None = None
        self._register: CaseRegister | None = None

    # -- life cycle --------------------------------------------------------------------------------
    @classmethod
    async def open(cls, config: DeskConfig) -> Desk:
        """Read the local account profile (public data only). Raises KeyringUnavailableError when only
        an insecure keyring backend exists."""
        require_secure_backend(config.keyring_backend)
        await asyncio.to_thread(make_private_dir, config.data_dir)
        path = config.data_dir / ACCOUNT_FILE
        account = await asyncio.to_thread(read_account, path) if path.exists() else None
        return cls(config, account)

    @property
    def state(self) -> DeskState:
        if self.account is None:
            return DeskState.NOT_ENROLLED
        return DeskState.UNLOCKED if self._u is not None else DeskState.LOCKED

    def _keystore(self, account: AccountInfo) -> Keystore:
        return self.config.keystore(account)

    def _unlocked(self) -> Session:
        if self._u is None:
            raise LockedError("The desk is locked; log in first.")
        return self._u

    # -- enrolment (core/enrolment.py) -------------------------------------------------------------
    def _not_enrolled_yet(self) -> None:
        if self.account is not None:
            raise DeskError("This computer is already enrolled.")

    async def enrol_start(
        self, relay_url: str, invitation: str, username: str, display_name: str, password: str
    ) -> EnrolmentChallenge:
        """Redeem the one-time invitation and set the password; returns the TOTP secret to scan."""
        self._not_enrolled_yet()
        return await enrolment.start(
            self.config, self._pending, relay_url, invitation, username, display_name, password
        )

    async def enrol_finish(
        self, challenge: EnrolmentChallenge, totp_code: str, progress: ProgressCallback | None = None
    ) -> EnrolmentResult:
        """Confirm TOTP, generate and upload the keys (the org's first admin also creates the org key
        and roster v1), protect them with the password, and unlock."""
        report = progress or no_progress
        enrolled = await enrolment.finish(self.config, self._pending, challenge, totp_code, report)
        return await self._open_enrolled(enrolled, report)

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
        self._not_enrolled_yet()
        report = progress or no_progress
        enrolled = await enrolment.further_computer(
            self.config, backup_path, passphrase, password, totp_code, report
        )
        return await self._open_enrolled(enrolled, report)

    async def _open_enrolled(self, e: Enrolled, report: ProgressCallback) -> EnrolmentResult:
        """The installed enrolment becomes this desk's account; verify the roster and unlock."""
        try:
            self.account = e.account
            report(0.8, "Opening the inbox")
            if e.org.get("roster") is not None:
                warning = e.trust.accept(e.org["roster"], self.config.now())
                if warning:
                    self._events.publish(lambda listener: listener.roster_warning(warning))
            await self._unlock(e.secrets, e.api, e.trust, e.blob_key)
        except BaseException:
            if self._u is None:
                await e.api.aclose()
            raise
        report(1.0, "Done")
        return e.result

    # -- login, lock, sign-out ---------------------------------------------------------------------
    async def login(self, password: str, totp_code: str) -> None:
        """Unlock the keys with the password and start a new relay session (password + TOTP, bound to
        this computer's device by its signature).

        Raises InvalidCredentialsError (wrong password or code), DeviceRefusedError (the organisation's
        roster dropped this computer), LockedOutError, OfflineError when the relay cannot be reached and
        no earlier session exists, KeyringUnavailableError."""
        account = self._account()
        if self._u is not None:
            return
        key_secrets, blob_key, api = await authenticate(
            self.config, account, password, totp_code, self._background
        )
        try:
            await self._unlock(key_secrets, api, None, blob_key)
        except BaseException:
            if self._u is None:
                await api.aclose()
            raise

    async def _unlock(
        self, key_secrets: KeySecrets, api: RelayClient, trust: Trust | None, blob_key: bytes
    ) -> None:
        account = self._account()
        session = await open_session(
            self.config, account, key_secrets, api, trust, self._events, self._background, blob_key
        )
        self._u = session
        self._register = CaseRegister(session)
        self._register.start()
        await self._stop_locked_watch()  # the sync engine takes over
        await session.engine.purge()
        self._background.spawn(session.engine.load_all())

    async def lock(self) -> None:
        """Drop decrypted state and keys from memory; the session (token in the keyring) stays."""
        u, self._u = self._u, None
        if self._register is not None:
            self._register.stop()
            self._register = None
        await self._stop_locked_watch()
        if u is not None:
            await u.close()

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
        api = u.api if u is not None else self.config.client(account.relay_url, keystore.session_token)
        await log_out(api)
        if u is None:
            await api.aclose()
        await self.lock()
        keystore.clear_session_token()
        await asyncio.to_thread(wipe_cache_files, self.config.data_dir)

    def _account(self) -> AccountInfo:
        if self.account is None:
            raise NotEnrolledError("Enrol this computer first.")
        return self.account

    # -- live updates (core/events.py) -------------------------------------------------------------
    def add_listener(self, listener: DeskListener) -> None:
        self._events.add(listener)

    def remove_listener(self, listener: DeskListener) -> None:
        self._events.remove(listener)

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

        def activity(n: int) -> None:
            self._events.publish(lambda listener: listener.locked_activity(n))

        watch = LockedWatch(self.config.client(account.relay_url, token), activity, self.config.max_backoff)
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

    # -- sync (core/sync.py) -----------------------------------------------------------------------
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

    def register(self) -> CaseRegister:
        """The case register and annual report of the unlocked desk (core/register.py)."""
        self._unlocked()
        assert self._register is not None
        return self._register

    # -- inbox views (core/views.py; synchronous: in-memory decrypted state) -----------------------
    def conversations(
        self, query: str = "", status: Status | None = None, category: Category | None = None
    ) -> list[ConversationSummary]:
        """The inbox, newest activity first. ``query`` searches the decrypted local data only
        (pseudonym, messages, notes, draft), case-insensitively, in memory."""
        return views.conversations(self._unlocked(), query, status, category)

    def messages(self, conv_id: uuid.UUID | str) -> list[MessageView]:
        """The chat of one conversation, oldest first; queued replies last."""
        return views.messages(self._unlocked(), conv_id)

    def notes(self, conv_id: uuid.UUID | str) -> list[NoteView]:
        """Private counsellor notes of one conversation (staff channel), oldest first."""
        return views.notes(self._unlocked(), conv_id)

    def unread_total(self) -> int:
        """Unread incoming messages over all conversations (0 while locked)."""
        return 0 if self._u is None else sum(s.unread for s in views.conversations(self._u))

    def stored_data_summary(self) -> StoredDataSummary:
        """What this installation stores (counts only, no content)."""
        return views.stored_data_summary(self.config, self.account, self._u)

    # -- writing (core/writing.py) -----------------------------------------------------------------
    def draft(self, conv_id: uuid.UUID | str) -> str:
        return writing.draft(self._unlocked(), conv_id)

    def save_draft(self, conv_id: uuid.UUID | str, text: str) -> None:
        """Keep a draft reply (encrypted in the cache); an empty text deletes it."""
        writing.save_draft(self._unlocked(), conv_id, text)

    async def reply(self, conv_id: uuid.UUID | str, text: str) -> None:
        """Queue a reply (sealed and stored encrypted first), then send it; never lost, never doubled.
        Raises RosterBlockedError when the roster forbids sending."""
        await writing.reply(self._unlocked(), conv_id, text)

    # -- files (core/attachments.py) -------------------------------------------------------------------
    async def open_attachment(self, conv_id: uuid.UUID | str, msg_id: uuid.UUID | str) -> Rendering:
        """A file's verified, re-encoded rendering (thumbnail, pages, copy); raises AttachmentError."""
        return await attachments.open_attachment(self._unlocked(), conv_id, msg_id)

    async def save_attachment(self, conv_id: uuid.UUID | str, msg_id: uuid.UUID | str, target: Path) -> None:
        """Save the re-encoded, metadata-free copy of a file (never the original bytes)."""
        await attachments.save_copy(self._unlocked(), conv_id, msg_id, target)

    async def attach_file(self, conv_id: uuid.UUID | str, data: bytes) -> None:
        """Send a file to the reporter (re-encoded, encrypted, uploaded, then a FILE reply)."""
        await attachments.attach_file(self._unlocked(), conv_id, data)

    async def add_note(self, conv_id: uuid.UUID | str, text: str) -> None:
        """A private note for the counsellors (staff channel, never sent to the reporter)."""
        await writing.add_note(self._unlocked(), conv_id, text)

    async def set_status(self, conv_id: uuid.UUID | str, status: Status) -> None:
        await writing.set_status(self._unlocked(), conv_id, status)

    async def set_category(self, conv_id: uuid.UUID | str, category: Category | None) -> None:
        await writing.set_category(self._unlocked(), conv_id, category)

    async def mark_read(self, conv_id: uuid.UUID | str, read: bool = True) -> None:
        """Read state is local to this computer."""
        await writing.mark_read(self._unlocked(), conv_id, read)

    # -- who reads a conversation (core/handover.py) -----------------------------------------------
    def colleagues(self, conv_id: uuid.UUID | str) -> list[Colleague]:
        return handover.colleagues(self._unlocked(), conv_id)

    def handovers(self, conv_id: uuid.UUID | str) -> list[HandoverView]:
        return handover.handovers(self._unlocked(), conv_id)

    async def request_handover(self, conv_id: uuid.UUID | str, colleague_id: uuid.UUID | str) -> None:
        """Ask the reporter to let a colleague read the conversation (nothing changes without consent)."""
        await handover.request_handover(self._unlocked(), conv_id, colleague_id)

    async def presentation(self) -> Presentation:
        return await presentation.presentation(self._unlocked())

    async def set_presentation(self, value: Presentation) -> Presentation:
        """Role, introduction, availability for reporters (in the org admin's next roster)."""
        return await presentation.set_presentation(self._unlocked(), value)

    # -- statistics and sessions -------------------------------------------------------------------
    async def stats(self, period: str) -> StatsReport:
        """Aggregated counts of the organisation (k ≥ 5, rounded) for ``YYYY-MM`` or ``YYYY-Www``."""
        return views.stats_report(await self._unlocked().api.stats(period))

    async def sessions(self) -> list[SessionView]:
        """The counsellor's live relay sessions (e.g. on another computer)."""
        return [views.session_view(r) for r in await self._unlocked().api.sessions()]

    async def end_session(self, session_id: str) -> None:
        """End another session of this counsellor (ending the current one is ``sign_out``)."""
        await self._unlocked().api.delete_session(session_id)

    # -- org admin (core/admin.py) -----------------------------------------------------------------
    async def invite(self, role: str = "counsellor") -> str:
        """A one-time invitation for a new counsellor (or admin)."""
        return str((await self._unlocked().api.create_invitation(role))["invitation"])

    async def counsellors(self) -> list[CounsellorView]:
        return await admin.counsellors(self._unlocked())

    async def remove_counsellor(self, counsellor_id: uuid.UUID | str) -> None:
        """Remove a counsellor (their sessions die) and publish a roster without their devices."""
        await admin.remove_counsellor(self._unlocked(), counsellor_id)

    async def remove_device(self, counsellor_id: uuid.UUID | str, device_id: uuid.UUID | str) -> int:
        """Publish the next roster without one computer of a counsellor (core/admin.py)."""
        return await admin.remove_device(self._unlocked(), counsellor_id, device_id)

    async def publish_roster(self) -> int:
        """Sign and upload the next roster listing every counsellor of the org and their valid devices.
        Org admins with the org key only (else NotAllowedError). Returns the new version."""
        return await admin.publish_roster(self._unlocked())

    async def share_conversations_with_new_devices(self) -> int:
        """Re-wrap the content keys of live messages for roster devices that lack them (signed
        ``opg/rewrap/v1`` records). Returns the number of keys shared."""
        return await admin.share_conversations_with_new_devices(self._unlocked())

    async def codes(self) -> list[OrgCode]:
        return await admin.codes(self._unlocked())

    async def create_code(self, label: str) -> OrgCode:
        return await admin.create_code(self._unlocked(), label)

    async def revoke_code(self, code: str) -> None:
        await self._unlocked().api.revoke_code(code)

    async def code_poster(self, code: OrgCode) -> CodePoster:
        """What the printable poster of an org code shows (core/poster.py); raises VerificationError
        when the relay's QR text names another code or key than this desk trusts."""
        return await admin.code_poster(self._unlocked(), code)

    async def articles(self) -> list[Article]:
        return await admin.articles(self._unlocked())

    async def save_article(
        self, article_id: str | None, *, title: str, body: str, language: str, published: bool
    ) -> Article:
        """Create (``article_id`` None) or update an article of the org's app content (admins)."""
        return await admin.save_article(
            self._unlocked(), article_id, title=title, body=body, language=language, published=published
        )

    async def delete_article(self, article_id: str) -> None:
        await self._unlocked().api.delete_article(article_id)

    # -- key backups (core/backups.py; docs/desktop-core.md "Key backups") -------------------------
    async def export_org_key_backup(self, path: Path | str, passphrase: str) -> None:
        """Write the org signing key to ``path``, encrypted with ``passphrase``. Org key holders only
        (else NotAllowedError)."""
        await backups.export_org_key_backup(self._unlocked(), path, passphrase)

    async def import_org_key_backup(self, path: Path | str, passphrase: str) -> None:
        """Take the org signing key from a backup file (a new installation of an org admin). It must be
        the org key this desk trusts. Raises BackupError (wrong passphrase, tampered or other file)."""
        await backups.import_org_key_backup(self._unlocked(), path, passphrase)

    async def export_identity_backup(self, path: Path | str, passphrase: str) -> None:
        """Write this counsellor's identity key (plus the relay, username and trusted org key) to
        ``path``, encrypted with ``passphrase``, to add a further computer with
        :meth:`enrol_further_computer`."""
        await backups.export_identity_backup(self._unlocked(), path, passphrase)
