"""Signed device requests (docs/api.md, "Reporter devices: signed requests") and the registration proof.

Signed bytes: tagged("opg/request/v1", canonical), canonical = UTF-8 of six lines joined by "\\n":
METHOD, path with query exactly as sent, hex SHA-256 of the raw body, timestamp, nonce (as sent), device
UUID. Replay detection of the nonce is the relay's job.

A counsellor's login names the desk's device and proves it holds the device's signing key: a signature
under tag "opg/login/v1" over the canonical JSON ``{"device_id", "totp_code", "username"}`` (username
case-folded, as the relay compares it). The TOTP code is single-use on the relay, so the signature
cannot be replayed.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import nacl.utils

from . import canonical_json
from .encoding import TAG_LOGIN, TAG_REGISTER, TAG_REQUEST, b64d, b64e, parse_uuid
from .errors import ProtocolError, RequestAuthError, SignatureError
from .signing import sign, verify

HEADER_DEVICE = "Opg-Device"
HEADER_TIMESTAMP = "Opg-Timestamp"
HEADER_NONCE = "Opg-Nonce"
HEADER_SIGNATURE = "Opg-Signature"
NONCE_BYTES = 16
DEFAULT_WINDOW = 300
_TIMESTAMP_RE = re.compile(r"^(0|[1-9][0-9]{0,11})$")
_METHOD_RE = re.compile(r"^[A-Z]{1,16}$")


@dataclass(frozen=True)
class RequestHeaders:
    """The four `Opg-*` headers, parsed strictly."""

    device_id: uuid.UUID
    timestamp: int
    nonce: str
    signature: bytes


def canonical_request(
    method: str, path: str, body: bytes, timestamp: int, nonce: str, device_id: uuid.UUID
) -> bytes:
    """The six canonical lines (without the tag)."""
    method = method.upper()
    if not _METHOD_RE.fullmatch(method):
        raise ValueError("invalid HTTP method")
    if "\n" in path or "\r" in path:
        raise ValueError("path contains a line break")
    lines = [method, path, hashlib.sha256(body).hexdigest(), str(timestamp), nonce, str(device_id)]
    return "\n".join(lines).encode("utf-8")


def sign_request(
    device_id: uuid.UUID,
    sign_seed: bytes,
    method: str,
    path: str,
    body: bytes,
    *,
    now: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four `Opg-*` headers for a request (`path` includes the query string exactly as sent)."""
    timestamp = int(time.time()) if now is None else now
    nonce = b64e(nacl.utils.random(NONCE_BYTES)) if nonce is None else nonce
    message = canonical_request(method, path, body, timestamp, nonce, device_id)
    return {
        HEADER_DEVICE: str(device_id),
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: b64e(sign(TAG_REQUEST, message, sign_seed)),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    found = [value for key, value in headers.items() if isinstance(key, str) and key.lower() == wanted]
    if len(found) != 1 or not isinstance(found[0], str):
        raise RequestAuthError("bad_signature", f"missing or repeated {name}")
    return found[0]


def parse_request_headers(headers: Mapping[str, str]) -> RequestHeaders:
    """Parse the `Opg-*` headers (case-insensitive names) so the relay can look up the device's key.

    Raises RequestAuthError("bad_signature") for a missing or malformed header."""
    try:
        device_id = parse_uuid(_header(headers, HEADER_DEVICE), HEADER_DEVICE)
        timestamp_text = _header(headers, HEADER_TIMESTAMP)
        if not _TIMESTAMP_RE.fullmatch(timestamp_text):
            raise RequestAuthError("bad_signature", "malformed timestamp")
        nonce = _header(headers, HEADER_NONCE)
        if len(b64d(nonce)) != NONCE_BYTES:
            raise RequestAuthError("bad_signature", "nonce must be 16 bytes")
        signature = b64d(_header(headers, HEADER_SIGNATURE))
    except RequestAuthError:
        raise
    except ProtocolError as exc:
        raise RequestAuthError("bad_signature", str(exc)) from exc
    if len(signature) != 64:
        raise RequestAuthError("bad_signature", "signature must be 64 bytes")
    return RequestHeaders(
        device_id=device_id, timestamp=int(timestamp_text), nonce=nonce, signature=signature
    )


def verify_request(
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    sign_pk: bytes,
    *,
    now: int,
    window: int = DEFAULT_WINDOW,
) -> tuple[uuid.UUID, int, str]:
    """Verify a signed request; returns (device_id, timestamp, nonce) for the relay's replay check.

    Raises RequestAuthError: "bad_signature" (missing, malformed or invalid) or "clock_skew"
    (|now - timestamp| > window).
    The signature is checked first, so a forged request never learns about the clock."""
    return verify_parsed(parse_request_headers(headers), method, path, body, sign_pk, now=now, window=window)


def verify_parsed(
    parsed: RequestHeaders,
    method: str,
    path: str,
    body: bytes,
    sign_pk: bytes,
    *,
    now: int,
    window: int = DEFAULT_WINDOW,
) -> tuple[uuid.UUID, int, str]:
    """:func:`verify_request` for headers parsed already (the relay parses them once: it needs the
    device id to find the key); the same checks in the same order."""
    try:
        message = canonical_request(method, path, body, parsed.timestamp, parsed.nonce, parsed.device_id)
        verify(TAG_REQUEST, message, parsed.signature, sign_pk)
    except (SignatureError, ValueError) as exc:
        raise RequestAuthError("bad_signature", "signature does not verify") from exc
    if abs(now - parsed.timestamp) > window:
        raise RequestAuthError("clock_skew", "timestamp outside the accepted window")
    return parsed.device_id, parsed.timestamp, parsed.nonce


def _register_message(device_id: uuid.UUID, enc_pk: bytes, sign_pk: bytes, org_code: str) -> bytes:
    if len(enc_pk) != 32 or len(sign_pk) != 32:
        raise ValueError("device public keys are 32 bytes each")
    return device_id.bytes + enc_pk + sign_pk + org_code.encode("utf-8")


def register_proof(
    device_id: uuid.UUID, enc_pk: bytes, sign_pk: bytes, org_code: str, sign_seed: bytes
) -> bytes:
    """Proof of possession for `POST /v1/devices`: Ed25519 by the device's signing key over
    tagged("opg/register/v1", device_id 16 | enc_pk | sign_pk | org_code UTF-8)."""
    return sign(TAG_REGISTER, _register_message(device_id, enc_pk, sign_pk, org_code), sign_seed)


def verify_register_proof(
    device_id: uuid.UUID, enc_pk: bytes, sign_pk: bytes, org_code: str, proof: bytes
) -> None:
    """Raises SignatureError when the proof does not verify under `sign_pk`."""
    try:
        message = _register_message(device_id, enc_pk, sign_pk, org_code)
    except ValueError as exc:
        raise SignatureError(str(exc)) from exc
    verify(TAG_REGISTER, message, proof, sign_pk)


def login_transcript(username: str, totp_code: str, device_id: uuid.UUID) -> bytes:
    """What a counsellor device signs to log in (without the tag): canonical JSON of the case-folded
    username, the TOTP code exactly as sent, and the device id."""
    return canonical_json.dumps(
        {"device_id": str(device_id), "totp_code": totp_code, "username": username.casefold()}
    )


def sign_login(username: str, totp_code: str, device_id: uuid.UUID, sign_seed: bytes) -> bytes:
    """The device's ``opg/login/v1`` signature (64 bytes) for a login with this username and code."""
    return sign(TAG_LOGIN, login_transcript(username, totp_code, device_id), sign_seed)


def login_signature_valid(
    username: str, totp_code: str, device_id: uuid.UUID, signature: bytes, sign_pk: bytes
) -> bool:
    """Whether ``signature`` is the device's ``opg/login/v1`` signature for this login."""
    try:
        verify(TAG_LOGIN, login_transcript(username, totp_code, device_id), signature, sign_pk)
    except (SignatureError, ValueError):
        return False
    return True
