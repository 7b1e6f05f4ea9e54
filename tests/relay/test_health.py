"""Health, readiness, metrics and migrations on both backends."""

from __future__ import annotations

import httpx

from opgelucht_relay.context import AppContext
from opgelucht_relay.migrate import current_revision, head_revision


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_migrated(client: httpx.AsyncClient, ctx: AppContext) -> None:
    assert await current_revision(ctx.db) == head_revision()
    response = await client.get("/readyz")
    assert response.status_code == 200


async def test_metrics_counts_requests(client: httpx.AsyncClient, ctx: AppContext) -> None:
    await client.get("/healthz")
    text = ctx.metrics.render().decode()  # what the metrics listener serves
    assert 'opg_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
