"""The outbox: replies, notes and status changes are sealed once, stored encrypted in the cache, and
only then sent. Sending is retried until the relay has the message; the relay de-duplicates by the
client-chosen msg_id (same bytes → the original result), so after a relay outage or an app crash
nothing is lost and nothing is sent twice. An item leaves the outbox when sync brings it back.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.cache import EncryptedCache, QueuedItem
from opgelucht_desk.core.errors import (
    GoneError,
    NotAllowedError,
    NotFoundError,
    ServerError,
    VerificationError,
)
from opgelucht_desk.core.inbox import ConversationRecord, channel_of
from opgelucht_desk.core.trust import Trust
from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.envelope import ZERO_HASH, MessageType, envelope_hash, seal_message
from opgelucht_desk.protocol.keys import DeviceKeys

ITEM_QUEUED = "queued"
ITEM_SENT = "sent"
ITEM_FAILED = "failed"


@dataclass
class OutgoingItem:
    conv_id: str
    msg_id: str
    channel: str
    msg_type: int
    envelope: str
    text: str
    queued_at: int
    state: str = ITEM_QUEUED
    problem: str | None = None

    def to_cache(self) -> QueuedItem:
        return QueuedItem(self.msg_id, self.conv_id, self.queued_at, json.dumps(asdict(self)).encode())

    @classmethod
    def from_cache(cls, row: QueuedItem) -> OutgoingItem:
        return cls(**json.loads(row.data))


def seal_outgoing(
    *,
    conv: ConversationRecord,
    keys: DeviceKeys,
    trust: Trust,
    msg_type: MessageType,
    payload: bytes,
    text: str,
    now: int,
) -> OutgoingItem:
    """Seal a message for the conversation and advance this device's chain in ``conv`` (not persisted)."""
    roster, roster_hash = trust.sendable(now)
    channel = channel_of(msg_type)
    members = conv.membership().members
    if members is not None and trust.staff.counsellor_of.get(keys.sign_pk) not in (conv.members or []):
        raise NotAllowedError("The reporter did not choose you for this conversation.")
    # Only the members' current devices (all counsellors when the reporter chose no one), docs §16.
    recipients = list(dict.fromkeys(roster.member_keys(members)))
    if channel == "chat":
        if conv.reporter_enc_pk is None:
            raise VerificationError(
                "The reporter's key is not known yet; this conversation cannot be answered."
            )
        reporter = b64d(conv.reporter_enc_pk)
        if reporter not in recipients:
            recipients.append(reporter)
    if not recipients:
        raise VerificationError("The roster lists no counsellor device to encrypt to.")
    seq, prev = _next_in_chain(conv, b64e(keys.sign_pk), channel)
    msg_id = uuid.uuid4()
    envelope = seal_message(
        conv_id=uuid.UUID(conv.conv_id),
        msg_id=msg_id,
        roster_version=roster.version,
        sender=keys,
        seq=seq,
        msg_type=msg_type,
        prev_hash=prev,
        roster_hash=roster_hash,
        payload=payload,
        recipients=recipients,
    )
    conv.own_chains[channel] = [seq, b64e(envelope_hash(envelope))]
    return OutgoingItem(
        conv_id=conv.conv_id,
        msg_id=str(msg_id),
        channel=channel,
        msg_type=int(msg_type),
        envelope=b64e(envelope),
        text=text,
        queued_at=now,
    )


def _next_in_chain(conv: ConversationRecord, sender: str, channel: str) -> tuple[int, bytes]:
    candidates = [c for c in (conv.own_chains.get(channel), conv.chains.get(f"{sender}|{channel}")) if c]
    if not candidates:
        return 1, ZERO_HASH
    seq, digest = max(candidates, key=lambda c: int(c[0]))
    return int(seq) + 1, b64d(str(digest))


class Outbox:
    """Queued items in memory (mirrored in the cache); ``flush`` sends them in order."""

    def __init__(self, cache: EncryptedCache) -> None:
        self._cache = cache
        self._lock = asyncio.Lock()
        self.items: dict[str, OutgoingItem] = {}

    def load(self) -> None:
        self.items = {row.msg_id: OutgoingItem.from_cache(row) for row in self._cache.queued()}

    async def add(self, item: OutgoingItem, conv: ConversationRecord) -> None:
        """Persist the item and the conversation's advanced chain together, before any send."""
        await asyncio.to_thread(self._cache.enqueue, item.to_cache(), conv.to_cache())
        self.items[item.msg_id] = item

    def for_conversation(self, conv_id: str) -> list[OutgoingItem]:
        return [i for i in self.items.values() if i.conv_id == conv_id]

    def pending(self) -> int:
        return sum(1 for i in self.items.values() if i.state == ITEM_QUEUED)

    async def confirm(self, msg_ids: Iterable[str]) -> None:
        """Sync brought these messages back from the relay: they leave the outbox."""
        done = [m for m in msg_ids if m in self.items]
        if done:
            await asyncio.to_thread(self._cache.dequeue, done)
            for m in done:
                del self.items[m]

    async def drop_conversations(self, conv_ids: Iterable[str]) -> None:
        gone = set(conv_ids)
        for msg_id in [m for m, i in self.items.items() if i.conv_id in gone]:
            del self.items[msg_id]

    async def flush(self, api: RelayClient) -> int:
        """Send every queued item in order; raises OfflineError (items stay queued). Returns sent count."""
        sent = 0
        async with self._lock:
            # Insertion order (the cache keeps it by rowid): a later status change must not overtake.
            queue = [i for i in self.items.values() if i.state == ITEM_QUEUED]
            for item in queue:
                try:
                    if item.channel == "chat":
                        await api.post_message(item.conv_id, item.envelope)
                    else:
                        await api.post_note(item.conv_id, item.envelope)
                except ServerError as exc:
                    if exc.status >= 500:
                        raise  # the relay is in trouble: keep it queued, retry later
                    item.state, item.problem = ITEM_FAILED, _failure_text(exc)
                else:
                    item.state = ITEM_SENT
                    sent += 1
                await asyncio.to_thread(self._cache.enqueue, item.to_cache())
        return sent


def _failure_text(exc: Exception) -> str:
    if isinstance(exc, GoneError | NotFoundError):
        return "the conversation no longer exists on the relay"
    return "the relay refused this message"
