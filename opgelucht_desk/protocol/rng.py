"""Randomness sources. Production code uses the OS CSPRNG; test vectors inject a deterministic one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import nacl.utils

#: A source of random bytes: `rng(n)` returns `n` bytes.
Rng = Callable[[int], bytes]


def system_rng(n: int) -> bytes:
    """The OS CSPRNG through libsodium's `randombytes_buf`."""
    return bytes(nacl.utils.random(n))


class DeterministicRng:
    """A reproducible byte stream for test vectors only (never for real keys or messages).

    Block i (i = 0, 1, …) is BLAKE2b-512(key = seed, data = u64 BE i); the stream is the blocks concatenated,
    and each call consumes the next `n` bytes of the stream.
    """

    def __init__(self, seed: bytes) -> None:
        if not 16 <= len(seed) <= 64:
            raise ValueError("seed must be 16..64 bytes")
        self._seed = seed
        self._counter = 0
        self._buffer = b""

    def __call__(self, n: int) -> bytes:
        while len(self._buffer) < n:
            block = hashlib.blake2b(self._counter.to_bytes(8, "big"), key=self._seed).digest()
            self._buffer += block
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out


def resolve(rng: Rng | None) -> Rng:
    return system_rng if rng is None else rng
