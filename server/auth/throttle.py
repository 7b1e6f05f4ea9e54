"""Login throttling in memory: per account name (back-off) and per client address (sliding window).

Nothing here is stored: addresses are only kept as keyed hashes in this process's memory.
Several relay instances each keep their own counters (documented in docs/relay.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil

from server.config import Settings

_MAX_TRACKED = 50_000  # bounded memory: the oldest entries are forgotten first


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
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _accounts: OrderedDict[str, _Account] = field(default_factory=OrderedDict)
    _addresses: OrderedDict[bytes, deque[datetime]] = field(default_factory=OrderedDict)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(
            account_max_failures=settings.login_account_max_failures,
            backoff=timedelta(seconds=settings.login_backoff_seconds),
            backoff_max=timedelta(seconds=settings.login_backoff_max_seconds),
            address_max_failures=settings.login_address_max_failures,
            address_window=timedelta(seconds=settings.login_address_window_seconds),
        )

    def _address_key(self, address: str | None) -> bytes:
        return hmac.new(self._key, (address or "").encode(), hashlib.sha256).digest()

    @staticmethod
    def _account_key(username: str) -> str:
        return username.strip().casefold()

    def retry_after(self, username: str, address: str | None, now: datetime) -> int | None:
        """Seconds until a login attempt is allowed again, or None when allowed now."""
        waits: list[float] = []
        account = self._accounts.get(self._account_key(username))
        if account and account.locked_until and account.locked_until > now:
            waits.append((account.locked_until - now).total_seconds())
        hits = self._addresses.get(self._address_key(address))
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
        addr = self._address_key(address)
        hits = self._addresses.pop(addr, None) or deque()
        hits.append(now)
        self._addresses[addr] = hits
        for table in (self._accounts, self._addresses):
            while len(table) > _MAX_TRACKED:
                table.popitem(last=False)

    def success(self, username: str) -> None:
        self._accounts.pop(self._account_key(username), None)
