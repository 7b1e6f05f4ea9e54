"""Reporter devices that use the app on given days, for the statistics tests (docs/stats.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
from kit.actors import Actor, login
from kit.reporter import RawReporter

from opgelucht_relay.clock import ManualClock

START = datetime(2026, 10, 1, 9, tzinfo=UTC)
"""The tests' clock starts here, so that devices registered in October are established in November."""


def at(clock: ManualClock, day: date, minute: int = 0) -> None:
    clock.set(datetime.combine(day, time(9), tzinfo=UTC) + timedelta(minutes=minute))


async def register(client: httpx.AsyncClient, clock: ManualClock, code: str, n: int) -> list[RawReporter]:
    devices = [RawReporter(client, clock, code) for _ in range(n)]
    for device in devices:
        response = await device.register()
        assert response.status_code == 201, response.text
    return devices


async def send(device: RawReporter, *cells: tuple[str, str], times: int = 1) -> httpx.Response:
    events = [{"kind": kind, "item": item, "count": 1} for kind, item in cells] * times
    return await device.call("POST", "/v1/events", {"org_code": device.org_code, "events": events})


async def use(devices: list[RawReporter], *cells: tuple[str, str]) -> None:
    """Each device opens its conversations (a signed request) and sends one batch of events (the
    screen ``home`` when no cells are given)."""
    for device in devices:
        assert (await device.call("GET", "/v1/device/conversations")).status_code == 200
        response = await send(device, *(cells or (("screen", "home"),)))
        assert response.status_code == 202, response.text


async def report(client: httpx.AsyncClient, clock: ManualClock, admin: Actor, period: str) -> dict[str, Any]:
    admin.token = (await login(client, clock, admin)).json()["token"]
    response = await client.get(f"/v1/stats?period={period}", headers=admin.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def devices_by_label(stats: dict[str, Any]) -> dict[str, int | None]:
    codes = stats["codes"]
    return {c["label"]: c["devices"] for c in codes}
