"""``POST /v1/events`` is limited per client address (a token bucket in memory): beyond the burst a
429 ``rate_limited`` with Retry-After, refused requests count nothing, another address is unaffected,
and the address is never logged."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import httpx
import pytest
from kit.reporter import RawReporter

from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings


def events(code: str) -> dict[str, object]:
    return {"org_code": code, "events": [{"kind": "topic", "item": "pesten", "count": 1}]}


async def post(http: httpx.AsyncClient, device: RawReporter) -> int:
    body = json.dumps(events(device.org_code)).encode()
    headers = {**device.sign("POST", "/v1/events", body), "Content-Type": "application/json"}
    return (await http.post("/v1/events", content=body, headers=headers)).status_code


async def test_events_beyond_the_burst_get_429_until_tokens_refill(
    settings: Settings, clock: ManualClock, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    limited = settings.model_copy(update={"events_address_burst": 3, "events_address_per_minute": 6})
    app = create_app(limited, clock)
    caplog.set_level(logging.DEBUG)
    async with app.router.lifespan_context(app):

        def client(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            return httpx.AsyncClient(transport=transport, base_url="http://relay.test")

        async with client("198.51.100.7") as first, client("203.0.113.9") as second:
            device = RawReporter(first, clock, code)
            assert (await device.register()).status_code == 201
            for _ in range(3):
                assert await post(first, device) == 202
            body = json.dumps(events(code)).encode()
            headers = {**device.sign("POST", "/v1/events", body), "Content-Type": "application/json"}
            refused = await first.post("/v1/events", content=body, headers=headers)
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "rate_limited"
            assert refused.headers["Retry-After"] == "10"  # one token per 10 s
            assert await post(second, device) == 202
            clock.advance(seconds=9)
            assert await post(first, device) == 429
            clock.advance(timedelta(seconds=1))
            assert await post(first, device) == 202
            assert await post(first, device) == 429
        metrics = app.state.ctx.metrics.render().decode()
    accepted = [line for line in metrics.splitlines() if line.startswith("opg_usage_events_total")]
    assert accepted == ["opg_usage_events_total 5.0"]  # 3 + 1 + 1: refused requests counted nothing
    assert "198.51.100.7" not in caplog.text and "203.0.113.9" not in caplog.text


async def test_phones_behind_one_address_each_get_their_own_device_budget(
    settings: Settings, clock: ManualClock, code: str
) -> None:
    """Many phones behind one carrier NAT share an address: with the default per-address budget they
    are all served; a device beyond its own budget gets 429 while its neighbours go on."""
    limited = settings.model_copy(update={"events_device_burst": 2, "events_device_per_minute": 6})
    app = create_app(limited, clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as nat:
            phones = [RawReporter(nat, clock, code) for _ in range(20)]
            for phone in phones:
                assert (await phone.register()).status_code == 201
            for _ in range(2):
                for phone in phones:
                    assert await post(nat, phone) == 202
            assert await post(nat, phones[0]) == 429  # this device's burst is spent
            clock.advance(seconds=10)
            assert await post(nat, phones[0]) == 202
            assert await post(nat, phones[1]) == 202  # a neighbour refilled too, independently
