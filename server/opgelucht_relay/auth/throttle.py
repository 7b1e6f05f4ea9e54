"""Throttling: logins per account name (back-off, in the database, shared by every worker and instance)
and per client address (sliding window, in memory); requests per client address (token bucket,
``AddressBucket``, in memory).

Addresses are never stored: they are kept as keyed hashes in this process's memory, in tables of bounded
size, so several relay instances (or ``serve --workers``) each keep their own address counters
(documented in docs/relay.md). Account names are stored only as hashes, and only until
``FAILURES_FORGOTTEN_AFTER`` after their last attempt.
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

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.config import Settings
from opgelucht_relay.db import Database
from opgelucht_relay.models import LoginFailure

_MAX_TRACKED = 50_000  # bounded memory: the oldest entries are forgotten first
_CAS_TRIES = 100  # compare-and-set rounds per attempt; each round some contender wins
FAILURES_FORGOTTEN_AFTER = timedelta(hours=24)  # attempts counted towards a lock-out, after the last one

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
class AddressWindow:
    """Login attempts per client address in a sliding window, in this process's memory. An attempt is
    counted when it starts (``reserve``), so parallel requests cannot overtake the limit; a successful
    one is taken back (``release``)."""

    max_attempts: int
    window: timedelta
    _table: AddressTable[deque[datetime]] = field(default_factory=AddressTable)

    def reserve(self, address: str | None, now: datetime) -> int | None:
        """Count an attempt: None when allowed, else the seconds until one is (Retry-After)."""
        hits = self._table.take(address) or deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        wait = None
        if len(hits) >= self.max_attempts:
            wait = max(1, ceil((hits[0] + self.window - now).total_seconds()))
        else:
            hits.append(now)
        self._table.put(address, hits)
        return wait

    def release(self, address: str | None, at: datetime) -> None:
        """Take back the attempt ``reserve`` counted at ``at``."""
        hits = self._table.get(address)
        if hits is not None and at in hits:
            hits.remove(at)


def account_key(username: str) -> bytes:
    """The lock-out row's key: a hash of the account name as typed (names are never stored)."""
    return hashlib.sha256(b"opg/login-lockout/v1\0" + username.strip().casefold().encode()).digest()


@dataclass
class AccountLockout:
    """Login attempts per account name in the database (``login_failures``), shared by every worker and
    instance. An attempt is counted before the password is checked, by a compare-and-set on the row, and
    the lock (``backoff`` doubling from the ``max_failures``-th attempt on) is set with it; a successful
    login deletes the row. Unknown names are counted alike."""

    max_failures: int
    backoff: timedelta
    backoff_max: timedelta

    def _lock(self, failures: int, now: datetime) -> datetime | None:
        over = failures - self.max_failures
        if over < 0:
            return None
        wait: timedelta = min(self.backoff * (2 ** min(over, 20)), self.backoff_max)
        return now + wait

    async def reserve(self, database: Database, username: str, now: datetime) -> int | None:
        """Count an attempt: None when allowed, else the seconds until one is (Retry-After)."""
        key = account_key(username)
        row_of = select(LoginFailure.failures, LoginFailure.locked_until, LoginFailure.last_attempt_at)
        async with database.sessions() as db:
            for _ in range(_CAS_TRIES):
                row = (await db.execute(row_of.where(LoginFailure.key == key))).one_or_none()
                await db.rollback()  # end the read: the write below checks what it read
                if row is None:
                    try:
                        await db.execute(
                            insert(LoginFailure).values(
                                key=key, failures=1, locked_until=self._lock(1, now), last_attempt_at=now
                            )
                        )
                        await db.commit()
                        return None
                    except IntegrityError:  # another process inserted it first: read it again
                        await db.rollback()
                        continue
                failures, locked_until, last_attempt_at = row
                if locked_until is not None and locked_until > now:
                    return max(1, ceil((locked_until - now).total_seconds()))
                counted = 0 if last_attempt_at <= now - FAILURES_FORGOTTEN_AFTER else failures
                changed = await db.execute(
                    update(LoginFailure)
                    .where(
                        LoginFailure.key == key,
                        LoginFailure.failures == failures,
                        LoginFailure.last_attempt_at == last_attempt_at,
                    )
                    .values(
                        failures=counted + 1,
                        locked_until=self._lock(counted + 1, now),
                        last_attempt_at=now,
                    )
                )
                if changed.rowcount == 1:  # type: ignore[attr-defined]
                    await db.commit()
                    return None
                await db.rollback()  # another attempt counted first: read again
        return max(1, ceil(self.backoff.total_seconds()))  # contention beyond reason: refuse for now

    @staticmethod
    async def clear(db: AsyncSession, username: str) -> None:
        """Forget the account's attempts (in the caller's transaction, after a successful login)."""
        await db.execute(delete(LoginFailure).where(LoginFailure.key == account_key(username)))


@dataclass
class LoginThrottle:
    """Both login throttles: per client address (this process) and per account name (database)."""

    addresses: AddressWindow
    accounts: AccountLockout

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(
            addresses=AddressWindow(
                settings.login_address_max_failures,
                timedelta(seconds=settings.login_address_window_seconds),
            ),
            accounts=AccountLockout(
                max_failures=settings.login_account_max_failures,
                backoff=timedelta(seconds=settings.login_backoff_seconds),
                backoff_max=timedelta(seconds=settings.login_backoff_max_seconds),
            ),
        )

    async def begin(
        self, database: Database, username: str, address: str | None, now: datetime
    ) -> int | None:
        """Count a login attempt before its password is checked: None when it may go ahead, else the
        seconds to wait (Retry-After). A refused attempt counts against nothing."""
        wait = self.addresses.reserve(address, now)
        if wait is None:
            wait = await self.accounts.reserve(database, username, now)
            if wait is not None:
                self.addresses.release(address, now)
        return wait

    async def succeeded(self, db: AsyncSession, username: str, address: str | None, at: datetime) -> None:
        """The attempt begun at ``at`` logged in: it counts against neither throttle."""
        self.addresses.release(address, at)
        await self.accounts.clear(db, username)


async def purge_expired(database: Database, now: datetime) -> None:
    """Job (opgelucht_relay/jobs.py): forget lock-out rows whose last attempt is older than
    ``FAILURES_FORGOTTEN_AFTER``."""
    async with database.sessions() as db:
        await db.execute(
            delete(LoginFailure).where(
                LoginFailure.last_attempt_at <= now - FAILURES_FORGOTTEN_AFTER,
                or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until <= now),
            )
        )
        await db.commit()
