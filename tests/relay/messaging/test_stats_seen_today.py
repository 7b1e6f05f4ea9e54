"""The per-process "day already recorded" memory (services/seen_today.py) skips a device's
``last_seen`` and statistics presence statements after its first committed post of a day; the
statistics figures (docs/stats.md) and the stored rows are exactly the same with and without it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from kit.actors import Actor
from kit.reporter import RawReporter, seal
from sqlalchemy import func, select

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.models.messaging import Device, StatsDay, StatsDevice
from opgelucht_relay.services.seen_today import SeenToday
from relay.conftest import make_test_settings
from relay.messaging.stats_devices import START, at, devices_by_label, register, report

NOV_2, NOV_3, NOV_10, DEC_2 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 10), date(2026, 12, 2)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_test_settings(db_url, tmp_path / "relay-data").model_copy(update={"stats_noise": False})


class Counting(SeenToday):
    """The memory, counting the posts it let skip the day's statements."""

    def __init__(self, enabled: bool) -> None:
        super().__init__()
        self.enabled = enabled
        self.skipped = 0

    def known(self, device_id: uuid.UUID, created_at: datetime, day: date) -> bool:
        found = self.enabled and super().known(device_id, created_at, day)
        self.skipped += found
        return found


async def post_times(devices: list[RawReporter], convs: dict[uuid.UUID, uuid.UUID], n: int) -> None:
    for _ in range(n):
        for device in devices:
            conv = convs.setdefault(device.device_id, uuid.uuid4())
            envelope = seal(conv, device.keys, [device.keys.enc_pk], b"hallo", msg_id=uuid.uuid4())
            response = await device.post(conv, envelope)
            assert response.status_code == 201, response.text


@pytest.mark.parametrize("memory", [True, False], ids=["with-memory", "without-memory"])
async def test_statistics_are_the_same_with_and_without_the_seen_today_memory(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str, ctx: AppContext, memory: bool
) -> None:
    seen = ctx.seen = Counting(memory)
    ctx.pg_writer = None  # made again on first use, with this memory
    regular = await register(client, clock, code, 10)
    once = await register(client, clock, code, 2)  # used on one day only: not established
    convs: dict[uuid.UUID, uuid.UUID] = {}
    at(clock, NOV_2)
    await post_times([*regular, *once], convs, 3)
    at(clock, NOV_3, minute=5)
    await post_times(regular[:3], convs, 2)
    at(clock, NOV_10, minute=7)
    await post_times(regular, convs, 2)

    # With the memory every post after a device's first of the day skipped the statements; without
    # it none did. The rows are the same either way:
    assert seen.skipped == ((3 - 1) * 12 + (2 - 1) * 3 + (2 - 1) * 10 if memory else 0)
    async with ctx.db.sessions() as db:
        days = (await db.execute(select(StatsDay.day, func.count()).group_by(StatsDay.day))).all()
        # One row per device, day and bucket (1 October 2026, the registration: its month and its ISO
        # week, which spans September and October).
        assert dict(days) == {START.date(): 24, NOV_2: 12, NOV_3: 3, NOV_10: 10}
        assert await db.scalar(select(func.count()).select_from(StatsDevice)) == 3 * 12
        last_seen = dict((await db.execute(select(Device.device_id, Device.last_seen))).all())
    assert {last_seen[d.device_id] for d in regular} == {NOV_10}
    assert {last_seen[d.device_id] for d in once} == {NOV_2}

    at(clock, DEC_2)
    stats = await report(client, clock, admin, "2026-11")
    assert devices_by_label(stats) == {"Afdeling A": 10}
    assert stats["total"]["devices"] == 10


def test_the_memory_is_bounded_and_knows_only_the_marked_day() -> None:
    seen = SeenToday(limit=2)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    created = START
    seen.mark(a, created, NOV_2)
    assert seen.known(a, created, NOV_2)
    assert not seen.known(a, created, NOV_3)  # a new day runs the statements again
    assert not seen.known(a, START.replace(hour=10), NOV_2)  # registered again: another device row
    seen.mark(a, created, NOV_3)
    seen.mark(a, created, NOV_2)  # an older day never replaces a newer one
    assert seen.known(a, created, NOV_3)
    seen.mark(b, created, NOV_3)
    seen.mark(c, created, NOV_3)  # full: emptied, then c
    assert len(seen) == 1 and seen.known(c, created, NOV_3) and not seen.known(a, created, NOV_3)
