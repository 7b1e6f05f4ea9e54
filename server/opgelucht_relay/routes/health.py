"""Liveness and readiness (metrics have a listener of their own: opgelucht_relay/metrics.py)."""

from __future__ import annotations

from fastapi import APIRouter

from opgelucht_relay.deps import Ctx
from opgelucht_relay.services.health import check_ready

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={
        503: {"description": "storage down, migrations not current, SQLite secure_delete off or disk full"}
    },
)
async def readyz(ctx: Ctx) -> dict[str, str]:
    await check_ready(ctx.db)
    return {"status": "ok"}
