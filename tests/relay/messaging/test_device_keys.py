"""The device-key cache's loads as the relay sees them: requests of one uncached device arriving
together read its row once, and a deletion while that read runs is not answered from it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from opgelucht_relay.services.device_keys import DeviceKey, DeviceKeyCache


def _key(device_id: uuid.UUID) -> DeviceKey:
    return DeviceKey(device_id, uuid.uuid4(), "CODE", b"k" * 32, datetime(2026, 1, 1, tzinfo=UTC))


async def test_concurrent_misses_of_one_device_share_one_load() -> None:
    release = asyncio.Event()
    loads: list[uuid.UUID] = []

    async def load(device_id: uuid.UUID) -> DeviceKey | None:
        loads.append(device_id)
        await release.wait()
        return _key(device_id)

    cache = DeviceKeyCache(load)
    device, other = uuid.uuid4(), uuid.uuid4()
    waiting = [asyncio.ensure_future(cache.get(d)) for d in [device] * 20 + [other]]
    await asyncio.sleep(0)  # every get has started and waits for its device's one load
    release.set()
    keys = await asyncio.gather(*waiting)
    assert sorted(loads) == sorted([device, other])
    assert {k.device_id for k in keys if k is not None} == {device, other}
    assert await cache.get(device) is keys[0] and len(loads) == 2  # cached now


async def test_a_device_forgotten_during_its_load_is_loaded_anew() -> None:
    gates = [asyncio.Event(), asyncio.Event()]
    answers: list[DeviceKey | None] = []
    device = uuid.uuid4()

    async def load(device_id: uuid.UUID) -> DeviceKey | None:
        gate = gates[len(answers)]
        answer = _key(device_id) if not answers else None  # deleted before the second read
        answers.append(answer)
        await gate.wait()
        return answer

    cache = DeviceKeyCache(load)
    first = asyncio.ensure_future(cache.get(device))
    await asyncio.sleep(0)
    cache.forget(device)  # the device is deleted while its row is being read
    second = asyncio.ensure_future(cache.get(device))
    await asyncio.sleep(0)
    gates[0].set()
    gates[1].set()
    assert (await first) is not None  # the request that raced the deletion (the nonce's FK refuses it)
    assert (await second) is None  # a request after the deletion does not get the stale key
    assert len(cache) == 0
