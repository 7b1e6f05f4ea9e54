"""A per-process cache of reporter devices' signing keys for the signed-request check (issue 12): a
post then verifies its signature without a database read first.

What is cached never changes for a device: its id, org, org code, signing key and registration time
(registration is idempotent and keys cannot be swapped: ``POST /v1/devices``). ``last_seen`` is not
cached: the storing transaction updates it with ``WHERE last_seen <> today`` (see sqlite_post.py).

Invalidation, and why a stale entry cannot store anything:

- ``forget(device_id)`` (through :func:`forget_everywhere`) when this process deletes a device
  (``retention.delete_device``: the device's own DELETE, the idle purge; the only places that delete
  devices: org codes are revoked, never deleted, and orgs are not deleted by the relay);
  ``forget_org`` / ``forget_code`` should an org or a code ever be deleted (the devices go with them
  by cascade), ``clear()`` for anything broader;
- entries expire after ``ttl`` seconds, so a deletion by another process (another worker, the CLI)
  is seen within ``ttl`` (PostgreSQL relays can also forget on the live-events channel);
- and in any case the nonce claim that starts every signed write inserts into ``request_nonces``,
  whose foreign key references ``devices``: for a deleted device it fails, the request is refused as
  ``bad_signature`` and nothing is stored. A stale entry can at most answer a read-only signed request
  of a device deleted less than ``ttl`` seconds ago, with nothing of it left to read.

Concurrent misses for one device share one load (a relay's start, or a device's first minute after
its entry expired, sees many requests of the same devices at once; each used to read the row).

Bounded (``max_entries``, least recently used out), so a flood of unknown device ids (which are never
cached: a miss that finds nothing is not stored) cannot grow it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from opgelucht_relay.models.messaging import Device


@dataclass(frozen=True)
class DeviceKey:
    device_id: uuid.UUID
    org_id: uuid.UUID
    org_code: str
    sign_pk: bytes
    created_at: datetime


Loader = Callable[[uuid.UUID], Awaitable[DeviceKey | None]]


class DeviceKeyCache:
    def __init__(
        self, loader: Loader, *, ttl: float = 60.0, max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self._load, self._ttl, self._max, self._clock = loader, ttl, max_entries, clock
        self._entries: OrderedDict[uuid.UUID, tuple[float, DeviceKey]] = OrderedDict()
        self._generation = 0  # bumped by every invalidation: a load that raced one is not stored
        self._loading: dict[uuid.UUID, asyncio.Task[DeviceKey | None]] = {}  # one load per device
        self.hits = self.misses = 0
        _CACHES.add(self)

    async def get(self, device_id: uuid.UUID) -> DeviceKey | None:
        now = self._clock()
        found = self._entries.get(device_id)
        if found is not None and found[0] > now:
            self._entries.move_to_end(device_id)
            self.hits += 1
            return found[1]
        self.misses += 1
        task = self._loading.get(device_id)
        if task is None:
            # The generation as of the request: an invalidation before the task runs counts too.
            task = asyncio.get_running_loop().create_task(self._fill(device_id, self._generation))
            self._loading[device_id] = task
            task.add_done_callback(lambda done: self._loaded(device_id, done))
        return await asyncio.shield(task)  # a cancelled waiter does not cancel the others' load

    def _loaded(self, device_id: uuid.UUID, task: asyncio.Task[DeviceKey | None]) -> None:
        if self._loading.get(device_id) is task:
            del self._loading[device_id]

    async def _fill(self, device_id: uuid.UUID, generation: int) -> DeviceKey | None:
        key = await self._load(device_id)
        now = self._clock()
        if key is None:
            self._entries.pop(device_id, None)
            return None
        if generation == self._generation:  # no deletion happened while loading
            self._entries[device_id] = (now + self._ttl, key)
            self._entries.move_to_end(device_id)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return key

    def forget(self, device_id: uuid.UUID) -> None:
        self._generation += 1
        self._entries.pop(device_id, None)
        self._loading.pop(device_id, None)  # a later request loads anew, not the load in flight

    def forget_org(self, org_id: uuid.UUID) -> None:
        self._generation += 1
        for device_id in [d for d, (_, key) in self._entries.items() if key.org_id == org_id]:
            del self._entries[device_id]
        self._loading.clear()

    def forget_code(self, org_code: str) -> None:
        self._generation += 1
        for device_id in [d for d, (_, key) in self._entries.items() if key.org_code == org_code]:
            del self._entries[device_id]
        self._loading.clear()

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()
        self._loading.clear()

    def __len__(self) -> int:
        return len(self._entries)


_CACHES: weakref.WeakSet[DeviceKeyCache] = weakref.WeakSet()


def forget_everywhere(device_id: uuid.UUID) -> None:
    """This process deleted (or is deleting) a device: drop it from every cache of the process
    (``retention.delete_device`` calls it before the delete and ``reporter_devices.delete`` after the
    commit, so a load racing the deletion is not kept)."""
    for cache in list(_CACHES):
        cache.forget(device_id)


def engine_loader(engine: AsyncEngine) -> Loader:
    """A loader reading the ``devices`` row through the relay's engine (one pooled connection)."""
    devices = cast(Table, Device.__table__)
    statement = select(
        devices.c.device_id, devices.c.org_id, devices.c.org_code, devices.c.sign_pk, devices.c.created_at
    ).where(devices.c.device_id == bindparam("p_device"))

    async def load(device_id: uuid.UUID) -> DeviceKey | None:
        async with engine.connect() as conn:
            row = (await conn.execute(statement, {"p_device": device_id})).first()
        if row is None:
            return None
        return DeviceKey(row.device_id, row.org_id, row.org_code, bytes(row.sign_pk), row.created_at)

    return load
