"""The reference reporter's persistent state: one JSON file, mode 0600, written atomically.

It holds what the mobile app keeps on the phone: the relay and org, the pinned org key and last accepted
roster, this install's keys for this org, the profile, and per conversation the own seq / prev_hash chain,
the read cursor and the messages already seen. Binary values are standard base64.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.envelope import ZERO_HASH
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.roster import SignedRoster

STATE_VERSION = 1


@dataclass
class ConversationState:
    conv_id: uuid.UUID
    seq: int = 0  # own messages sent so far (the next one is seq + 1)
    prev_hash: bytes = ZERO_HASH  # envelope_hash of the own previous message
    after: int = 0  # relay read cursor (its per-conversation seq)
    seen_msg_ids: list[str] = field(default_factory=list)
    sender_heads: dict[str, list[Any]] = field(default_factory=dict)  # sender sign_pk b64 → [seq, hash b64]
    pending: list[str] = field(default_factory=list)  # envelopes (b64) posted but not yet acknowledged
    # Who may read it (docs/protocol.md §16): the chosen counsellor ids (None: every counsellor), the
    # counter of the last consent, and handover requests by msg_id ({"colleague", "by", "state"}).
    members: list[str] | None = None
    members_counter: int = 0
    handovers: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "conv_id": str(self.conv_id),
            "seq": self.seq,
            "prev_hash": b64e(self.prev_hash),
            "after": self.after,
            "seen_msg_ids": self.seen_msg_ids,
            "sender_heads": self.sender_heads,
            "pending": self.pending,
            "members": self.members,
            "members_counter": self.members_counter,
            "handovers": self.handovers,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ConversationState:
        return cls(
            conv_id=uuid.UUID(value["conv_id"]),
            seq=int(value["seq"]),
            prev_hash=b64d(value["prev_hash"]),
            after=int(value["after"]),
            seen_msg_ids=list(value["seen_msg_ids"]),
            sender_heads=dict(value["sender_heads"]),
            pending=list(value["pending"]),
            members=None if value.get("members") is None else list(value["members"]),
            members_counter=int(value.get("members_counter", 0)),
            handovers=dict(value.get("handovers", {})),
        )


@dataclass
class ReporterState:
    relay_url: str
    org_code: str
    org_id: uuid.UUID
    org_name: str
    org_pk: bytes
    pinned_by_qr: bool
    device_id: uuid.UUID
    keys: DeviceKeys
    roster: SignedRoster | None = None
    profile: dict[str, str | None] | None = None  # pseudonym, age_category, gender (own, on the phone only)
    conversations: dict[str, ConversationState] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": STATE_VERSION,
            "relay_url": self.relay_url,
            "org_code": self.org_code,
            "org_id": str(self.org_id),
            "org_name": self.org_name,
            "org_pk": b64e(self.org_pk),
            "pinned_by_qr": self.pinned_by_qr,
            "device_id": str(self.device_id),
            "keys": b64e(self.keys.to_bytes()),
            "roster": None if self.roster is None else self.roster.to_json(),
            "profile": self.profile,
            "conversations": [c.to_json() for c in self.conversations.values()],
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ReporterState:
        if value.get("v") != STATE_VERSION:
            raise ProtocolError("unknown reporter state version")
        conversations = [ConversationState.from_json(c) for c in value["conversations"]]
        return cls(
            relay_url=value["relay_url"],
            org_code=value["org_code"],
            org_id=uuid.UUID(value["org_id"]),
            org_name=value["org_name"],
            org_pk=b64d(value["org_pk"]),
            pinned_by_qr=bool(value["pinned_by_qr"]),
            device_id=uuid.UUID(value["device_id"]),
            keys=DeviceKeys.from_bytes(b64d(value["keys"])),
            roster=None if value["roster"] is None else SignedRoster.from_json(value["roster"]),
            profile=value["profile"],
            conversations={str(c.conv_id): c for c in conversations},
        )


def load_state(path: Path) -> ReporterState | None:
    """The saved state, or None when there is none. Raises ProtocolError for a damaged file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return ReporterState.from_json(json.loads(text))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"reporter state file {path} is damaged") from exc


def save_state(path: Path, state: ReporterState) -> None:
    """Write atomically (temporary file + rename) with mode 0600 from the start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(state.to_json(), indent=1, sort_keys=True).encode("utf-8")
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def delete_state(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
