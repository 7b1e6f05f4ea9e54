"""libsodium's `crypto_box_seal`, re-implemented on PyNaCl's bindings so the ephemeral key is injectable.

seal(pk, m) = epk | crypto_box_easy(m, nonce = BLAKE2b-192(epk | pk), pk, esk), byte-identical to
`crypto_box_seal` for the same ephemeral key; `crypto_box_seal_open` opens it (tested).
"""

from __future__ import annotations

import hashlib

import nacl.bindings as sodium
import nacl.exceptions

from .errors import ProtocolError
from .rng import Rng, resolve

SEAL_OVERHEAD = 48  # ephemeral public key 32 + Poly1305 tag 16


def seal(message: bytes, recipient_pk: bytes, rng: Rng | None = None) -> bytes:
    """Anonymous public-key encryption to `recipient_pk` (X25519)."""
    if len(recipient_pk) != 32:
        raise ValueError("an X25519 public key is 32 bytes")
    esk = resolve(rng)(32)
    epk = bytes(sodium.crypto_scalarmult_base(esk))
    nonce = hashlib.blake2b(epk + recipient_pk, digest_size=24).digest()
    return epk + bytes(sodium.crypto_box_easy(message, nonce, recipient_pk, esk))


def seal_open(sealed: bytes, recipient_pk: bytes, recipient_sk: bytes) -> bytes:
    """Open a sealed box with libsodium's own `crypto_box_seal_open`; raises ProtocolError on failure."""
    if len(sealed) < SEAL_OVERHEAD:
        raise ProtocolError("sealed box too short")
    try:
        return bytes(sodium.crypto_box_seal_open(sealed, recipient_pk, recipient_sk))
    except (nacl.exceptions.CryptoError, ValueError) as exc:
        raise ProtocolError("sealed box does not open") from exc
