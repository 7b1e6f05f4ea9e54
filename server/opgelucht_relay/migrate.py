"""Run the Alembic migrations shipped in ``opgelucht_relay/migrations`` programmatically."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from opgelucht_relay.db import Database

_PG_LOCK_ID = 0x4F5047  # serialises concurrent relay start-ups on one PostgreSQL database


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "opgelucht_relay:migrations")
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(connection: Connection, target: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, target)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(db: Database, target: str = "head") -> None:
    """Bring the database schema to ``target`` (idempotent)."""
    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _PG_LOCK_ID})
            await conn.commit()
        try:
            await conn.run_sync(_upgrade, target)
            await conn.commit()
        finally:
            if db.dialect == "postgresql":
                await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _PG_LOCK_ID})
                await conn.commit()


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current)
