"""Liveness and readiness (metrics have a listener of their own: server/metrics.py)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy import text

from server.deps import Ctx
from server.errors import ApiError
from server.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])
log = logging.getLogger("opgelucht.relay")


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={503: {"description": "storage down, migrations not current, or SQLite secure_delete off"}},
)
async def readyz(ctx: Ctx) -> dict[str, str]:
    try:
        async with ctx.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            secure_delete = (
                ctx.db.dialect != "sqlite" or (await conn.scalar(text("PRAGMA secure_delete"))) == 1
            )
        current = await current_revision(ctx.db)
    except Exception as exc:
        log.warning("readiness check failed", extra={"exc_type": type(exc).__name__})
        raise ApiError(503, "unavailable") from None
    if not secure_delete:
        raise ApiError(503, "unavailable", "SQLite secure_delete is off: deleted data would stay on disk.")
    if current != head_revision():
        raise ApiError(503, "unavailable", "Database migrations are not current.")
    return {"status": "ok"}
