"""Message envelope v1: strict parsing, sealing and opening (docs/protocol.md, "Envelope v1").

    header = "OPM1" | version u8 (1) | conv_id 16 | msg_id 16 | roster_version u32 BE | n u16 BE
             | n × (key_id 8 | SealedBox(content_key) 80)
    body   = nonce 24 | XChaCha20-Poly1305-IETF(content_key, pad(inner), ad = H(header))
    inner  = sender Ed25519 pk 32 | seq u64 BE | type u8 | prev_hash 32 | roster_hash 32
             | payload_len u32 BE | payload | sig 64
    sig    = Ed25519 over tagged("opg/msg/v1", H(header) | seq | type | prev_hash | roster_hash | payload)
    H(x)   = BLAKE2b-256(x, person = "opg/header/v1")

Every failure raises one `EnvelopeError` (opaque `str()`, precise `.reason`); no partial plaintext is
ever returned.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import nacl.bindings as sodium
import nacl.exceptions

from .encoding import PERSON_ENVELOPE, PERSON_HEADER, TAG_MSG, blake2b_256, u8, u16, u32, u64
from .errors import EnvelopeError, ProtocolError, SignatureError
from .keys import DeviceKeys, key_id
from .padding import MAX_PADDED, is_bucket, pad, unpad
from .rng import Rng, resolve
from .sealedbox import seal, seal_open
from .signing import sign, verify

MAGIC = b"OPM1"
VERSION = 1
HEADER_FIXED_BYTES = 43  # magic 4 + version 1 + conv_id 16 + msg_id 16 + roster_version 4 + n 2
KEY_ID_BYTES = 8
WRAP_BYTES = 80  # sealed box of a 32-byte content key: epk 32 + key 32 + tag 16
STANZA_BYTES = KEY_ID_BYTES + WRAP_BYTES
MAX_RECIPIENTS = 1024
NONCE_BYTES = 24
AEAD_TAG_BYTES = 16
CONTENT_KEY_BYTES = 32
HASH_BYTES = 32
INNER_OVERHEAD = 32 + 8 + 1 + 32 + 32 + 4 + 64  # everything in `inner` except the payload
MAX_PAYLOAD = MAX_PADDED - 1 - INNER_OVERHEAD
MAX_ENVELOPE_BYTES = (
    HEADER_FIXED_BYTES + MAX_RECIPIENTS * STANZA_BYTES + NONCE_BYTES + MAX_PADDED + AEAD_TAG_BYTES
)
ZERO_HASH = bytes(HASH_BYTES)
_MAX_SEQ = 2**64 - 1
_MAX_ROSTER_VERSION = 2**32 - 1


class MessageType(IntEnum):
    """What the payload of an envelope is."""

    HELLO = 1  #: reporter profile (pseudonym, age category, gender, conversation keys); see profile.py
    TEXT = 2  #: chat text, UTF-8
    NOTE = 3  #: private counsellor note (staff channel)
    META = 4  #: conversation status/category JSON (staff channel)
    FILE = 5  #: reference to an encrypted file blob, canonical JSON (chat channel); see attachment.py
    HANDOVER = 6  #: a chosen counsellor asks to add a colleague (chat channel); see recipients.py
    CONSENT = 7  #: the reporter's signed yes/no to a change of the recipient set (chat channel)


@dataclass(frozen=True)
class Header:
    """The cleartext header of an envelope (what the relay can see)."""

    version: int
    conv_id: uuid.UUID
    msg_id: uuid.UUID
    roster_version: int
    stanzas: tuple[tuple[bytes, bytes], ...]  # (key_id 8, wrap 80) in wire order

    @property
    def key_ids(self) -> tuple[bytes, ...]:
        return tuple(kid for kid, _wrap in self.stanzas)

    @property
    def size(self) -> int:
        """Length of the header in bytes."""
        return HEADER_FIXED_BYTES + STANZA_BYTES * len(self.stanzas)

    def wrap_for(self, kid: bytes) -> bytes | None:
        for stanza_kid, wrap in self.stanzas:
            if stanza_kid == kid:
                return wrap
        return None


@dataclass(frozen=True)
class OpenedMessage:
    """A decrypted, signature-checked envelope. The caller still checks *who* `sender_sign_pk` is."""

    header: Header
    sender_sign_pk: bytes
    seq: int
    msg_type: MessageType
    prev_hash: bytes
    roster_hash: bytes
    payload: bytes
    content_key: bytes
    envelope_hash: bytes

    def __repr__(self) -> str:  # never show payload or key bytes
        return (
            f"OpenedMessage(conv_id={self.header.conv_id}, msg_id={self.header.msg_id}, seq={self.seq}, "
            f"type={self.msg_type.name}, payload_len={len(self.payload)})"
        )


def header_hash(header_bytes: bytes) -> bytes:
    """H(header): the AEAD associated data and the first field the sender signs."""
    return blake2b_256(header_bytes, PERSON_HEADER)


def envelope_hash(envelope: bytes) -> bytes:
    """Hash of a whole envelope, used as the next message's `prev_hash`."""
    return blake2b_256(bytes(envelope), PERSON_ENVELOPE)


def _split(envelope: bytes) -> tuple[Header, bytes, bytes]:
    if not isinstance(envelope, bytes | bytearray | memoryview):
        raise EnvelopeError("not_bytes")
    data = bytes(envelope)
    if len(data) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError("too_large")
    if len(data) < HEADER_FIXED_BYTES:
        raise EnvelopeError("truncated_header")
    if data[:4] != MAGIC:
        raise EnvelopeError("bad_magic")
    if data[4] != VERSION:
        raise EnvelopeError("unknown_version")
    (roster_version, n) = struct.unpack(">IH", data[37:43])
    if n == 0:
        raise EnvelopeError("zero_recipients")
    if n > MAX_RECIPIENTS:
        raise EnvelopeError("too_many_recipients")
    header_len = HEADER_FIXED_BYTES + n * STANZA_BYTES
    if len(data) < header_len:
        raise EnvelopeError("truncated_header")
    stanzas = []
    seen: set[bytes] = set()
    for i in range(n):
        offset = HEADER_FIXED_BYTES + i * STANZA_BYTES
        kid = data[offset : offset + KEY_ID_BYTES]
        if kid in seen:
            raise EnvelopeError("duplicate_key_id")
        seen.add(kid)
        stanzas.append((kid, data[offset + KEY_ID_BYTES : offset + STANZA_BYTES]))
    body = data[header_len:]
    if not is_bucket(len(body) - NONCE_BYTES - AEAD_TAG_BYTES):
        raise EnvelopeError("bad_body_length")
    header = Header(
        version=data[4],
        conv_id=uuid.UUID(bytes=data[5:21]),
        msg_id=uuid.UUID(bytes=data[21:37]),
        roster_version=roster_version,
        stanzas=tuple(stanzas),
    )
    return header, data[:header_len], body


def parse_header(envelope: bytes) -> Header:
    """Strict structural parse of a whole envelope without any key: magic, version, 1 ≤ n ≤ 1024, exact
    lengths, no duplicate key ids, a body whose length is nonce + padding bucket + tag (so no trailing
    bytes). Raises `EnvelopeError`."""
    return _split(envelope)[0]


def _signed_part(
    hh: bytes, seq: int, msg_type: int, prev_hash: bytes, roster_hash: bytes, payload: bytes
) -> bytes:
    return hh + u64(seq) + u8(msg_type) + prev_hash + roster_hash + payload


def seal_message(
    *,
    conv_id: uuid.UUID,
    msg_id: uuid.UUID,
    roster_version: int,
    sender: DeviceKeys,
    seq: int,
    msg_type: MessageType,
    prev_hash: bytes,
    roster_hash: bytes,
    payload: bytes,
    recipients: Sequence[bytes],
    rng: Rng | None = None,
) -> bytes:
    """Encrypt and sign `payload` for every X25519 key in `recipients` (the sender includes its own key
    if it wants to read the message back). Stanzas are written in ascending key-id order.

    `rng` is consumed in this order: content key (32), body nonce (24), then one ephemeral X25519 secret
    key (32) per stanza in stanza order. Raises ValueError for arguments no valid envelope can carry.
    """
    msg_type = MessageType(msg_type)
    if not 0 <= seq <= _MAX_SEQ:
        raise ValueError("seq out of range")
    if not 0 <= roster_version <= _MAX_ROSTER_VERSION:
        raise ValueError("roster_version out of range")
    if len(prev_hash) != HASH_BYTES or len(roster_hash) != HASH_BYTES:
        raise ValueError("prev_hash and roster_hash are 32 bytes")
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload over {MAX_PAYLOAD} bytes")
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise ValueError(f"1..{MAX_RECIPIENTS} recipients required")
    by_kid = {key_id(bytes(pk)): bytes(pk) for pk in recipients}
    if len(by_kid) != len(recipients):
        raise ValueError("duplicate recipient key (or key id)")
    source = resolve(rng)
    content_key = source(CONTENT_KEY_BYTES)
    nonce = source(NONCE_BYTES)
    stanzas = b"".join(kid + seal(content_key, by_kid[kid], source) for kid in sorted(by_kid))
    header = (
        MAGIC + u8(VERSION) + conv_id.bytes + msg_id.bytes + u32(roster_version) + u16(len(by_kid)) + stanzas
    )
    hh = header_hash(header)
    signature = sign(
        TAG_MSG, _signed_part(hh, seq, msg_type, prev_hash, roster_hash, payload), sender.sign_seed
    )
    inner = (
        sender.sign_pk
        + u64(seq)
        + u8(msg_type)
        + prev_hash
        + roster_hash
        + u32(len(payload))
        + payload
        + signature
    )
    ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(pad(inner), hh, nonce, content_key)
    return header + nonce + bytes(ciphertext)


def _check_conv(header: Header, expected_conv_id: uuid.UUID) -> None:
    if header.conv_id != expected_conv_id:
        raise EnvelopeError("conv_id_mismatch")


def _open_body(
    envelope: bytes, header: Header, header_bytes: bytes, body: bytes, content_key: bytes
) -> OpenedMessage:
    if len(content_key) != CONTENT_KEY_BYTES:
        raise EnvelopeError("bad_content_key")
    hh = header_hash(header_bytes)
    try:
        padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            body[NONCE_BYTES:], hh, body[:NONCE_BYTES], content_key
        )
    except (nacl.exceptions.CryptoError, ValueError) as exc:
        raise EnvelopeError("decrypt_failed") from exc
    try:
        inner = unpad(bytes(padded))
    except ProtocolError as exc:
        raise EnvelopeError("bad_padding") from exc
    if len(inner) < INNER_OVERHEAD:
        raise EnvelopeError("bad_inner_length")
    sender = inner[:32]
    (seq,) = struct.unpack(">Q", inner[32:40])
    type_byte = inner[40]
    prev_hash = inner[41:73]
    roster_hash = inner[73:105]
    (payload_len,) = struct.unpack(">I", inner[105:109])
    if len(inner) != INNER_OVERHEAD + payload_len:
        raise EnvelopeError("bad_payload_length")
    payload = inner[109 : 109 + payload_len]
    signature = inner[109 + payload_len :]
    try:
        msg_type = MessageType(type_byte)
    except ValueError as exc:
        raise EnvelopeError("unknown_type") from exc
    try:
        verify(TAG_MSG, _signed_part(hh, seq, msg_type, prev_hash, roster_hash, payload), signature, sender)
    except SignatureError as exc:
        raise EnvelopeError("bad_signature") from exc
    return OpenedMessage(
        header=header,
        sender_sign_pk=sender,
        seq=seq,
        msg_type=msg_type,
        prev_hash=prev_hash,
        roster_hash=roster_hash,
        payload=payload,
        content_key=bytes(content_key),
        envelope_hash=envelope_hash(envelope),
    )


def unwrap_content_key(header: Header, keys: DeviceKeys) -> bytes:
    """The content key from this device's stanza; raises EnvelopeError when there is none or it is bad."""
    wrap = header.wrap_for(key_id(keys.enc_pk))
    if wrap is None:
        raise EnvelopeError("not_a_recipient")
    try:
        content_key = seal_open(wrap, keys.enc_pk, keys.enc_sk)
    except ProtocolError as exc:
        raise EnvelopeError("bad_stanza") from exc
    if len(content_key) != CONTENT_KEY_BYTES:
        raise EnvelopeError("bad_stanza")
    return content_key


def open_message(envelope: bytes, *, keys: DeviceKeys, expected_conv_id: uuid.UUID) -> OpenedMessage:
    """Parse strictly, check the conversation, unwrap this device's stanza, decrypt, verify the sender's
    signature. The caller must still check that `sender_sign_pk` is allowed to write here (roster device or
    pinned reporter key) and apply its seq / prev_hash rules."""
    header, header_bytes, body = _split(envelope)
    _check_conv(header, expected_conv_id)
    content_key = unwrap_content_key(header, keys)
    return _open_body(bytes(envelope), header, header_bytes, body, content_key)


def open_with_content_key(
    envelope: bytes, content_key: bytes, *, expected_conv_id: uuid.UUID
) -> OpenedMessage:
    """Like `open_message` with a content key obtained elsewhere (a re-wrap record or a local cache)."""
    header, header_bytes, body = _split(envelope)
    _check_conv(header, expected_conv_id)
    return _open_body(bytes(envelope), header, header_bytes, body, content_key)
