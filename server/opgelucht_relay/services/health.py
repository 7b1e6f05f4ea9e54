"""Readiness: the database answers, its schema is current and (SQLite) ``secure_delete`` is on and the
data disk has room."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from sqlalchemy import text

from opgelucht_relay.db import Database, sqlite_path
from opgelucht_relay.errors import ApiError
from opgelucht_relay.migrate import current_revision, head_revision

log = logging.getLogger("opgelucht.relay")

READY_MIN_FREE_BYTES = 64 * 1024 * 1024
"""Below this much free space on the SQLite database's disk the relay is not ready: a post needs room in
the WAL, and a load balancer should stop sending writes before they fail (PostgreSQL watches its own)."""


def _sqlite_free_bytes(db: Database) -> int | None:
    path = sqlite_path(db.url)
    return None if path is None else shutil.disk_usage(Path(path).resolve().parent).free


async def check_ready(db: Database) -> None:
    """503 ``unavailable`` with the reason when the relay cannot serve (the error's type is logged)."""
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            secure_delete = db.dialect != "sqlite" or (await conn.scalar(text("PRAGMA secure_delete"))) == 1
        current = await current_revision(db)
        free = _sqlite_free_bytes(db)
    except Exception as exc:
        log.warning("readiness check failed", extra={"exc_type": type(exc).__name__})
        raise ApiError(503, "unavailable") from None
    if not secure_delete:
        raise ApiError(503, "unavailable", "SQLite secure_delete is off: deleted data would stay on disk.")
    if free is not None and free < READY_MIN_FREE_BYTES:
        raise ApiError(
            503, "unavailable", f"The data disk is nearly full ({free // (1024 * 1024)} MiB free)."
        )
    if current != head_revision():
        raise ApiError(503, "unavailable", "Database migrations are not current.")
