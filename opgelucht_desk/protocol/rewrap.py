"""Re-wrap records (tag "opg/rewrap/v1"): a counsellor device shares an old message's content key with a
newly added device, and signs that it did so, so every colleague can see who shared what.

record (217 bytes) = version u8 (1) | conv_id 16 | msg_id 16 | key_id 8 | wrap 80 | signer sign_pk 32 | sig 64
sig = Ed25519 by the signer over tagged("opg/rewrap/v1", conv_id | msg_id | key_id | wrap)
wrap = SealedBox(content_key) to the target device's X25519 key, key_id = key_id(that key).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from .encoding import TAG_REWRAP
from .errors import ProtocolError, SignatureError
from .keys import DeviceKeys, key_id
from .rng import Rng
from .sealedbox import seal, seal_open
from .signing import sign, verify

REWRAP_VERSION = 1
REWRAP_RECORD_BYTES = 1 + 16 + 16 + 8 + 80 + 32 + 64


@dataclass(frozen=True)
class RewrapRecord:
    conv_id: uuid.UUID
    msg_id: uuid.UUID
    key_id: bytes
    wrap: bytes
    signer_sign_pk: bytes
    sig: bytes

    def signed_part(self) -> bytes:
        return self.conv_id.bytes + self.msg_id.bytes + self.key_id + self.wrap

    def to_bytes(self) -> bytes:
        return bytes([REWRAP_VERSION]) + self.signed_part() + self.signer_sign_pk + self.sig

    @classmethod
    def from_bytes(cls, data: bytes) -> RewrapRecord:
        """Strict structural parse (no signature check); raises ProtocolError."""
        if len(data) != REWRAP_RECORD_BYTES:
            raise ProtocolError("rewrap record has the wrong length")
        if data[0] != REWRAP_VERSION:
            raise ProtocolError("unknown rewrap record version")
        return cls(
            conv_id=uuid.UUID(bytes=bytes(data[1:17])),
            msg_id=uuid.UUID(bytes=bytes(data[17:33])),
            key_id=bytes(data[33:41]),
            wrap=bytes(data[41:121]),
            signer_sign_pk=bytes(data[121:153]),
            sig=bytes(data[153:217]),
        )


def make_rewrap(
    *,
    conv_id: uuid.UUID,
    msg_id: uuid.UUID,
    content_key: bytes,
    target_enc_pk: bytes,
    signer: DeviceKeys,
    rng: Rng | None = None,
) -> RewrapRecord:
    """Wrap `content_key` to `target_enc_pk` and sign the record with the re-wrapping device's key."""
    if len(content_key) != 32:
        raise ValueError("a content key is 32 bytes")
    kid = key_id(target_enc_pk)
    wrap = seal(content_key, target_enc_pk, rng)
    unsigned = RewrapRecord(conv_id, msg_id, kid, wrap, signer.sign_pk, b"")
    return RewrapRecord(
        conv_id, msg_id, kid, wrap, signer.sign_pk, sign(TAG_REWRAP, unsigned.signed_part(), signer.sign_seed)
    )


def verify_rewrap(
    record: RewrapRecord | bytes, *, allowed_signers: Collection[bytes] | None = None
) -> RewrapRecord:
    """Check the record's signature (and, when given, that its signer is one of `allowed_signers`, i.e. a
    valid roster device). Raises SignatureError (or ProtocolError for a malformed record)."""
    parsed = RewrapRecord.from_bytes(record) if isinstance(record, bytes | bytearray) else record
    verify(TAG_REWRAP, parsed.signed_part(), parsed.sig, parsed.signer_sign_pk)
    if allowed_signers is not None and parsed.signer_sign_pk not in allowed_signers:
        raise SignatureError("rewrap signed by a device outside the roster")
    return parsed


def open_rewrap(record: RewrapRecord, keys: DeviceKeys) -> bytes:
    """The content key of a verified record addressed to `keys`; raises ProtocolError."""
    if record.key_id != key_id(keys.enc_pk):
        raise ProtocolError("rewrap record is for another device")
    content_key = seal_open(record.wrap, keys.enc_pk, keys.enc_sk)
    if len(content_key) != 32:
        raise ProtocolError("rewrap holds no content key")
    return content_key
