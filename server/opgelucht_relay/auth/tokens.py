"""Random secrets handed out once (session tokens, invitations, enrolment tokens), stored as SHA-256."""

from __future__ import annotations

import base64
import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    """32 random bytes, base64url without padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).rstrip(b"=").decode()


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
