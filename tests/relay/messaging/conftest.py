"""Fixtures of the messaging tests: an org code of the admin's org and a registered reporter."""

from __future__ import annotations

import httpx
import pytest

from relay.helpers import Actor
from relay.messaging.kit import Reporter, new_code
from server.clock import ManualClock


@pytest.fixture
async def code(client: httpx.AsyncClient, admin: Actor) -> str:
    return await new_code(client, admin)


@pytest.fixture
async def reporter(client: httpx.AsyncClient, clock: ManualClock, code: str) -> Reporter:
    device = Reporter(client, clock, code)
    response = await device.register()
    assert response.status_code == 201, response.text
    return device
