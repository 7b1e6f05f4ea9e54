"""The protocol's exception types.

Everything the protocol package raises on bad input is a `ProtocolError`. Envelope failures are one
opaque type toward the outside (`str()` is always "envelope rejected") with a precise `.reason` that the
desktop keeps in its local verification state only.
"""

from __future__ import annotations

from typing import Literal

RosterErrorKind = Literal["bad_signature", "rollback", "fork", "expired", "org_key_change", "malformed"]
RequestAuthCode = Literal["bad_signature", "clock_skew"]


class ProtocolError(Exception):
    """Base class of every error the protocol package raises for bad input."""


class EnvelopeError(ProtocolError):
    """An envelope failed parsing, decryption or verification.

    `str()` is deliberately opaque; `.reason` names the precise check (see docs/protocol.md).
    """

    def __init__(self, reason: str) -> None:
        super().__init__("envelope rejected")
        self.reason = reason

    def __repr__(self) -> str:
        return f"EnvelopeError(reason={self.reason!r})"


class SignatureError(ProtocolError):
    """A domain-separated Ed25519 signature did not verify (or was malformed)."""


class RosterError(ProtocolError):
    """A roster was refused; `.kind` says why."""

    def __init__(self, kind: RosterErrorKind, detail: str = "") -> None:
        super().__init__(f"roster rejected: {kind}" + (f" ({detail})" if detail else ""))
        self.kind: RosterErrorKind = kind
        self.detail = detail


class RequestAuthError(ProtocolError):
    """A device request signature was missing, malformed, invalid or outside the clock window."""

    def __init__(self, code: RequestAuthCode, detail: str = "") -> None:
        super().__init__(f"request authentication failed: {code}" + (f" ({detail})" if detail else ""))
        self.code: RequestAuthCode = code
        self.detail = detail
