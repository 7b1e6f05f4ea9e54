"""Domain-separated Ed25519 signatures: every signature covers `tagged(tag, msg)`."""

from __future__ import annotations

import nacl.bindings as sodium
import nacl.exceptions

from .encoding import tagged
from .errors import SignatureError

SIGNATURE_BYTES = 64
SIGN_PK_BYTES = 32
SEED_BYTES = 32


def _secret_key(seed: bytes) -> bytes:
    if len(seed) != SEED_BYTES:
        raise ValueError("an Ed25519 seed is 32 bytes")
    _pk, sk = sodium.crypto_sign_seed_keypair(seed)
    return bytes(sk)


def sign(tag: str, msg: bytes, seed: bytes) -> bytes:
    """Detached Ed25519 signature (64 bytes) over `tagged(tag, msg)` with the key derived from `seed`."""
    signed = sodium.crypto_sign(tagged(tag, msg), _secret_key(seed))
    return bytes(signed[:SIGNATURE_BYTES])


def verify(tag: str, msg: bytes, sig: bytes, pk: bytes) -> None:
    """Verify a detached signature over `tagged(tag, msg)`; raises `SignatureError` on any failure."""
    if len(sig) != SIGNATURE_BYTES or len(pk) != SIGN_PK_BYTES:
        raise SignatureError("malformed signature or key")
    try:
        sodium.crypto_sign_open(sig + tagged(tag, msg), pk)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError) as exc:
        raise SignatureError("signature does not verify") from exc
