"""Fixtures of the messaging tests: an org code of the admin's org and a registered reporter."""

from __future__ import annotations

import httpx
import pytest
from kit.actors import Actor, new_code
from kit.reporter import RawReporter

from opgelucht_relay.clock import ManualClock


@pytest.fixture
async def code(client: httpx.AsyncClient, admin: Actor) -> str:
    return await new_code(client, admin)


@pytest.fixture
async def reporter(client: httpx.AsyncClient, clock: ManualClock, code: str) -> RawReporter:
    device = RawReporter(client, clock, code)
    response = await device.register()
    assert response.status_code == 201, response.text
    return device
