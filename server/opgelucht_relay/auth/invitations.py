"""Invitation codes a person can read out over the phone: Crockford base32 (no I, L, O, U), 120 random bits,
one Luhn mod 32 check character, in five groups of five (``7K2QD-M9XAF-...``).

Typed input is read leniently: any case, spaces and dashes ignored, O read as 0 and I/L as 1 (Crockford's
decoding). Only a SHA-256 of the canonical form (25 characters, no dashes) is stored.
"""

from __future__ import annotations

import re
import secrets

from opgelucht_relay.auth.tokens import token_hash
from opgelucht_relay.errors import BadRequest

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_N = len(ALPHABET)  # 32
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
PAYLOAD_LENGTH = 24  # 24 × 5 = 120 random bits
GROUP = 5
INVITATION_RE = re.compile(rf"[{re.escape(ALPHABET)}]{{{GROUP}}}(-[{re.escape(ALPHABET)}]{{{GROUP}}}){{4}}")


def _luhn_sum(symbols: str, double_first: bool) -> int:
    """Luhn mod N over ``symbols`` from the right, doubling every other value."""
    total, double = 0, double_first
    for ch in reversed(symbols):
        value = _VALUE[ch] * (2 if double else 1)
        total += value // _N + value % _N
        double = not double
    return total


def check_character(payload: str) -> str:
    """The check character that makes ``payload + check`` pass ``_valid``."""
    return ALPHABET[(_N - _luhn_sum(payload, double_first=True) % _N) % _N]


def _valid(code: str) -> bool:
    return _luhn_sum(code, double_first=False) % _N == 0


class InvitationCodeError(BadRequest, ValueError):
    """Typed text that cannot be an invitation code. A ``BadRequest`` for the API; also a ``ValueError``
    for callers of the parser outside the relay (scripts/start_checks.py)."""


def new_invitation() -> str:
    """A fresh invitation code in its grouped display form."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    code = payload + check_character(payload)
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def parse_invitation(typed: str) -> str:
    """The canonical form (25 characters, no dashes) of a typed invitation code.

    Raises ``InvitationCodeError`` (a 400 ``bad_request`` and a ``ValueError``) with a message for the
    person typing: not an invitation code at all, or a mistyped character (the check character does
    not match).
    """
    code = re.sub(r"[\s\-]+", "", typed).upper().translate(_READ_AS)
    if len(code) != PAYLOAD_LENGTH + 1 or not all(ch in _VALUE for ch in code):
        raise InvitationCodeError(
            f"This is not an invitation code: it has {PAYLOAD_LENGTH + 1} letters and digits "
            f"in groups of {GROUP}."
        )
    if not _valid(code):
        raise InvitationCodeError(
            "The invitation code's check character does not match: a character was mistyped."
        )
    return code


_LEGACY = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url invitations issued before this format (7 days at most)


def invitation_hash(typed: str) -> bytes:
    """The stored hash an invitation is looked up by; ``InvitationCodeError`` (see ``parse_invitation``)
    when the input cannot be one."""
    legacy = typed.strip()
    if _LEGACY.fullmatch(legacy):
        return token_hash(legacy)
    return token_hash(parse_invitation(typed))
