"""ISO/IEC 7816-4 padding (libsodium `sodium_pad`) to a small set of length buckets.

Buckets: multiples of 256 bytes up to 4096, then powers of two up to `MAX_PADDED` (512 KiB). Padding
always adds at least one byte (0x80 then zeros), so an input of exactly a bucket's size goes to the next.
"""

from __future__ import annotations

import nacl.bindings as sodium
import nacl.exceptions

from .errors import ProtocolError

BLOCK = 256
LINEAR_LIMIT = 4096
MAX_PADDED = 512 * 1024


def padded_length(length: int) -> int:
    """The bucket a message of `length` bytes pads to; raises ValueError above the maximum."""
    if length < 0:
        raise ValueError("negative length")
    needed = length + 1
    if needed <= LINEAR_LIMIT:
        return max(BLOCK, -(-needed // BLOCK) * BLOCK)
    bucket = LINEAR_LIMIT * 2
    while bucket < needed:
        bucket *= 2
    if bucket > MAX_PADDED:
        raise ValueError(f"message too large to pad (max {MAX_PADDED - 1} bytes)")
    return bucket


def is_bucket(length: int) -> bool:
    """True when `length` is one of the padded lengths."""
    if length <= 0 or length > MAX_PADDED:
        return False
    if length <= LINEAR_LIMIT:
        return length % BLOCK == 0
    return length & (length - 1) == 0


def bucket_lengths() -> list[int]:
    """Every padded length in ascending order."""
    return [length for length in range(BLOCK, LINEAR_LIMIT + 1, BLOCK)] + [
        LINEAR_LIMIT << shift for shift in range(1, 8) if LINEAR_LIMIT << shift <= MAX_PADDED
    ]


def pad(data: bytes) -> bytes:
    """Pad `data` to its bucket with libsodium's `sodium_pad`."""
    target = padded_length(len(data))
    padded = bytes(sodium.sodium_pad(data, target))
    # sodium_pad pads to a multiple of the block size; for the power-of-two buckets we pass the bucket
    # itself as block size, and the result is exactly one bucket because len(data) < target.
    assert len(padded) == target
    return padded


def unpad(padded: bytes) -> bytes:
    """Remove padding; the padded length must be a bucket and the padding canonical (the exact bucket)."""
    if not is_bucket(len(padded)):
        raise ProtocolError("padded length is not a bucket")
    try:
        data = bytes(sodium.sodium_unpad(padded, len(padded)))
    except (nacl.exceptions.CryptoError, ValueError) as exc:
        raise ProtocolError("invalid padding") from exc
    if padded_length(len(data)) != len(padded):
        raise ProtocolError("non-canonical padding")
    return data
