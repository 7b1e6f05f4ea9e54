"""argon2id password hashing (argon2-cffi), run off the event loop."""

from __future__ import annotations

import secrets

import anyio
import anyio.to_thread
import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from opgelucht_relay.config import Settings

MIN_PASSWORD_LENGTH = 12
# At most this many argon2 computations at once (each holds argon2_memory_kib): bounds memory under a
# burst of logins; the others queue.
MAX_CONCURRENT_HASHES = 4


class PasswordHasher:
    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        # Verified against for unknown users, so that they cost as much time as a wrong password.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        self.verifications = 0  # every verify() costs one argon2 computation, known user or not
        self._limiter: anyio.CapacityLimiter | None = None

    def _limit(self) -> anyio.CapacityLimiter:
        if self._limiter is None:  # made inside the event loop on first use
            self._limiter = anyio.CapacityLimiter(MAX_CONCURRENT_HASHES)
        return self._limiter

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordHasher:
        return cls(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
        )

    @property
    def parameters(self) -> argon2.Parameters:
        return argon2.extract_parameters(self._dummy_hash)

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limit())

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def verify(self, stored: str | None, password: str) -> bool:
        """True if ``password`` matches ``stored``; ``None`` (unknown user) costs the same and is False."""
        self.verifications += 1
        if stored is None:
            await anyio.to_thread.run_sync(self._verify, self._dummy_hash, password, limiter=self._limit())
            return False
        return await anyio.to_thread.run_sync(self._verify, stored, password, limiter=self._limit())
