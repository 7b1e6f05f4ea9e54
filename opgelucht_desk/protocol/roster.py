"""The org-signed roster of counsellors and their devices (DESIGN.md §2, docs/protocol.md "Roster").

The body is canonical JSON signed with tag "opg/roster/v1" by the org key. Verifiers check the signature
over the exact body bytes and only then parse them strictly; they never re-serialise. Each device entry
is signed by its counsellor's identity key ("opg/device/v1") and counter-signed by the device itself
("opg/device-self/v1"); only devices whose two signatures verify are ever recipients.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import canonical_json
from .encoding import (
    PERSON_ROSTER,
    TAG_DEVICE,
    TAG_DEVICE_SELF,
    TAG_ORGKEY,
    TAG_ROSTER,
    b64d,
    b64d_len,
    b64e,
    blake2b_256,
    parse_uuid,
)
from .errors import ProtocolError, RosterError, SignatureError
from .keys import DeviceKeys, key_id, signing_public_key
from .signing import sign, verify

ROSTER_FORMAT = 1
DISPLAY_NAME_MAX = 100
MAX_COUNSELLORS = 256
MAX_DEVICES_PER_COUNSELLOR = 16
ZERO_HASH = bytes(32)
_MAX_U32 = 2**32 - 1
_MAX_TIME = 2**40
_DEVICE_KEYS = {"device_id", "enc_pk", "identity_sig", "self_sig", "sign_pk"}
_COUNSELLOR_KEYS = {"counsellor_id", "devices", "display_name", "identity_key"}
# Optional, signed like the rest (docs/protocol.md §8 "Counsellor presentation"): omitted when empty, so
# a roster without them is byte-identical to a v1 roster of before.
_COUNSELLOR_OPTIONAL = {"role", "intro", "availability"}
ROLE_MAX = 40
INTRO_MAX = 600
AVAILABILITY_MAX = 200
LANGUAGES = ("nl", "en")
_ROSTER_KEYS = {"counsellors", "expires", "issued", "org_id", "prev_hash", "v", "version"}


def _device_message(device_id: uuid.UUID, enc_pk: bytes, sign_pk: bytes) -> bytes:
    return device_id.bytes + enc_pk + sign_pk


@functools.lru_cache(maxsize=4096)
def _device_signatures_valid(
    identity_key: bytes,
    device_id: uuid.UUID,
    enc_pk: bytes,
    sign_pk: bytes,
    identity_sig: bytes,
    self_sig: bytes,
) -> bool:
    message = _device_message(device_id, enc_pk, sign_pk)
    try:
        verify(TAG_DEVICE, message, identity_sig, identity_key)
        verify(TAG_DEVICE_SELF, identity_key + message, self_sig, sign_pk)
    except SignatureError:
        return False
    return True


@dataclass(frozen=True)
class DeviceEntry:
    """One counsellor device: also the `DeviceBundle` of docs/api.md."""

    device_id: uuid.UUID
    enc_pk: bytes
    sign_pk: bytes
    identity_sig: bytes
    self_sig: bytes

    def verifies(self, identity_key: bytes) -> bool:
        """Both signatures: the identity key over the entry, the device over identity key + entry."""
        return _device_signatures_valid(
            identity_key, self.device_id, self.enc_pk, self.sign_pk, self.identity_sig, self.self_sig
        )

    def to_json(self) -> dict[str, str]:
        return {
            "device_id": str(self.device_id),
            "enc_pk": b64e(self.enc_pk),
            "sign_pk": b64e(self.sign_pk),
            "identity_sig": b64e(self.identity_sig),
            "self_sig": b64e(self.self_sig),
        }

    @classmethod
    def from_json(cls, value: Any) -> DeviceEntry:
        """Strict decode; raises ProtocolError."""
        obj = canonical_json.require_object(value, _DEVICE_KEYS, "device")
        return cls(
            device_id=parse_uuid(obj["device_id"], "device_id"),
            enc_pk=b64d_len(obj["enc_pk"], 32, "enc_pk"),
            sign_pk=b64d_len(obj["sign_pk"], 32, "sign_pk"),
            identity_sig=b64d_len(obj["identity_sig"], 64, "identity_sig"),
            self_sig=b64d_len(obj["self_sig"], 64, "self_sig"),
        )


def make_device_entry(identity_seed: bytes, device_keys: DeviceKeys, device_id: uuid.UUID) -> DeviceEntry:
    """Sign a device with the counsellor's identity key and counter-sign it with the device's own key."""
    message = _device_message(device_id, device_keys.enc_pk, device_keys.sign_pk)
    identity_key = signing_public_key(identity_seed)
    return DeviceEntry(
        device_id=device_id,
        enc_pk=device_keys.enc_pk,
        sign_pk=device_keys.sign_pk,
        identity_sig=sign(TAG_DEVICE, message, identity_seed),
        self_sig=sign(TAG_DEVICE_SELF, identity_key + message, device_keys.sign_seed),
    )


Texts = tuple[tuple[str, str], ...]  # ((language, text), ...) in LANGUAGES order; empty: not set


def texts(value: dict[str, str | None] | None) -> Texts:
    """A {language: text} mapping as the sorted, non-empty pairs a roster entry keeps."""
    given = {lang: (text or "").strip() for lang, text in (value or {}).items()}
    return tuple((lang, given[lang]) for lang in LANGUAGES if given.get(lang))


def _texts_from_json(value: Any, what: str, max_len: int) -> Texts:
    if not isinstance(value, dict) or not value or not set(value) <= set(LANGUAGES):
        raise ProtocolError(f"{what}: expected an object with keys among {list(LANGUAGES)}")
    out = tuple(
        (lang, canonical_json.require_str(value[lang], what, max_len)) for lang in LANGUAGES if lang in value
    )
    for _lang, text in out:
        if text != text.strip():
            raise ProtocolError(f"{what}: surrounding white space")
    return out


@dataclass(frozen=True)
class CounsellorEntry:
    counsellor_id: uuid.UUID
    display_name: str
    identity_key: bytes
    devices: tuple[DeviceEntry, ...]
    role: str | None = None  # e.g. "intern" / "extern", as the counsellor entered it
    intro: Texts = ()  # a short introduction, per language
    availability: Texts = ()  # e.g. (("nl", "afwezig tot 12 januari"),)

    def valid_devices(self) -> Iterator[DeviceEntry]:
        return (device for device in self.devices if device.verifies(self.identity_key))

    def text(self, field: str, language: str = "nl") -> str:
        """``intro`` or ``availability`` in ``language``, else in the other language, else ""."""
        pairs = dict(self.intro if field == "intro" else self.availability)
        return pairs.get(language) or next(iter(pairs.values()), "")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "counsellor_id": str(self.counsellor_id),
            "display_name": self.display_name,
            "identity_key": b64e(self.identity_key),
            "devices": [device.to_json() for device in self.devices],
        }
        if self.role:
            out["role"] = self.role
        if self.intro:
            out["intro"] = dict(self.intro)
        if self.availability:
            out["availability"] = dict(self.availability)
        return out

    @classmethod
    def from_json(cls, value: Any) -> CounsellorEntry:
        if not isinstance(value, dict):
            raise ProtocolError("counsellor: expected an object")
        present = set(value)
        if not present >= _COUNSELLOR_KEYS or not present <= _COUNSELLOR_KEYS | _COUNSELLOR_OPTIONAL:
            raise ProtocolError(f"counsellor: unexpected keys {sorted(present)}")
        obj = value
        devices = obj["devices"]
        if not isinstance(devices, list) or len(devices) > MAX_DEVICES_PER_COUNSELLOR:
            raise ProtocolError(f"devices: expected a list of at most {MAX_DEVICES_PER_COUNSELLOR}")
        role = None
        if "role" in obj:
            role = canonical_json.require_str(obj["role"], "role", ROLE_MAX)
            if role != role.strip():
                raise ProtocolError("role: surrounding white space")
        return cls(
            counsellor_id=parse_uuid(obj["counsellor_id"], "counsellor_id"),
            display_name=canonical_json.require_str(obj["display_name"], "display_name", DISPLAY_NAME_MAX),
            identity_key=b64d_len(obj["identity_key"], 32, "identity_key"),
            devices=tuple(DeviceEntry.from_json(device) for device in devices),
            role=role,
            intro=_texts_from_json(obj["intro"], "intro", INTRO_MAX) if "intro" in obj else (),
            availability=(
                _texts_from_json(obj["availability"], "availability", AVAILABILITY_MAX)
                if "availability" in obj
                else ()
            ),
        )


@dataclass(frozen=True)
class Roster:
    """The parsed roster body."""

    org_id: uuid.UUID
    version: int
    prev_hash: bytes  # roster_hash of version - 1; 32 zero bytes for version 1
    issued: int
    expires: int
    counsellors: tuple[CounsellorEntry, ...]

    def to_body(self) -> bytes:
        """The canonical JSON body to sign."""
        return canonical_json.dumps(
            {
                "v": ROSTER_FORMAT,
                "org_id": str(self.org_id),
                "version": self.version,
                "prev_hash": b64e(self.prev_hash),
                "issued": self.issued,
                "expires": self.expires,
                "counsellors": [counsellor.to_json() for counsellor in self.counsellors],
            }
        )

    def is_expired(self, now: int) -> bool:
        return now >= self.expires

    def valid_devices(self) -> Iterator[tuple[CounsellorEntry, DeviceEntry]]:
        """Every (counsellor, device) whose device signatures verify."""
        for counsellor in self.counsellors:
            for device in counsellor.valid_devices():
                yield counsellor, device

    def recipient_keys(self) -> list[bytes]:
        """X25519 keys of every device whose signatures verify (never a device that fails them)."""
        return [device.enc_pk for _counsellor, device in self.valid_devices()]

    def counsellor(self, counsellor_id: uuid.UUID) -> CounsellorEntry | None:
        for counsellor in self.counsellors:
            if counsellor.counsellor_id == counsellor_id:
                return counsellor
        return None

    def member_keys(self, members: Iterable[uuid.UUID] | None) -> list[bytes]:
        """X25519 keys of the valid devices of ``members`` (None: every counsellor, as
        ``recipient_keys``): whom a conversation with that recipient set is wrapped to."""
        if members is None:
            return self.recipient_keys()
        chosen = set(members)
        return [d.enc_pk for c, d in self.valid_devices() if c.counsellor_id in chosen]

    def device_by_sign_pk(self, sign_pk: bytes) -> tuple[CounsellorEntry, DeviceEntry] | None:
        """The valid device with this signing key: how the desktop and the reporter identify a sender."""
        for counsellor, device in self.valid_devices():
            if device.sign_pk == sign_pk:
                return counsellor, device
        return None


@dataclass(frozen=True)
class SignedRoster:
    """Roster body bytes exactly as signed, and the org key's signature over them."""

    body: bytes
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"body": b64e(self.body), "sig": b64e(self.sig)}

    @classmethod
    def from_json(cls, value: Any) -> SignedRoster:
        """Strict decode of `{"body": b64, "sig": b64}`; raises RosterError("malformed")."""
        try:
            obj = canonical_json.require_object(value, {"body", "sig"}, "signed roster")
            if not isinstance(obj["body"], str):
                raise ProtocolError("body must be base64")
            return cls(body=b64d(obj["body"]), sig=b64d_len(obj["sig"], 64, "sig"))
        except ProtocolError as exc:
            raise RosterError("malformed", str(exc)) from exc


def sign_roster(roster: Roster, org_seed: bytes) -> SignedRoster:
    body = roster.to_body()
    return SignedRoster(body=body, sig=sign(TAG_ROSTER, body, org_seed))


def roster_hash(signed: SignedRoster) -> bytes:
    """BLAKE2b-256(body, person="opg/roster/v1"): identifies a roster version (prev_hash, fork check,
    the roster_hash field of every envelope)."""
    return blake2b_256(signed.body, PERSON_ROSTER)


def parse_roster_body(body: bytes) -> Roster:
    """Strict parse of roster body bytes (no signature check); raises RosterError("malformed")."""
    try:
        obj = canonical_json.require_object(canonical_json.loads(body), _ROSTER_KEYS, "roster")
        if canonical_json.require_int(obj["v"], "v", ROSTER_FORMAT, ROSTER_FORMAT) != ROSTER_FORMAT:
            raise ProtocolError("unknown roster format")
        counsellors = obj["counsellors"]
        if not isinstance(counsellors, list) or len(counsellors) > MAX_COUNSELLORS:
            raise ProtocolError(f"counsellors: expected a list of at most {MAX_COUNSELLORS}")
        roster = Roster(
            org_id=parse_uuid(obj["org_id"], "org_id"),
            version=canonical_json.require_int(obj["version"], "version", 1, _MAX_U32),
            prev_hash=b64d_len(obj["prev_hash"], 32, "prev_hash"),
            issued=canonical_json.require_int(obj["issued"], "issued", 0, _MAX_TIME),
            expires=canonical_json.require_int(obj["expires"], "expires", 0, _MAX_TIME),
            counsellors=tuple(CounsellorEntry.from_json(c) for c in counsellors),
        )
    except ProtocolError as exc:
        raise RosterError("malformed", str(exc)) from exc
    _check_consistency(roster)
    return roster


def _check_consistency(roster: Roster) -> None:
    if roster.expires <= roster.issued:
        raise RosterError("malformed", "expires must be after issued")
    if roster.version == 1 and roster.prev_hash != ZERO_HASH:
        raise RosterError("malformed", "version 1 must have a zero prev_hash")
    counsellor_ids = [c.counsellor_id for c in roster.counsellors]
    devices = [d for c in roster.counsellors for d in c.devices]
    if len(set(counsellor_ids)) != len(counsellor_ids):
        raise RosterError("malformed", "duplicate counsellor id")
    for values, what in (
        ([d.device_id for d in devices], "device id"),
        ([key_id(d.enc_pk) for d in devices], "device encryption key id"),
        ([d.sign_pk for d in devices], "device signing key"),
    ):
        if len(set(values)) != len(values):
            raise RosterError("malformed", f"duplicate {what}")


def _verify_signature(signed: SignedRoster, org_pk: bytes) -> Roster:
    try:
        verify(TAG_ROSTER, signed.body, signed.sig, org_pk)
    except SignatureError as exc:
        raise RosterError("bad_signature", "the org key did not sign this roster") from exc
    return parse_roster_body(signed.body)


def verify_roster(signed: SignedRoster, org_pk: bytes, *, now: int) -> Roster:
    """Check the org signature over the exact body bytes, parse strictly, refuse an expired roster.

    Device entries are checked individually: a device whose signatures fail stays in the parsed roster
    (so the UI can warn) but is never yielded by `recipient_keys` / `valid_devices`. Raises RosterError."""
    roster = _verify_signature(signed, org_pk)
    if roster.is_expired(now):
        raise RosterError("expired", "the roster has expired")
    return roster


def make_org_key_certificate(old_seed: bytes, new_pk: bytes) -> bytes:
    """The old org key's signature over tagged("opg/orgkey/v1", new org public key)."""
    if len(new_pk) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return sign(TAG_ORGKEY, new_pk, old_seed)


def verify_org_key_certificate(old_pk: bytes, new_pk: bytes, cert: bytes) -> None:
    """Raises RosterError("org_key_change") unless `cert` is the old key's certificate for `new_pk`."""
    try:
        verify(TAG_ORGKEY, new_pk, cert, old_pk)
    except SignatureError as exc:
        raise RosterError("org_key_change", "org key change without a valid certificate") from exc


def follow_org_key_chain(pinned_pk: bytes, org_key: bytes, chain: object) -> list[tuple[bytes, bytes]]:
    """The verified steps ``(new_pk, certificate)`` from the pinned org key to the relay's ``org_key``.

    ``chain`` is the relay's ``org_key_chain`` JSON (``[{"old_key", "new_key", "certificate"}]``, oldest
    first). Links before the pinned key are skipped; from there every link must be the previous key's
    certificate. Raises RosterError("org_key_change") when no valid chain leads to ``org_key`` (a key
    change without a certificate from the pinned key fails hard) and RosterError("malformed") for bad
    JSON. Returns [] when ``org_key`` is the pinned key."""
    if not isinstance(chain, list):
        raise RosterError("malformed", "org_key_chain is not a list")
    steps: list[tuple[bytes, bytes]] = []
    current = pinned_pk
    for link in chain:
        if current == org_key:
            break
        if not isinstance(link, dict):
            raise RosterError("malformed", "org_key_chain link is not an object")
        try:
            old = b64d_len(link["old_key"], 32, "old_key")
            new = b64d_len(link["new_key"], 32, "new_key")
            cert = b64d_len(link["certificate"], 64, "certificate")
        except (KeyError, ProtocolError) as exc:
            raise RosterError("malformed", "malformed org_key_chain link") from exc
        if old != current:
            continue
        verify_org_key_certificate(old, new, cert)
        steps.append((new, cert))
        current = new
    if current != org_key:
        raise RosterError("org_key_change", "org key change without a valid certificate chain")
    return steps


class RosterTracker:
    """Client-side roster state: refuses rollback, forks, bad signatures, expired rosters and unproven
    org key changes. Persist `org_pk` and `current_signed` and pass them back in to resume."""

    def __init__(self, org_pk: bytes, current: SignedRoster | None = None) -> None:
        if len(org_pk) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")
        self.org_pk = org_pk
        self._signed: SignedRoster | None = None
        self._roster: Roster | None = None
        self._seen: dict[int, bytes] = {}
        if current is not None:
            roster = _verify_signature(current, org_pk)
            self._set(current, roster)

    def _set(self, signed: SignedRoster, roster: Roster) -> None:
        self._signed, self._roster = signed, roster
        self._seen[roster.version] = roster_hash(signed)

    @property
    def current(self) -> Roster | None:
        return self._roster

    @property
    def current_signed(self) -> SignedRoster | None:
        return self._signed

    @property
    def current_hash(self) -> bytes | None:
        return None if self._signed is None else roster_hash(self._signed)

    def accept(self, signed: SignedRoster, now: int) -> Roster:
        """Verify and adopt `signed`; returns the current roster. Raises RosterError:
        bad_signature / malformed, rollback (lower version), fork (same version other hash, another
        org, or a next version that does not chain to the current one), expired."""
        roster = _verify_signature(signed, self.org_pk)
        new_hash = roster_hash(signed)
        seen_hash = self._seen.get(roster.version)
        if seen_hash is not None and seen_hash != new_hash:
            raise RosterError("fork", f"two different rosters with version {roster.version}")
        current, current_hash = self._roster, self.current_hash
        if current is not None and current_hash is not None:
            if roster.org_id != current.org_id:
                raise RosterError("fork", "roster of another organisation")
            if roster.version < current.version:
                raise RosterError("rollback", f"version {roster.version} < current {current.version}")
            if roster.version == current.version + 1 and roster.prev_hash != current_hash:
                raise RosterError("fork", "next roster does not chain to the current one")
        if roster.is_expired(now):
            raise RosterError("expired", "the roster has expired")
        if current is None or roster.version > current.version:
            self._set(signed, roster)
        assert self._roster is not None
        return self._roster

    def require_sendable(self, now: int) -> Roster:
        """The roster to encrypt to; raises RosterError("expired") when there is none or it expired."""
        if self._roster is None:
            raise RosterError("expired", "no roster yet")
        if self._roster.is_expired(now):
            raise RosterError("expired", "the roster has expired; fetch a new one")
        return self._roster

    def change_org_key(self, new_pk: bytes, certificate: bytes) -> None:
        """Switch to a new org key, only with the old key's certificate (else RosterError, no change)."""
        if len(new_pk) != 32:
            raise RosterError("org_key_change", "malformed new key")
        verify_org_key_certificate(self.org_pk, new_pk, certificate)
        self.org_pk = new_pk
