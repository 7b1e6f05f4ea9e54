"""Throttling in memory: logins per account name (back-off) and per client address (sliding window);
requests per client address (token bucket, ``AddressBucket``).

Nothing here is stored: addresses are only kept as keyed hashes in this process's memory, in tables of
bounded size. Several relay instances (or ``serve --workers``) each keep their own counters
(documented in docs/relay.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil
from typing import Generic, TypeVar

from server.config import Settings

_MAX_TRACKED = 50_000  # bounded memory: the oldest entries are forgotten first

V = TypeVar("V")


@dataclass
class AddressTable(Generic[V]):
    """Per-address state keyed by an HMAC of the address under a per-process random key (the address
    itself is never kept), least recently used first, at most ``_MAX_TRACKED`` entries."""

    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _entries: OrderedDict[bytes, V] = field(default_factory=OrderedDict)

    def key(self, address: str | None) -> bytes:
        return hmac.new(self._key, (address or "").encode(), hashlib.sha256).digest()

    def get(self, address: str | None) -> V | None:
        return self._entries.get(self.key(address))

    def take(self, address: str | None) -> V | None:
        """Remove and return the entry (put it back with ``put`` to mark it most recently used)."""
        return self._entries.pop(self.key(address), None)

    def put(self, address: str | None, value: V) -> None:
        self._entries[self.key(address)] = value
        while len(self._entries) > _MAX_TRACKED:
            self._entries.popitem(last=False)


@dataclass
class AddressBucket:
    """A token bucket per client address: ``burst`` requests at once, refilled at ``per_minute``."""

    burst: int
    per_minute: int
    _table: AddressTable[tuple[float, datetime]] = field(default_factory=AddressTable)

    def take(self, address: str | None, now: datetime) -> int | None:
        """Spend one token: None when allowed, else the seconds until a token is back (Retry-After)."""
        rate = self.per_minute / 60.0
        entry = self._table.take(address)
        tokens = float(self.burst)
        if entry is not None:
            left, at = entry
            tokens = min(float(self.burst), left + max(0.0, (now - at).total_seconds()) * rate)
        allowed = tokens >= 1.0 - 1e-9  # float sums of refills (0.1 + … + 0.1) fall just short
        self._table.put(address, (tokens - 1.0 if allowed else tokens, now))
        return None if allowed else max(1, ceil((1.0 - tokens) / rate))


@dataclass
class _Account:
    failures: int = 0
    locked_until: datetime | None = None


@dataclass
class LoginThrottle:
    account_max_failures: int
    backoff: timedelta
    backoff_max: timedelta
    address_max_failures: int
    address_window: timedelta
    _accounts: OrderedDict[str, _Account] = field(default_factory=OrderedDict)
    _addresses: AddressTable[deque[datetime]] = field(default_factory=AddressTable)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(
            account_max_failures=settings.login_account_max_failures,
            backoff=timedelta(seconds=settings.login_backoff_seconds),
            backoff_max=timedelta(seconds=settings.login_backoff_max_seconds),
            address_max_failures=settings.login_address_max_failures,
            address_window=timedelta(seconds=settings.login_address_window_seconds),
        )

    @staticmethod
    def _account_key(username: str) -> str:
        return username.strip().casefold()

    def retry_after(self, username: str, address: str | None, now: datetime) -> int | None:
        """Seconds until a login attempt is allowed again, or None when allowed now."""
        waits: list[float] = []
        account = self._accounts.get(self._account_key(username))
        if account and account.locked_until and account.locked_until > now:
            waits.append((account.locked_until - now).total_seconds())
        hits = self._addresses.get(address)
        if hits:
            while hits and hits[0] <= now - self.address_window:
                hits.popleft()
            if len(hits) >= self.address_max_failures:
                waits.append((hits[0] + self.address_window - now).total_seconds())
        return max(1, ceil(max(waits))) if waits else None

    def failure(self, username: str, address: str | None, now: datetime) -> None:
        key = self._account_key(username)
        account = self._accounts.pop(key, None) or _Account()
        account.failures += 1
        over = account.failures - self.account_max_failures
        if over >= 0:
            account.locked_until = now + min(self.backoff * (2 ** min(over, 20)), self.backoff_max)
        self._accounts[key] = account
        while len(self._accounts) > _MAX_TRACKED:
            self._accounts.popitem(last=False)
        hits = self._addresses.take(address) or deque()
        hits.append(now)
        self._addresses.put(address, hits)

    def success(self, username: str) -> None:
        self._accounts.pop(self._account_key(username), None)
