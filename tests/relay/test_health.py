"""Health, readiness, metrics and migrations on both backends."""

from __future__ import annotations

import shutil
from typing import Any

import httpx
import pytest

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


async def test_readyz_on_a_nearly_full_sqlite_disk(
    client: httpx.AsyncClient, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load balancer stops sending writes to a relay whose SQLite disk is about to fill (found with a
    full tmpfs against a running relay: /readyz said 200 while posts failed)."""
    real = shutil.disk_usage

    def nearly_full(path: Any) -> Any:
        usage = real(path)
        return usage._replace(free=5 * 1024 * 1024)

    monkeypatch.setattr(shutil, "disk_usage", nearly_full)
    response = await client.get("/readyz")
    if backend == "sqlite":
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "unavailable"
        assert "5 MiB free" in response.json()["error"]["message"]
    else:
        assert response.status_code == 200  # PostgreSQL's disk is PostgreSQL's to watch


async def test_metrics_counts_requests(client: httpx.AsyncClient, ctx: AppContext) -> None:
    await client.get("/healthz")
    text = ctx.metrics.render().decode()  # what the metrics listener serves
    assert 'opg_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
