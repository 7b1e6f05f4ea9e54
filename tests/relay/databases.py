"""Throw-away test databases: SQLite files and uniquely named PostgreSQL databases."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from opgelucht_relay.db import Database
from opgelucht_relay.migrate import upgrade

T = TypeVar("T")
PG_URL = os.environ.get("OPG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def run_async(func: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running loop (own thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(func())).result()


def pg_url_for(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def unique_pg_name(prefix: str = "opg_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


async def _pg_admin() -> asyncpg.Connection:
    url = make_url(PG_URL)
    return await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
        timeout=5,
    )


async def pg_available() -> None:
    """Raises OSError / asyncpg errors when no PostgreSQL server answers."""
    conn = await _pg_admin()
    await conn.close()


async def pg_create_database(name: str, template: str | None = None) -> None:
    conn = await _pg_admin()
    try:
        suffix = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        await conn.close()


async def pg_drop_database(name: str) -> None:
    conn = await _pg_admin()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def migrate_url(url: str) -> None:
    db = Database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()
