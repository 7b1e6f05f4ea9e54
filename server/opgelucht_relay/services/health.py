"""Readiness: the database answers, its schema is current and (SQLite) ``secure_delete`` is on."""

from __future__ import annotations

import logging

from sqlalchemy import text

from opgelucht_relay.db import Database
from opgelucht_relay.errors import ApiError
from opgelucht_relay.migrate import current_revision, head_revision

log = logging.getLogger("opgelucht.relay")


async def check_ready(db: Database) -> None:
    """503 ``unavailable`` with the reason when the relay cannot serve (the error's type is logged)."""
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            secure_delete = db.dialect != "sqlite" or (await conn.scalar(text("PRAGMA secure_delete"))) == 1
        current = await current_revision(db)
    except Exception as exc:
        log.warning("readiness check failed", extra={"exc_type": type(exc).__name__})
        raise ApiError(503, "unavailable") from None
    if not secure_delete:
        raise ApiError(503, "unavailable", "SQLite secure_delete is off: deleted data would stay on disk.")
    if current != head_revision():
        raise ApiError(503, "unavailable", "Database migrations are not current.")
