"""Issue 9, items 9-10: k >= 5 holds against an insider with fake devices, and a closed period's figures
never change (docs/stats.md). Exact figures: these tests switch the noise off (``stats_noise = false``,
tests only; test_stats_noise.py checks the production default and the noise itself)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from kit.actors import Actor, new_code
from kit.reporter import RawReporter
from sqlalchemy import func, select

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.jobs import run_job
from opgelucht_relay.models import AuditEvent
from opgelucht_relay.models.messaging import StatsDay, StatsDevice, StatsItem, StatsSalt
from relay.conftest import make_test_settings
from relay.messaging.stats_devices import START, at, devices_by_label, register, report, send, use


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_test_settings(db_url, tmp_path / "relay-data").model_copy(update={"stats_noise": False})


NOV_2, NOV_10, DEC_2, DEC_3, DEC_4 = (date(2026, 11, 2), date(2026, 11, 10), date(2026, 12, 2),
                                      date(2026, 12, 3), date(2026, 12, 4))  # fmt: skip


async def test_sybil_devices_registered_with_the_printed_code_do_not_reach_k(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str
) -> None:
    """The issue's attack: one real device sent a sensitive topic; an insider registered 4 fake devices
    with the org code and used them. The report must not publish the real person's counts."""
    other = await new_code(client, admin, "Afdeling B")
    honest = await register(client, clock, other, 10)
    (victim,) = await register(client, clock, code, 1)
    at(clock, NOV_2)
    await use(honest)
    await use([victim], ("topic", "intimidatie"))
    fakes = await register(client, clock, code, 4)  # registered in the period itself
    await use(fakes, ("topic", "intimidatie"))
    at(clock, NOV_10)
    await use([*honest, victim, *fakes])
    at(clock, DEC_2)
    stats = await report(client, clock, admin, "2026-11")
    assert devices_by_label(stats)["Afdeling A"] is None  # suppressed: one established device
    assert devices_by_label(stats)["Afdeling B"] is None  # complementary: total - B would give A
    assert stats["total"] == {"devices": 10, "suppressed": False, "counts": {"screen": {"home": 10}}}


async def test_fake_devices_used_on_one_day_only_do_not_count(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str
) -> None:
    """Registered well before the period but used on a single day (a script run once): not established."""
    regular = await register(client, clock, code, 5)
    once = await register(client, clock, code, 4)
    at(clock, NOV_2)
    await use([*regular, *once])
    at(clock, NOV_10)
    await use(regular)
    at(clock, DEC_2)
    assert devices_by_label(await report(client, clock, admin, "2026-11")) == {"Afdeling A": 5}


async def test_a_device_counts_once_per_cell_however_many_events_it_sends(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str
) -> None:
    devices = await register(client, clock, code, 12)
    loud = devices[0]
    for day in (NOV_2, NOV_10):
        at(clock, day)
        await use(devices, ("topic", "pesten"))
        for minute in range(1, 4):  # 3 x 100 events of one cell: still one device
            at(clock, day, minute)
            assert (await send(loud, ("topic", "geheim"), times=100)).status_code == 202
    at(clock, DEC_2)
    stats = await report(client, clock, admin, "2026-11")
    assert stats["total"] == {"devices": 10, "suppressed": False, "counts": {"topic": {"pesten": 10}}}


async def test_usage_events_need_the_device_signature_and_its_own_code(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str
) -> None:
    (device,) = await register(client, clock, code, 1)
    other = await new_code(client, admin, "Afdeling B")
    unsigned = await client.post(
        "/v1/events", json={"org_code": code, "events": [{"kind": "topic", "item": "p", "count": 1}]}
    )
    assert unsigned.status_code == 401 and unsigned.json()["error"]["code"] == "bad_signature"
    foreign = await device.call(
        "POST", "/v1/events", {"org_code": other, "events": [{"kind": "topic", "item": "p", "count": 1}]}
    )
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "bad_request"


async def test_registrations_per_code_are_rate_limited_and_bursts_audited(
    settings: Settings,
    client: httpx.AsyncClient,
    clock: ManualClock,
    code: str,
    admin: Actor,
    ctx: AppContext,
) -> None:
    limits = {"device_registrations_per_code_per_hour": 5, "device_registration_burst": 3}
    ctx.settings = settings.model_copy(update=limits)
    await register(client, clock, code, 5)
    refused = await register_one(client, clock, code)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) == 3600
    other = await new_code(client, admin, "Afdeling B")
    await register(client, clock, other, 1)  # another code is not affected
    clock.advance(timedelta(hours=1, seconds=1))
    assert (await register_one(client, clock, code)).status_code == 201
    async with ctx.db.sessions() as db:
        bursts = list(
            await db.scalars(select(AuditEvent).where(AuditEvent.event == "device_registration_burst"))
        )
    assert len(bursts) == 1  # flagged once, at the third registration within ten minutes
    assert bursts[0].org_id == admin.org_id and bursts[0].fields["registrations"] == 3
    metrics = ctx.metrics.render().decode()
    assert "opg_device_registrations_refused_total 1.0" in metrics
    assert "opg_device_registration_bursts_total 1.0" in metrics


async def register_one(client: httpx.AsyncClient, clock: ManualClock, code: str) -> httpx.Response:
    return await RawReporter(client, clock, code).register()


@pytest.mark.parametrize("read_before", [True, False], ids=["read-in-between", "first-read-later"])
async def test_a_device_idle_all_november_does_not_change_the_november_report(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str, read_before: bool
) -> None:
    """The issue's scenario: 5 devices used in November, 5 others idle all November and used on
    3 December. The November report said 5 and must keep saying 5 (it said 10 after 3 December)."""
    active = await register(client, clock, code, 5)
    idle = await register(client, clock, code, 5)
    for day in (NOV_2, NOV_10):
        at(clock, day)
        await use(active)
    if read_before:
        at(clock, DEC_2)
        before = await report(client, clock, admin, "2026-11")
        assert devices_by_label(before) == {"Afdeling A": 5}
    for day in (DEC_3, DEC_4):
        at(clock, day)
        await use(idle)
    at(clock, DEC_4 + timedelta(days=1))
    after = await report(client, clock, admin, "2026-11")
    assert devices_by_label(after) == {"Afdeling A": 5}
    assert after["total"]["devices"] == 5
    if read_before:
        assert after == before


async def test_closing_a_period_freezes_it_and_discards_its_activity(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str, ctx: AppContext
) -> None:
    devices = await register(client, clock, code, 6)
    for day in (NOV_2, NOV_10):
        at(clock, day)
        await use(devices, ("topic", "pesten"))
    at(clock, DEC_2)
    await use(devices[:1])  # December activity stays
    await run_job(ctx, "retention")
    async with ctx.db.sessions() as db:
        for table in (StatsSalt, StatsDevice, StatsDay, StatsItem):
            buckets = set(await db.scalars(select(table.bucket).distinct()))
            # November's salt and rows are gone; December and ISO week 49 (Nov 30 - Dec 6) are open.
            assert buckets == {"2026-12", "2026-W49"}, table.__tablename__
    first = await report(client, clock, admin, "2026-11")
    assert devices_by_label(first) == {"Afdeling A": 5}  # 6, rounded
    week = await report(client, clock, admin, "2026-W46")  # Nov 9-15, frozen by the same pass
    assert devices_by_label(week) == {"Afdeling A": 5}
    # A deleted device disappears from the open period, not from the frozen one.
    assert (await devices[0].call("DELETE", "/v1/device")).status_code == 204
    async with ctx.db.sessions() as db:
        left = await db.scalar(select(func.count()).select_from(StatsDevice))
    assert left == 0
    assert await report(client, clock, admin, "2026-11") == first


async def test_week_inside_a_month_cannot_be_subtracted_from_it(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str
) -> None:
    """The subtraction attack across periods: two devices of code A were used late in November only.
    Publishing week 45 (Nov 2-8) next to November would give November - week 45 = 2 devices of code A."""
    other = await new_code(client, admin, "Afdeling B")
    early_a = await register(client, clock, code, 10)
    early_b = await register(client, clock, other, 10)
    late_a = await register(client, clock, code, 2)
    for day in (NOV_2, date(2026, 11, 3)):
        at(clock, day)
        await use([*early_a, *early_b])
    for day in (date(2026, 11, 20), date(2026, 11, 21)):
        at(clock, day)
        await use(late_a)
    at(clock, DEC_2)
    month = await report(client, clock, admin, "2026-11")
    week = await report(client, clock, admin, "2026-W45")
    assert devices_by_label(month) == {"Afdeling A": 10, "Afdeling B": 10}  # 12 rounded, 10
    assert all(c["suppressed"] for c in week["codes"])
    assert week["total"]["suppressed"]  # 22 - 20 would isolate the same two devices


async def test_one_device_counts_in_at_most_stats_items_per_device_cells_per_period(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str, ctx: AppContext
) -> None:
    """The cap that bounds the privacy loss of one device per period (epsilon, docs/stats.md)."""
    (device,) = await register(client, clock, code, 1)
    at(clock, NOV_2)
    cells = [("article", f"a{i}") for i in range(ctx.settings.stats_items_per_device + 3)]
    assert (await send(device, *cells)).status_code == 202
    at(clock, NOV_10)
    assert (await send(device, *cells[:2], ("topic", "late"))).status_code == 202  # known cells still count
    async with ctx.db.sessions() as db:
        rows = (
            await db.execute(select(StatsItem.item, StatsItem.day).where(StatsItem.bucket == "2026-11"))
        ).all()
    assert {item for item, _ in rows} == {f"a{i}" for i in range(ctx.settings.stats_items_per_device)}
    assert sorted(item for item, day in rows if day == NOV_10) == ["a0", "a1"]
