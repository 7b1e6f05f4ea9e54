"""Builders for protocol tests: deterministic keys, rosters and envelopes."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from opgelucht_desk.protocol import (
    ZERO_HASH,
    CounsellorEntry,
    DeviceKeys,
    MessageType,
    Roster,
    SignedRoster,
    make_device_entry,
    seal_message,
    sign_roster,
    signing_public_key,
)

NOW = 1_800_000_000
DAY = 86_400
CONV_ID = uuid.UUID("11111111-2222-4333-8444-555555555555")


def seed(label: str) -> bytes:
    """A fixed 32-byte seed named by `label`."""
    return hashlib.blake2b(label.encode(), digest_size=32).digest()


def device(label: str) -> DeviceKeys:
    return DeviceKeys(enc_sk=seed(label + "/enc"), sign_seed=seed(label + "/sign"))


@dataclass
class Org:
    org_seed: bytes
    org_id: uuid.UUID
    identity_seeds: dict[str, bytes]
    devices: dict[str, DeviceKeys]

    @property
    def org_pk(self) -> bytes:
        return signing_public_key(self.org_seed)

    def roster(
        self,
        version: int = 1,
        prev_hash: bytes = ZERO_HASH,
        issued: int = NOW,
        expires: int = NOW + 14 * DAY,
        devices: dict[str, list[str]] | None = None,
    ) -> Roster:
        """`devices` maps counsellor label to device labels (default: every counsellor with its device)."""
        layout = (
            devices if devices is not None else {name: [name + "-laptop"] for name in self.identity_seeds}
        )
        counsellors = []
        for name, device_labels in layout.items():
            identity_seed = self.identity_seeds[name]
            entries = tuple(
                make_device_entry(identity_seed, self.devices[label], uuid.uuid5(self.org_id, label))
                for label in device_labels
            )
            counsellors.append(
                CounsellorEntry(
                    counsellor_id=uuid.uuid5(self.org_id, name),
                    display_name=name.capitalize(),
                    identity_key=signing_public_key(identity_seed),
                    devices=entries,
                )
            )
        return Roster(self.org_id, version, prev_hash, issued, expires, tuple(counsellors))

    def signed(self, roster: Roster) -> SignedRoster:
        return sign_roster(roster, self.org_seed)


def make_org(counsellors: tuple[str, ...] = ("anna", "bram")) -> Org:
    devices = {
        name + suffix: device(name + suffix) for name in counsellors for suffix in ("-laptop", "-desktop")
    }
    return Org(
        org_seed=seed("org"),
        org_id=uuid.UUID("0b0b0b0b-0000-4000-8000-000000000001"),
        identity_seeds={name: seed(name + "/identity") for name in counsellors},
        devices=devices,
    )


def text_envelope(
    sender: DeviceKeys,
    recipients: list[bytes],
    payload: bytes = b"hello",
    *,
    conv_id: uuid.UUID = CONV_ID,
    msg_id: uuid.UUID | None = None,
    seq: int = 1,
    prev_hash: bytes = ZERO_HASH,
    roster_hash: bytes = ZERO_HASH,
) -> bytes:
    return seal_message(
        conv_id=conv_id,
        msg_id=msg_id or uuid.uuid4(),
        roster_version=1,
        sender=sender,
        seq=seq,
        msg_type=MessageType.TEXT,
        prev_hash=prev_hash,
        roster_hash=roster_hash,
        payload=payload,
        recipients=recipients,
    )
