"""Who may read a conversation: the reporter's choice of counsellors, handover requests and the
reporter's consent (docs/protocol.md §16).

The recipient set of a conversation is chosen by the reporter in the first HELLO (profile key ``to``:
sorted counsellor ids; absent: every counsellor, as in v1). It changes only by a CONSENT message
signed by the reporter's pinned conversation key, whose payload binds the conversation id, the next
set counter, the hash of the set it replaces and the new set. Every client wraps a conversation's
envelopes only to the members' current devices and the reporter, and refuses an envelope with a
stanza for anyone else (``check_stanzas``).

    HANDOVER payload = {"colleague": <uuid>, "counter": <u32>, "v": 1}                  (a member asks)
    CONSENT payload  = {"conv_id": <uuid>, "counter": <u32>, "decision": "yes"|"no",
                        "members": [<uuid>, ...], "prev": <b64 32>, "request": <uuid>|null, "v": 1}
    set_hash(conv_id, counter, members) = H_"opg/members/v1"(conv_id 16 | u32 counter | u16 n | n × id 16)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import canonical_json
from .encoding import b64d_len, b64e, blake2b_256, parse_uuid, u16, u32
from .envelope import Header
from .errors import ProtocolError
from .keys import key_id

PERSON_MEMBERS = b"opg/members/v1"
MAX_MEMBERS = 16
FORMAT = 1
_MAX_U32 = 2**32 - 1
_HANDOVER_KEYS = {"colleague", "counter", "v"}
_CONSENT_KEYS = {"conv_id", "counter", "decision", "members", "prev", "request", "v"}

Members = tuple[uuid.UUID, ...] | None  # sorted counsellor ids; None: every counsellor (v1)


class MembershipError(ProtocolError):
    """A refused membership change or a message outside the recipient set; ``reason`` is stable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise(members: Iterable[uuid.UUID] | None) -> Members:
    """Sorted, de-duplicated ids; None stays None (all). Raises ValueError for 0 or > 16 ids."""
    if members is None:
        return None
    out = tuple(sorted(set(members)))
    if not 1 <= len(out) <= MAX_MEMBERS:
        raise ValueError(f"choose 1 to {MAX_MEMBERS} counsellors")
    return out


def members_to_json(members: Members) -> list[str] | None:
    return None if members is None else [str(m) for m in members]


def members_from_json(value: Any, what: str = "members") -> tuple[uuid.UUID, ...]:
    """Strict: a list of 1..16 canonical UUIDs in ascending order without duplicates."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_MEMBERS:
        raise ProtocolError(f"{what}: expected a list of 1..{MAX_MEMBERS} counsellor ids")
    ids = tuple(parse_uuid(v, what) for v in value)
    if list(ids) != sorted(set(ids)):
        raise ProtocolError(f"{what}: ids must be sorted and unique")
    return ids


def set_hash(conv_id: uuid.UUID, counter: int, members: Members) -> bytes:
    """The hash a consent names as the set it replaces (``members`` None hashes as zero ids)."""
    ids = members or ()
    data = conv_id.bytes + u32(counter) + u16(len(ids)) + b"".join(m.bytes for m in ids)
    return blake2b_256(data, PERSON_MEMBERS)


@dataclass(frozen=True)
class HandoverRequest:
    """A member asks the reporter to add ``colleague`` to the set numbered ``counter``."""

    colleague: uuid.UUID
    counter: int

    def to_payload(self) -> bytes:
        return canonical_json.dumps({"colleague": str(self.colleague), "counter": self.counter, "v": FORMAT})

    @classmethod
    def from_payload(cls, payload: bytes) -> HandoverRequest:
        obj = canonical_json.require_object(canonical_json.loads(payload), _HANDOVER_KEYS, "handover")
        if canonical_json.require_int(obj["v"], "v", FORMAT, FORMAT) != FORMAT:
            raise ProtocolError("handover: unknown version")
        request = cls(
            colleague=parse_uuid(obj["colleague"], "colleague"),
            counter=canonical_json.require_int(obj["counter"], "counter", 0, _MAX_U32),
        )
        if request.to_payload() != bytes(payload):
            raise ProtocolError("handover: not in canonical form")
        return request


@dataclass(frozen=True)
class Consent:
    """The reporter's answer: ``decision`` "yes" makes ``members`` the set numbered ``counter``."""

    conv_id: uuid.UUID
    counter: int
    decision: str
    members: tuple[uuid.UUID, ...]
    prev: bytes
    request: uuid.UUID | None  # the HANDOVER message answered; None: the reporter chose again

    def __post_init__(self) -> None:
        if self.decision not in ("yes", "no"):
            raise ValueError("decision is yes or no")

    @property
    def accepted(self) -> bool:
        return self.decision == "yes"

    def to_payload(self) -> bytes:
        return canonical_json.dumps(
            {
                "conv_id": str(self.conv_id),
                "counter": self.counter,
                "decision": self.decision,
                "members": [str(m) for m in self.members],
                "prev": b64e(self.prev),
                "request": None if self.request is None else str(self.request),
                "v": FORMAT,
            }
        )

    @classmethod
    def from_payload(cls, payload: bytes) -> Consent:
        obj = canonical_json.require_object(canonical_json.loads(payload), _CONSENT_KEYS, "consent")
        if canonical_json.require_int(obj["v"], "v", FORMAT, FORMAT) != FORMAT:
            raise ProtocolError("consent: unknown version")
        if obj["decision"] not in ("yes", "no"):
            raise ProtocolError("consent: decision is yes or no")
        consent = cls(
            conv_id=parse_uuid(obj["conv_id"], "conv_id"),
            counter=canonical_json.require_int(obj["counter"], "counter", 1, _MAX_U32),
            decision=obj["decision"],
            members=members_from_json(obj["members"]),
            prev=b64d_len(obj["prev"], 32, "prev"),
            request=None if obj["request"] is None else parse_uuid(obj["request"], "request"),
        )
        if consent.to_payload() != bytes(payload):
            raise ProtocolError("consent: not in canonical form")
        return consent


@dataclass(frozen=True)
class Membership:
    """A conversation's recipient set as a client holds it: ``counter`` 0 is the HELLO's choice."""

    conv_id: uuid.UUID
    members: Members = None
    counter: int = 0

    @property
    def digest(self) -> bytes:
        return set_hash(self.conv_id, self.counter, self.members)

    def includes(self, counsellor_id: uuid.UUID) -> bool:
        return self.members is None or counsellor_id in self.members

    def consent_for(
        self, members: Iterable[uuid.UUID], *, request: uuid.UUID | None, accept: bool = True
    ) -> Consent:
        """The consent the reporter signs (as a CONSENT message) to make ``members`` the next set."""
        chosen = normalise(members)
        assert chosen is not None
        return Consent(
            conv_id=self.conv_id,
            counter=self.counter + 1,
            decision="yes" if accept else "no",
            members=chosen,
            prev=self.digest,
            request=request,
        )

    def apply(self, consent: Consent) -> Membership:
        """The membership after a consent the reporter's pinned key signed (the caller checked that).
        Raises MembershipError: ``other_conversation``, ``stale_consent`` (an older or replayed consent:
        counter not the next one, or ``prev`` not this set's hash). A "no" changes nothing."""
        if consent.conv_id != self.conv_id:
            raise MembershipError("other_conversation")
        if consent.counter != self.counter + 1 or consent.prev != self.digest:
            raise MembershipError("stale_consent")
        if not consent.accepted:
            return self
        return Membership(self.conv_id, consent.members, consent.counter)


def check_stanzas(header: Header, allowed_enc_pks: Iterable[bytes]) -> None:
    """Refuse an envelope wrapped to anyone outside the recipient set (``allowed_enc_pks``: the
    members' current devices and the reporter). Raises MembershipError("wrapped_to_non_member")."""
    allowed = {key_id(pk) for pk in allowed_enc_pks}
    if any(kid not in allowed for kid in header.key_ids):
        raise MembershipError("wrapped_to_non_member")
