"""Case register records (tag "opg/register/v1") and the register key's wraps (tag "opg/regkey/v1").

The case register (docs/case-register.md) keeps one content-free record per conversation for the annual
report. The relay stores each record as an opaque blob; only the organisation's counsellor devices hold
the register key that opens it.

record blob (canonical JSON) = {"v": 1, "id": <record id>, "version": <int>, "key_id": b64 8,
    "nonce": b64 24, "ct": b64, "signer": b64 sign_pk 32, "sig": b64 64}
ct  = XChaCha20-Poly1305(register key, nonce, canonical JSON of the record's fields,
      ad = tagged("opg/register/v1", id | u64 version))
sig = Ed25519 by the writing counsellor device over tagged("opg/register/v1",
      id | u64 version | key_id | nonce | ct)

key wrap blob (canonical JSON) = {"v": 1, "key_id": b64 8, "to": b64 sign_pk 32, "wrap": b64 80,
    "signer": b64 sign_pk 32, "sig": b64 64}
wrap = SealedBox(register key) to the recipient device's X25519 key
sig  = Ed25519 by the sharing device over tagged("opg/regkey/v1", key_id | to | wrap)

A record id is a keyed hash of the conversation id under the register key (:func:`record_id_for`): every
desk of the org finds the same record for a conversation (no duplicates, no race), while the relay, which
lacks the key, cannot link a record to a conversation. Once the conversation is deleted, no desk keeps
its id any more.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass

import nacl.bindings
import nacl.exceptions

from . import canonical_json
from .encoding import b64d, b64d_len, b64e, tagged, u64
from .errors import ProtocolError
from .keys import DeviceKeys
from .sealedbox import seal, seal_open
from .signing import sign, verify

TAG_REGISTER = "opg/register/v1"
TAG_REGISTER_KEY = "opg/regkey/v1"
REGISTER_VERSION = 1
KEY_BYTES = 32
MAX_RECORD_BLOB = 4096  # a record is a few hundred bytes; the relay refuses larger blobs

HELP_TYPES = ("advies", "ondersteuning", "bemiddeling", "doorverwijzing", "formele_klacht")
"""The types of help a counsellor records (wire values; the UI words them)."""

CONTACT_BUCKETS = ("1", "2-5", "6-10", "11+")
"""Number of the reporter's messages, bucketed (the register never holds the exact number)."""

_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ID_RE = re.compile(r"^[0-9a-f]{32}$")
MAX_LABEL = 200


def contact_bucket(count: int) -> str:
    """The bucket of a number of messages (at least one: a conversation begins with one)."""
    if count <= 1:
        return CONTACT_BUCKETS[0]
    if count <= 5:
        return CONTACT_BUCKETS[1]
    if count <= 10:
        return CONTACT_BUCKETS[2]
    return CONTACT_BUCKETS[3]


def key_id_of(register_key: bytes) -> bytes:
    """8 bytes naming a register key (not secret)."""
    return hashlib.blake2b(register_key, digest_size=8, person=b"opg-regkey-id").digest()


def record_id_for(register_key: bytes, conv_id: str | uuid.UUID) -> str:
    """The record id of a conversation: 32 hex digits, a keyed hash of its id (see the module docstring)."""
    conv = uuid.UUID(str(conv_id))
    return hashlib.blake2b(
        conv.bytes, digest_size=16, key=register_key, person=b"opg-register-id"
    ).hexdigest()


def new_register_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


@dataclass(frozen=True)
class CaseRecord:
    """One conversation in the register: content-free by construction (months, fixed words, a label)."""

    record_id: str
    opened: str  # "YYYY-MM"
    in_progress: str | None = None  # month of the first "open" status
    closed: str | None = None  # month it was closed (None: not closed)
    category: str | None = None
    help_type: str | None = None
    contacts: str = CONTACT_BUCKETS[0]
    org_code: str | None = None  # the org code's label

    def fields(self) -> dict[str, str | None]:
        return {
            "opened": self.opened,
            "in_progress": self.in_progress,
            "closed": self.closed,
            "category": self.category,
            "help_type": self.help_type,
            "contacts": self.contacts,
            "org_code": self.org_code,
        }

    def check(self) -> None:
        """Raises ProtocolError unless every field has its allowed shape."""
        if not _ID_RE.fullmatch(self.record_id):
            raise ProtocolError("register record: bad id")
        for name in ("opened", "in_progress", "closed"):
            value = getattr(self, name)
            if (value is not None or name == "opened") and not (
                isinstance(value, str) and _MONTH_RE.fullmatch(value)
            ):
                raise ProtocolError(f"register record: {name} is not a month")
        if self.help_type is not None and self.help_type not in HELP_TYPES:
            raise ProtocolError("register record: unknown help type")
        if self.contacts not in CONTACT_BUCKETS:
            raise ProtocolError("register record: unknown contacts bucket")
        for name in ("category", "org_code"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, str) and 0 < len(value) <= MAX_LABEL):
                raise ProtocolError(f"register record: bad {name}")


@dataclass(frozen=True)
class OpenedRecord:
    record: CaseRecord
    version: int
    signer_sign_pk: bytes


def _signed_part(record_id: str, version: int, kid: bytes, nonce: bytes, ct: bytes) -> bytes:
    return record_id.encode("ascii") + u64(version) + kid + nonce + ct


def seal_record(record: CaseRecord, version: int, register_key: bytes, signer: DeviceKeys) -> bytes:
    """The blob of ``record`` at ``version`` (≥ 1), encrypted under the register key and signed."""
    record.check()
    if version < 1:
        raise ValueError("versions start at 1")
    nonce = secrets.token_bytes(24)
    ad = tagged(TAG_REGISTER, record.record_id.encode("ascii") + u64(version))
    ct = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        canonical_json.dumps(record.fields()), ad, nonce, register_key
    )
    kid = key_id_of(register_key)
    sig = sign(TAG_REGISTER, _signed_part(record.record_id, version, kid, nonce, ct), signer.sign_seed)
    return canonical_json.dumps(
        {
            "v": REGISTER_VERSION,
            "id": record.record_id,
            "version": version,
            "key_id": b64e(kid),
            "nonce": b64e(nonce),
            "ct": b64e(ct),
            "signer": b64e(signer.sign_pk),
            "sig": b64e(sig),
        }
    )


def open_record(
    blob: bytes, record_id: str, version: int, register_key: bytes, allowed_signers: Collection[bytes]
) -> OpenedRecord:
    """Verify and decrypt a record blob the relay served as ``record_id`` at ``version``. The signer must
    be one of ``allowed_signers`` (counsellor devices of a verified roster). Raises ProtocolError."""
    if len(blob) > MAX_RECORD_BLOB:
        raise ProtocolError("register record: too large")
    value = canonical_json.loads(blob)
    if not isinstance(value, dict) or value.get("v") != REGISTER_VERSION:
        raise ProtocolError("register record: not a v1 record")
    if value.get("id") != record_id or value.get("version") != version:
        raise ProtocolError("register record: served under another id or version")
    kid = b64d_len(value.get("key_id"), 8, "key_id")
    if kid != key_id_of(register_key):
        raise ProtocolError("register record: sealed under another register key")
    nonce = b64d_len(value.get("nonce"), 24, "nonce")
    ct = b64d(str(value.get("ct")))
    signer = b64d_len(value.get("signer"), 32, "signer")
    sig = b64d_len(value.get("sig"), 64, "sig")
    if signer not in allowed_signers:
        raise ProtocolError("register record: signed by a device no verified roster lists")
    verify(TAG_REGISTER, _signed_part(record_id, version, kid, nonce, ct), sig, signer)
    ad = tagged(TAG_REGISTER, record_id.encode("ascii") + u64(version))
    try:
        plain = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ct, ad, nonce, register_key)
    except nacl.exceptions.CryptoError:
        raise ProtocolError("register record: does not decrypt") from None
    fields = canonical_json.loads(plain)
    if not isinstance(fields, dict) or set(fields) != set(CaseRecord(record_id, "2000-01").fields()):
        raise ProtocolError("register record: unexpected fields")
    try:
        record = CaseRecord(record_id=record_id, **fields)
    except TypeError:
        raise ProtocolError("register record: unexpected fields") from None
    record.check()
    return OpenedRecord(record, version, signer)


@dataclass(frozen=True)
class KeyWrap:
    key_id: bytes
    to_sign_pk: bytes
    wrap: bytes
    signer_sign_pk: bytes
    sig: bytes


def wrap_register_key(register_key: bytes, to_enc_pk: bytes, to_sign_pk: bytes, signer: DeviceKeys) -> bytes:
    """Share the register key with one counsellor device (sealed to its key, signed by ``signer``)."""
    kid = key_id_of(register_key)
    wrap = seal(register_key, to_enc_pk)
    sig = sign(TAG_REGISTER_KEY, kid + to_sign_pk + wrap, signer.sign_seed)
    return canonical_json.dumps(
        {
            "v": REGISTER_VERSION,
            "key_id": b64e(kid),
            "to": b64e(to_sign_pk),
            "wrap": b64e(wrap),
            "signer": b64e(signer.sign_pk),
            "sig": b64e(sig),
        }
    )


def parse_key_wrap(blob: bytes) -> KeyWrap:
    """Strict structural parse of a key wrap (no signature check). Raises ProtocolError."""
    value = canonical_json.loads(blob)
    if not isinstance(value, dict) or value.get("v") != REGISTER_VERSION:
        raise ProtocolError("register key wrap: not a v1 wrap")
    return KeyWrap(
        key_id=b64d_len(value.get("key_id"), 8, "key_id"),
        to_sign_pk=b64d_len(value.get("to"), 32, "to"),
        wrap=b64d_len(value.get("wrap"), KEY_BYTES + 48, "wrap"),
        signer_sign_pk=b64d_len(value.get("signer"), 32, "signer"),
        sig=b64d_len(value.get("sig"), 64, "sig"),
    )


def open_key_wrap(blob: bytes, keys: DeviceKeys, allowed_signers: Collection[bytes]) -> bytes:
    """The register key from a wrap addressed to ``keys``, signed by an allowed counsellor device (a
    relay cannot slip in a key of its own: it has no counsellor device key). Raises ProtocolError."""
    w = parse_key_wrap(blob)
    if w.to_sign_pk != keys.sign_pk:
        raise ProtocolError("register key wrap: addressed to another device")
    if w.signer_sign_pk not in allowed_signers:
        raise ProtocolError("register key wrap: signed by a device no verified roster lists")
    verify(TAG_REGISTER_KEY, w.key_id + w.to_sign_pk + w.wrap, w.sig, w.signer_sign_pk)
    key = seal_open(w.wrap, keys.enc_pk, keys.enc_sk)
    if len(key) != KEY_BYTES or key_id_of(key) != w.key_id:
        raise ProtocolError("register key wrap: the key does not match its id")
    return key
