"""TOTP (pyotp, 30 s steps, 6 digits, one step of drift either way) that reports the matched time-step."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER = "Opgelucht"
VALID_WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time-step whose code equals ``code`` within the valid window, or None.

    Same acceptance as ``pyotp.TOTP.verify(code, now, valid_window=1)``, but the caller learns which step
    matched so that the replay guard can store it.
    """
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            found = current + offset  # keep looping: constant work per call
    return found


def code_at(secret: str, when: datetime) -> str:
    """The code an authenticator app shows at ``when`` (tests and the enrolment helpers)."""
    return pyotp.TOTP(secret).at(when)
