"""Migrations: upgrade from empty on both backends, idempotent, and matching the models."""

from __future__ import annotations

from pathlib import Path

import httpx
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.db import Base, Database
from opgelucht_relay.migrate import current_revision, head_revision, upgrade


async def test_upgrade_from_empty_and_again(empty_db_url: str) -> None:
    db = Database(empty_db_url)
    try:
        assert await current_revision(db) is None
        await upgrade(db)
        assert await current_revision(db) == head_revision()
        await upgrade(db)  # idempotent
        async with db.engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            diff = await conn.run_sync(_model_diff)
        assert set(Base.metadata.tables) <= tables
        assert diff == []
    finally:
        await db.dispose()


def _model_diff(conn: Connection) -> list[object]:
    """Differences between the migrated schema and the models (tables, columns, indexes)."""
    context = MigrationContext.configure(conn, opts={"compare_type": False})
    return [d for d in compare_metadata(context, Base.metadata) if not _ignorable(d)]


def _ignorable(diff: object) -> bool:
    # SQLite reflects no constraint names for unique constraints declared inline.
    return isinstance(diff, tuple) and diff[0] in ("add_constraint", "remove_constraint")


async def test_app_on_empty_database_migrates_itself(
    empty_db_url: str, tmp_path: Path, clock: ManualClock
) -> None:
    settings = Settings.load(
        None,
        data_dir=tmp_path,
        database_url=empty_db_url,
        run_jobs=False,
        argon2_memory_kib=256,
        argon2_time_cost=1,
    )
    app = create_app(settings, clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as client:
            assert (await client.get("/readyz")).status_code == 200


async def test_readyz_reports_missing_migrations(
    empty_db_url: str, tmp_path: Path, clock: ManualClock
) -> None:
    settings = Settings.load(
        None,
        data_dir=tmp_path,
        database_url=empty_db_url,
        auto_migrate=False,
        run_jobs=False,
        argon2_memory_kib=256,
        argon2_time_cost=1,
    )
    app = create_app(settings, clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as client:
            response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
