"""The decrypted inbox in memory, and the checks every received envelope must pass.

Checks per message (DESIGN §3): envelope signature and conv_id (the protocol's ``open_message``), the
channel matches the message type, the sender is a device of a verified roster or the reporter key pinned
from the conversation's first HELLO, and the per-sender ``seq``/``prev_hash`` chain (a gap or a fork
becomes a visible problem of the conversation). A failed check is a visible state of that message,
never silent and never wrong text.

Only this module and the facade hold plaintext, and only in memory; the cache stores it encrypted.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace

from opgelucht_desk.core.api import SyncMessage
from opgelucht_desk.core.cache import (
    RETENTION_SECONDS,
    CachedConversation,
    CachedMessage,
    EncryptedCache,
)
from opgelucht_desk.protocol.attachment import FileRef
from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.envelope import (
    ZERO_HASH,
    MessageType,
    OpenedMessage,
    open_message,
    open_with_content_key,
)
from opgelucht_desk.protocol.errors import EnvelopeError, ProtocolError
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.meta import parse_meta
from opgelucht_desk.protocol.profile import Profile
from opgelucht_desk.protocol.recipients import (
    Consent,
    HandoverRequest,
    Membership,
    MembershipError,
    check_stanzas,
)
from opgelucht_desk.protocol.roster import Roster

CHAT_TYPES = (
    MessageType.HELLO,
    MessageType.TEXT,
    MessageType.FILE,
    MessageType.HANDOVER,
    MessageType.CONSENT,
)
STAFF_TYPES = (MessageType.NOTE, MessageType.META)

STATE_RECEIVED = "received"
STATE_SENT = "sent"
STATE_FAILED = "verification_failed"
STATE_UNSHARED = "unshared"  # no stanza for this device (yet): hidden until a colleague shares it


def channel_of(msg_type: int) -> str:
    return "chat" if msg_type in CHAT_TYPES else "staff"


@dataclass(slots=True)
class MessageRecord:
    conv_id: str
    msg_id: str
    cursor: int
    stored_at: int
    expires_at: int
    channel: str
    msg_type: int = 0
    sender: str = ""
    sender_seq: int = 0
    text: str = ""
    state: str = STATE_RECEIVED
    problem: str | None = None
    outgoing: bool = False
    author: str = ""
    content_key: str | None = None
    envelope: str | None = None  # kept only while the message cannot be opened on this device
    key_ids: list[str] = field(default_factory=list)  # stanza key ids (b64) that can open it
    attachment: str | None = None  # a FILE message: its reference (protocol/attachment.py), key included

    def to_cache(self) -> CachedMessage:
        return CachedMessage(
            self.conv_id,
            self.msg_id,
            self.cursor,
            self.stored_at,
            self.expires_at,
            # A flat dict instead of dataclasses.asdict (which deep-copies): this runs 100,000 times
            # in a full sync.
            json.dumps({name: getattr(self, name) for name in _MESSAGE_FIELDS}).encode(),
        )

    @classmethod
    def from_cache(cls, row: CachedMessage) -> MessageRecord:
        return cls(**json.loads(row.data))


@dataclass(slots=True)
class ConversationRecord:
    conv_id: str
    created_at: int
    last_activity: int
    expires_at: int
    pseudonym: str | None = None
    age_category: str | None = None
    gender: str | None = None
    reporter_enc_pk: str | None = None
    reporter_sign_pk: str | None = None
    status: str = "new"
    category: str | None = None
    meta_cursor: int = 0
    read_cursor: int = 0
    chains: dict[str, list[int | str]] = field(default_factory=dict)  # "sender|channel" -> [seq, hash]
    own_chains: dict[str, list[int | str]] = field(default_factory=dict)  # channel -> [seq, hash]
    problems: list[str] = field(default_factory=list)
    revision: int = 0  # bumped whenever its messages change (the facade caches summaries by it)
    # Counts derived from the messages (``Inbox.refresh``), stored with the conversation so that the
    # inbox can be listed at login without decrypting any message. ``unread`` None: a row written
    # before these fields existed; its messages are loaded at login to compute them.
    unread: int | None = None
    unshared: int = 0
    chat_count: int = 0
    note_count: int = 0
    oldest: int | None = None
    # Who may read it (docs/protocol.md §16): the reporter's chosen counsellor ids (None: all), the set
    # counter of the last accepted consent, and the handover requests by their msg_id
    # ({"colleague", "by", "state": asked | accepted | declined}).
    members: list[str] | None = None
    unopened: bool = False  # every message is still without a key here
    unshared_last: int = 0  # the relay cursor of the newest message without a key here
    members_counter: int = 0
    members_cursor: int = 0  # relay cursor of the HELLO this desk took the recipient set from
    handovers: dict[str, dict[str, str]] = field(default_factory=dict)

    def membership(self) -> Membership:
        chosen = None if self.members is None else tuple(uuid.UUID(m) for m in self.members)
        return Membership(uuid.UUID(self.conv_id), chosen, self.members_counter)

    def to_cache(self) -> CachedConversation:
        return CachedConversation(
            self.conv_id, self.created_at, self.expires_at, json.dumps(asdict(self)).encode()
        )

    @classmethod
    def from_cache(cls, row: CachedConversation) -> ConversationRecord:
        return cls(**json.loads(row.data))

    def add_problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)


_MESSAGE_FIELDS = tuple(f.name for f in fields(MessageRecord))


@dataclass(frozen=True)
class Opened:
    """Result of the (thread-side) decryption of one sync message."""

    message: SyncMessage
    opened: OpenedMessage | None
    failure: str | None  # precise local reason; None when opened or unshared
    unshared: bool = False
    shared: bool = False  # opened with a content key shared (re-wrapped) or kept here, not a stanza


def decrypt_batch(messages: Sequence[SyncMessage], keys: DeviceKeys) -> list[Opened]:
    """Decrypt a batch (CPU-bound; the sync engine runs it in a worker thread)."""
    out: list[Opened] = []
    for m in messages:
        try:
            envelope = b64d(m["envelope"])
            # One strict parse (inside open_message); no stanza for this device is "not shared yet".
            out.append(
                Opened(m, open_message(envelope, keys=keys, expected_conv_id=uuid.UUID(m["conv_id"])), None)
            )
        except EnvelopeError as exc:
            if exc.reason == "not_a_recipient":
                out.append(Opened(m, None, None, unshared=True))
            else:
                out.append(Opened(m, None, _describe(exc.reason)))
        except (ProtocolError, ValueError, KeyError, TypeError):
            out.append(Opened(m, None, "the message is malformed"))
    return out


def open_shared(message: MessageRecord, content_key: bytes) -> Opened:
    """Open an envelope with a content key a colleague re-wrapped for this device."""
    fake: SyncMessage = {
        "conv_id": message.conv_id,
        "seq": 0,
        "cursor": message.cursor,
        "msg_id": message.msg_id,
        "envelope": message.envelope or "",
        "stored_at": message.stored_at,
        "expires_at": message.expires_at,
        "channel": message.channel,
    }
    try:
        envelope = b64d(message.envelope or "")
        opened = open_with_content_key(envelope, content_key, expected_conv_id=uuid.UUID(message.conv_id))
        return Opened(fake, opened, None, shared=True)
    except EnvelopeError as exc:
        return Opened(fake, None, _describe(exc.reason))
    except (ProtocolError, ValueError):
        return Opened(fake, None, "the message is malformed")


def _describe(reason: str) -> str:
    if "conv" in reason:
        return "the message belongs to another conversation (replayed)"
    if "sig" in reason:
        return "the sender's signature is invalid"
    return f"the message failed verification ({reason})"


@dataclass(frozen=True)
class Removal:
    """A time a counsellor device was out of the roster, in relay cursors: from the first roster version
    without it (adopted when this desk had received every envelope up to ``cursor``) until the roster that
    listed it again (adopted at ``until``; None: still removed)."""

    version: int
    cursor: int
    until: int | None = None

    def covers(self, cursor: int) -> bool:
        return self.cursor < cursor and (self.until is None or cursor <= self.until)

    def describe(self) -> str:
        return f"a device that was removed from the roster (version {self.version})"


@dataclass
class StaffDirectory:
    """Counsellor devices known from verified rosters: every device one of them listed (sign_pk → display
    name, to attribute history), the roster hashes, the devices of the newest roster, and when each known
    device was out of the roster."""

    devices: dict[bytes, str] = field(default_factory=dict)
    roster_hashes: dict[int, bytes] = field(default_factory=dict)
    listed: frozenset[bytes] = frozenset()
    removed: dict[bytes, list[Removal]] = field(default_factory=dict)
    version: int = 0
    # Of the newest roster: each valid device's counsellor id (by sign_pk), each counsellor's valid
    # device keys (X25519) and display name. Recomputed on adopt (not stored).
    counsellor_of: dict[bytes, str] = field(default_factory=dict)
    member_devices: dict[str, tuple[bytes, ...]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    # The relay cursor as of which each device was first listed (stored): an envelope after it
    # without a stanza for the device was not meant for it (a conversation the reporter chose others for).
    first_listed: dict[bytes, int] = field(default_factory=dict)

    def keys_of(self, members: Iterable[str]) -> list[bytes]:
        """The current devices (X25519 keys) of these counsellors."""
        return [pk for m in members for pk in self.member_devices.get(m, ())]

    def adopt(self, roster: Roster, digest: bytes, cursor: int) -> None:
        """Take a newly verified roster (hash ``digest``). ``cursor``: the relay cursor up to which this
        desk has received every envelope; a device this roster drops (or lists again) does so as of there."""
        listed = {device.sign_pk: counsellor.display_name for counsellor, device in roster.valid_devices()}
        self.devices.update(listed)
        self.roster_hashes[roster.version] = digest
        self.listed, self.version = frozenset(listed), roster.version
        for sign_pk in self.listed:
            self.first_listed.setdefault(sign_pk, cursor)
        self.counsellor_of = {d.sign_pk: str(c.counsellor_id) for c, d in roster.valid_devices()}
        devices: dict[str, list[bytes]] = {}
        for counsellor, device in roster.valid_devices():
            devices.setdefault(str(counsellor.counsellor_id), []).append(device.enc_pk)
        self.member_devices = {c: tuple(pks) for c, pks in devices.items()}
        self.names = {str(c.counsellor_id): c.display_name for c in roster.counsellors}
        for sign_pk in self.devices:
            spans = self.removed.get(sign_pk, [])
            still_removed = bool(spans) and spans[-1].until is None
            if sign_pk in self.listed and still_removed:
                spans[-1] = replace(spans[-1], until=cursor)
            elif sign_pk not in self.listed and not still_removed:
                self.removed[sign_pk] = [*spans, Removal(roster.version, cursor)]

    def removal(self, sign_pk: bytes, cursor: int) -> Removal | None:
        """Why the signature of a known counsellor device on an envelope with relay ``cursor`` does not
        count, or None when it does. The rule of the reporter client (docs/protocol.md §7): only a valid
        device of the newest verified roster (``Roster.valid_devices``) signs as a counsellor, applied
        when the envelope first reached this desk. So history keeps verifying: an envelope this desk had
        received before it adopted the roster that dropped the device (cursor ≤ ``Removal.cursor``).
        Whatever arrives later is refused, whatever roster version it claims."""
        spans = self.removed.get(sign_pk, [])
        for span in spans:
            if span.covers(cursor):
                return span
        if sign_pk not in self.listed and not spans:  # (cannot happen: every dropped device has a span)
            return Removal(self.version, -1)
        return None


@dataclass
class ApplyResult:
    conversations: list[ConversationRecord] = field(default_factory=list)
    messages: list[MessageRecord] = field(default_factory=list)
    new_incoming: int = 0


class Inbox:
    """Decrypted conversations and messages; single-threaded (the event loop's thread).

    Conversations are loaded at unlock; a conversation's messages are decrypted from the cache only
    when needed (:meth:`ensure_loaded`, or in the background through :meth:`merge`). ``messages``
    holds the loaded conversations only; ``loaded`` names them. Every conversation keeps the counts
    the inbox list needs (:meth:`refresh`), so the list never needs the messages.
    """

    def __init__(
        self,
        my_sign_pk: bytes,
        source: EncryptedCache | None = None,
        clock: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        self.my_sign_pk = my_sign_pk
        self.source = source
        self.clock = clock
        self.conversations: dict[str, ConversationRecord] = {}
        self.messages: dict[str, dict[str, MessageRecord]] = {}
        self.loaded: set[str] = set()
        self.drafts: dict[str, str] = {}

    def load(self, conversations: Iterable[CachedConversation]) -> list[str]:
        """Add cached conversations (their messages stay in the cache). Returns the ids of those
        whose counts are not stored yet (rows of an older version): load their messages now."""
        stale = []
        for c in conversations:
            rec = ConversationRecord.from_cache(c)
            self.conversations[rec.conv_id] = rec
            if rec.unread is None:
                stale.append(rec.conv_id)
        return stale

    def unloaded(self) -> list[str]:
        return [c for c in self.conversations if c not in self.loaded]

    def merge(self, rows: dict[str, list[MessageRecord]]) -> list[str]:
        """Take messages read from the cache (in a worker thread) for conversations not loaded yet.
        Conversations loaded or dropped meanwhile are skipped. Returns the ids taken."""
        taken = []
        for conv_id, records in rows.items():
            if conv_id in self.conversations and conv_id not in self.loaded:
                self._take(conv_id, records)
                taken.append(conv_id)
        return taken

    def _take(self, conv_id: str, records: Iterable[MessageRecord]) -> None:
        # The 31-day rule again: the disk purge runs hourly, and may have run while rows were read.
        limit, now = self.clock() - RETENTION_SECONDS, self.clock()
        self.messages[conv_id] = {m.msg_id: m for m in records if m.expires_at > now and m.stored_at > limit}
        self.loaded.add(conv_id)
        self.refresh(self.conversations[conv_id])

    def ensure_loaded(self, conv_id: str) -> None:
        """Decrypt one conversation's cached messages now (opening it, or a sync that adds to it)."""
        if conv_id in self.loaded or conv_id not in self.conversations:
            return
        rows = self.source.messages_of([conv_id])[conv_id] if self.source is not None else []
        self._take(conv_id, [MessageRecord.from_cache(r) for r in rows])

    def refresh(self, conv: ConversationRecord) -> None:
        """Recompute the counts stored with a loaded conversation."""
        msgs = self.messages.get(conv.conv_id, {}).values()
        conv.unread = sum(
            1
            for m in msgs
            if m.cursor > conv.read_cursor
            and not m.outgoing
            and m.channel == "chat"
            and m.msg_type in (0, int(MessageType.TEXT), int(MessageType.FILE))
            and m.state != STATE_UNSHARED
        )
        conv.unshared = sum(1 for m in msgs if m.state == STATE_UNSHARED)
        conv.unopened = bool(msgs) and conv.unshared == len(msgs)
        conv.unshared_last = max((m.cursor for m in msgs if m.state == STATE_UNSHARED), default=0)
        conv.chat_count = sum(1 for m in msgs if m.channel == "chat")
        conv.note_count = sum(1 for m in msgs if m.msg_type == int(MessageType.NOTE))
        conv.oldest = min((m.stored_at for m in msgs), default=None)

    def conversation(self, conv_id: str, created_at: int, expires_at: int) -> ConversationRecord:
        conv = self.conversations.get(conv_id)
        if conv is None:
            conv = ConversationRecord(conv_id, created_at, created_at, expires_at, unread=0)
            self.conversations[conv_id] = conv
            self.loaded.add(conv_id)  # new: nothing of it is in the cache yet
        else:
            self.ensure_loaded(conv_id)
        return conv

    def drop(self, conv_ids: Iterable[str]) -> None:
        for c in conv_ids:
            self.conversations.pop(c, None)
            self.messages.pop(c, None)
            self.loaded.discard(c)
            self.drafts.pop(c, None)

    def drop_messages_before(self, now: int, retention: int) -> None:
        for conv_id, msgs in self.messages.items():
            expired = [
                mid for mid, m in msgs.items() if m.expires_at <= now or m.stored_at <= now - retention
            ]
            for mid in expired:
                del msgs[mid]
            if expired and conv_id in self.conversations:
                self.conversations[conv_id].revision += 1
                self.refresh(self.conversations[conv_id])

    def unshared(self) -> list[MessageRecord]:
        return [m for msgs in self.messages.values() for m in msgs.values() if m.state == STATE_UNSHARED]

    def apply(self, batch: Sequence[Opened], staff: StaffDirectory) -> ApplyResult:
        """Verify and add decrypted messages, in relay cursor order."""
        result = ApplyResult()
        touched: dict[str, ConversationRecord] = {}
        for item in batch:
            m = item.message
            conv = self.conversation(m["conv_id"], m["stored_at"], m["expires_at"])
            conv.expires_at = max(conv.expires_at, m["expires_at"])
            touched[conv.conv_id] = conv
            existing = self.messages.get(conv.conv_id, {}).get(m["msg_id"])
            if existing is not None and existing.state not in (STATE_UNSHARED,) and item.opened is not None:
                # The same message again (re-delivery after an interrupted sync): shown once, and
                # written again, in case the interruption came before the first copy reached the disk.
                result.messages.append(existing)
                continue
            record = self._verify(conv, item, staff, result)
            if record is None:
                continue
            self.messages.setdefault(conv.conv_id, {})[record.msg_id] = record
            conv.last_activity = max(conv.last_activity, record.stored_at)
            result.messages.append(record)
        for conv in touched.values():
            conv.revision += 1
            self.refresh(conv)
        result.conversations = list(touched.values())
        return result

    def _verify(
        self, conv: ConversationRecord, item: Opened, staff: StaffDirectory, result: ApplyResult
    ) -> MessageRecord | None:
        m = item.message
        record = MessageRecord(
            conv_id=conv.conv_id,
            msg_id=m["msg_id"],
            cursor=m["cursor"],
            stored_at=m["stored_at"],
            expires_at=m["expires_at"],
            channel=m["channel"],
        )
        if item.unshared:
            record.state, record.envelope = STATE_UNSHARED, m["envelope"]
            return record
        opened = item.opened
        if opened is None:
            return self._fail(conv, record, item.failure or "the message failed verification")
        if opened.header.msg_id != uuid.UUID(m["msg_id"]):
            return self._fail(conv, record, "the relay changed the message id")
        record.msg_type, record.sender, record.sender_seq = (
            int(opened.msg_type),
            b64e(opened.sender_sign_pk),
            opened.seq,
        )
        record.content_key = b64e(opened.content_key)
        record.key_ids = [b64e(k) for k in opened.header.key_ids]
        kind = channel_of(opened.msg_type)
        if kind != m["channel"]:
            return self._fail(conv, record, "the message arrived on the wrong channel")
        # Who sent it?
        staff_name = staff.devices.get(opened.sender_sign_pk)
        profile: Profile | None = None
        if staff_name is not None:
            removal = staff.removal(opened.sender_sign_pk, record.cursor)
            if removal is not None:  # (a status change from it changes nothing either)
                return self._fail(conv, record, f"signed by {removal.describe()} before it arrived here")
            record.outgoing, record.author = True, staff_name
        elif kind == "chat" and conv.reporter_sign_pk is None and opened.msg_type == MessageType.HELLO:
            try:
                profile = Profile.from_payload(opened.payload)
            except (ProtocolError, ValueError):
                return self._fail(conv, record, "the reporter's profile is malformed")
            if profile.reporter_sign_pk != opened.sender_sign_pk:
                return self._fail(conv, record, "the profile was not signed by the reporter's own key")
            conv.reporter_sign_pk = b64e(profile.reporter_sign_pk)
            conv.reporter_enc_pk = b64e(profile.reporter_enc_pk)
        elif kind == "chat" and conv.reporter_sign_pk == b64e(opened.sender_sign_pk):
            pass
        elif kind == "chat" and conv.reporter_sign_pk is None:
            # Wrapped to this desk before it knows the reporter's key: a colleague brought in by a
            # handover gets the HELLO by re-wrap, maybe after this. Kept (with its key) until then.
            record.state, record.envelope = STATE_UNSHARED, m["envelope"] or None
            return record
        else:
            return self._fail(conv, record, "the sender is not a counsellor of the roster nor this reporter")
        problem = self._membership(conv, opened, profile, staff, item.shared, record.cursor)
        if problem is not None:
            return self._fail(conv, record, problem)
        # Roster consistency: the sender's roster hash for a version we know must match ours.
        known = staff.roster_hashes.get(opened.header.roster_version)
        if known is not None and known != opened.roster_hash:
            conv.add_problem("a message was sent under a different roster than this desk was shown")
        # The sender's chain.
        if not self._chain_ok(conv, record, opened, kind, item.shared):
            return None
        # The payload.
        if opened.msg_type in (MessageType.TEXT, MessageType.NOTE):
            try:
                record.text = opened.payload.decode("utf-8")
            except UnicodeDecodeError:
                return self._fail(conv, record, "the text is not valid UTF-8")
        elif opened.msg_type == MessageType.HELLO:
            if profile is None:
                try:
                    profile = Profile.from_payload(opened.payload)
                except (ProtocolError, ValueError):
                    return self._fail(conv, record, "the reporter's profile is malformed")
                if b64e(profile.reporter_sign_pk) != conv.reporter_sign_pk:
                    return self._fail(conv, record, "a new profile changes the reporter's keys")
            conv.pseudonym, conv.age_category, conv.gender = (
                profile.pseudonym,
                profile.age_category,
                profile.gender,
            )
        elif opened.msg_type == MessageType.META:
            self._apply_meta(conv, record, opened.payload)
        elif opened.msg_type == MessageType.FILE:
            try:
                FileRef.from_payload(opened.payload)
            except (ProtocolError, ValueError):
                return self._fail(conv, record, "the file reference is malformed")
            record.attachment = opened.payload.decode("utf-8")
        elif opened.msg_type == MessageType.HANDOVER:
            failure = self._apply_handover(conv, record, opened.payload, staff)
            if failure is not None:
                return self._fail(conv, record, failure)
        elif opened.msg_type == MessageType.CONSENT:
            failure = self._apply_consent(conv, record, opened.payload)
            if failure is not None:
                return self._fail(conv, record, failure)
        record.state = STATE_SENT if record.outgoing else STATE_RECEIVED
        if not record.outgoing:
            record.author = conv.pseudonym or ""
            if opened.msg_type in (MessageType.TEXT, MessageType.FILE):
                result.new_incoming += 1
        return record

    def _chain_ok(
        self,
        conv: ConversationRecord,
        record: MessageRecord,
        opened: OpenedMessage,
        kind: str,
        shared: bool = False,
    ) -> bool:
        key = f"{record.sender}|{kind}"
        ehash = b64e(opened.envelope_hash)
        last = conv.chains.get(key)
        if shared and last is not None and opened.seq < int(last[0]):
            return True  # history opened late (shared or kept until the HELLO came): behind the head
        if last is None:
            if opened.seq <= 1 and opened.prev_hash != ZERO_HASH:
                conv.add_problem("a sender's first message claims a predecessor (fork)")
        else:
            last_seq, last_hash = int(last[0]), str(last[1])
            if opened.seq <= last_seq:
                if opened.seq == last_seq and ehash == last_hash:
                    return False
                conv.add_problem("two different messages claim the same place in a sender's thread (fork)")
                return False  # (sender, seq) is shown once
            if opened.seq == last_seq + 1 and b64e(opened.prev_hash) != last_hash:
                conv.add_problem("a message does not follow the sender's previous one (fork)")
            elif opened.seq > last_seq + 1:
                missing = opened.seq - last_seq - 1
                conv.add_problem(f"{missing} message(s) from a sender are missing (gap)")
        conv.chains[key] = [opened.seq, ehash]
        return True

    def _membership(
        self,
        conv: ConversationRecord,
        opened: OpenedMessage,
        profile: Profile | None,
        staff: StaffDirectory,
        shared: bool,
        cursor: int,
    ) -> str | None:
        """The recipient-set rules (docs/protocol.md §16): the first HELLO fixes the reporter's
        choice; a chosen conversation's envelopes are wrapped only to the members' current devices and
        the reporter, and written only by members. None when they hold."""
        if opened.msg_type == MessageType.HELLO and profile is not None and conv.members is None:
            first = not any(
                r.msg_type == int(MessageType.HELLO) and r.state != STATE_FAILED
                for r in self.messages.get(conv.conv_id, {}).values()
            )
            if first and profile.to is not None:
                conv.members = [str(m) for m in profile.to]
                conv.members_cursor = cursor
        if conv.members is None:
            return None
        author = staff.counsellor_of.get(opened.sender_sign_pk)
        if author is not None and author not in conv.members:
            return "written by a counsellor the reporter did not choose"
        if shared:  # history opened by a re-wrap: its stanzas are those of its time
            return None
        members = list(conv.members)
        if opened.msg_type == MessageType.CONSENT:
            with contextlib.suppress(ProtocolError, ValueError):  # wrapped to the new set
                members += [str(m) for m in Consent.from_payload(opened.payload).members]
        allowed = staff.keys_of(members)
        if conv.reporter_enc_pk is not None:
            allowed.append(b64d(conv.reporter_enc_pk))
        try:
            check_stanzas(opened.header, allowed)
        except MembershipError:
            return "the message was encrypted to someone the reporter did not choose"
        return None

    @staticmethod
    def _apply_handover(
        conv: ConversationRecord, record: MessageRecord, payload: bytes, staff: StaffDirectory
    ) -> str | None:
        if not record.outgoing:
            return "a handover request that no counsellor signed"
        try:
            request = HandoverRequest.from_payload(payload)
        except ProtocolError:
            return "a malformed handover request"
        colleague = str(request.colleague)
        record.text = staff.names.get(colleague, "")
        conv.handovers[record.msg_id] = {
            "colleague": colleague,
            "by": record.author,
            "sender": record.sender,
            "state": "asked",
        }
        return None

    @staticmethod
    def _apply_consent(conv: ConversationRecord, record: MessageRecord, payload: bytes) -> str | None:
        """Only the reporter's pinned key signs a consent (checked before); it must bind this
        conversation, the next counter and the current set's hash (no replay of an older one)."""
        if record.outgoing:
            return "a consent that the reporter did not sign"
        try:
            consent = Consent.from_payload(payload)
            if record.cursor < conv.members_cursor and consent.conv_id == uuid.UUID(conv.conv_id):
                # Older than the HELLO this desk learned the set from (the reporter chose again and
                # sent the HELLO anew): history, not a change. Its counter is the one in effect.
                if consent.accepted and [str(m) for m in consent.members] == conv.members:
                    conv.members_counter = max(conv.members_counter, consent.counter)
                record.text = consent.decision
                return None
            membership = conv.membership().apply(consent)
        except MembershipError as exc:
            if exc.reason == "other_conversation":
                return "a consent for another conversation was refused"
            return "an older or replayed consent was refused"
        except (ProtocolError, ValueError):
            return "a malformed consent"
        if consent.request is not None and str(consent.request) in conv.handovers:
            conv.handovers[str(consent.request)]["state"] = "accepted" if consent.accepted else "declined"
        if consent.accepted:
            conv.members = [str(m) for m in membership.members or ()]
            conv.members_counter = membership.counter
        record.text = consent.decision
        return None

    @staticmethod
    def _apply_meta(conv: ConversationRecord, record: MessageRecord, payload: bytes) -> None:
        try:
            meta = parse_meta(payload)
        except ProtocolError:
            record.problem = "unreadable status update"
            return
        if record.cursor < conv.meta_cursor:
            return
        conv.meta_cursor = record.cursor
        if meta.status is not None:
            conv.status = meta.status
        if meta.sets_category:
            conv.category = meta.category

    def flag(self, conv_id: str, problem: str) -> ConversationRecord | None:
        """Show ``problem`` on a conversation (e.g. a refused re-wrap); returns it, to be stored."""
        conv = self.conversations.get(conv_id)
        if conv is not None:
            conv.add_problem(problem)
            conv.revision += 1
        return conv

    @staticmethod
    def _fail(conv: ConversationRecord, record: MessageRecord, reason: str) -> MessageRecord:
        record.state, record.problem, record.text = STATE_FAILED, reason, ""
        conv.add_problem("a message failed verification")
        return record
