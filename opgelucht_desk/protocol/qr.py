"""The join QR code: `opgelucht://join?relay=<url>&code=<org code>&fp=<32 hex digits>`.

`fp` is the first 128 bits of the org key's fingerprint (`keys.qr_fingerprint`), so the app pins the key.
"""

from __future__ import annotations

import hmac
import re
import urllib.parse
from dataclasses import dataclass

from .errors import ProtocolError
from .keys import qr_fingerprint

SCHEME_PREFIX = "opgelucht://join?"
ORG_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_FP_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class QrJoin:
    """A parsed join QR code."""

    relay_url: str
    org_code: str
    fingerprint: str  # 32 lower-case hex digits

    def matches(self, org_pk: bytes) -> bool:
        """True when `org_pk` is the pinned org key (constant-time compare)."""
        return hmac.compare_digest(qr_fingerprint(org_pk), self.fingerprint)


def validate_relay_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname or parts.query or parts.fragment:
        raise ProtocolError("relay URL must be http(s)://host[:port][/path]")
    if parts.scheme == "http" and parts.hostname not in {"localhost", "127.0.0.1", "::1"}:
        raise ProtocolError("plain http is allowed for loopback relays only")
    return url.rstrip("/")


def validate_org_code(code: str) -> str:
    if not ORG_CODE_RE.fullmatch(code):
        raise ProtocolError("org code must be 1..64 characters of A-Z a-z 0-9 _ -, starting alphanumeric")
    return code


def qr_payload(relay_url: str, org_code: str, org_pk: bytes) -> str:
    """The text of the join QR code."""
    query = urllib.parse.urlencode(
        [
            ("relay", validate_relay_url(relay_url)),
            ("code", validate_org_code(org_code)),
            ("fp", qr_fingerprint(org_pk)),
        ]
    )
    return SCHEME_PREFIX + query


def parse_qr_payload(text: str) -> QrJoin:
    """Strict parse of a join QR code; raises ProtocolError."""
    if not isinstance(text, str) or not text.startswith(SCHEME_PREFIX):
        raise ProtocolError("not an Opgelucht join code")
    try:
        pairs = urllib.parse.parse_qsl(
            text[len(SCHEME_PREFIX) :], keep_blank_values=True, strict_parsing=True
        )
    except ValueError as exc:
        raise ProtocolError("malformed join code") from exc
    fields = dict(pairs)
    if len(pairs) != 3 or set(fields) != {"relay", "code", "fp"}:
        raise ProtocolError("join code needs exactly relay, code and fp")
    if not _FP_RE.fullmatch(fields["fp"]):
        raise ProtocolError("fp must be 32 lower-case hex digits")
    return QrJoin(
        relay_url=validate_relay_url(fields["relay"]),
        org_code=validate_org_code(fields["code"]),
        fingerprint=fields["fp"],
    )
