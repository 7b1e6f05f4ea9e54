"""Relay test fixtures, parametrised over SQLite and PostgreSQL (see docs/relay-dev.md).

Each test gets a fresh database copied from a template migrated once per test session: a copied SQLite
file, or a PostgreSQL database created ``TEMPLATE`` the migrated one (dropped afterwards).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from relay.helpers import Actor, create_org_with_admin, enrol_admin
from server.app import create_app
from server.clock import ManualClock
from server.config import Settings
from server.context import AppContext
from server.db import Database
from server.migrate import upgrade

T = TypeVar("T")
PG_URL = os.environ.get("OPG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pg_url_for(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


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


def run_async(func: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running loop (own thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(func())).result()


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("relay-template") / "relay.db"
    run_async(lambda: _migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    try:
        run_async(_check_pg)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        pytest.skip(f"PostgreSQL not reachable at {make_url(PG_URL).render_as_string()}: {exc!r}")
    name = f"opg_tmpl_{uuid.uuid4().hex[:12]}"
    run_async(lambda: pg_create_database(name))
    try:
        run_async(lambda: _migrate(pg_url_for(name)))
        yield name
    finally:
        run_async(lambda: pg_drop_database(name))


async def _check_pg() -> None:
    conn = await _pg_admin()
    await conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database of the current backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "relay.db"
        shutil.copyfile(template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    pg_tmpl: str = request.getfixturevalue("pg_template")
    name = f"opg_test_{uuid.uuid4().hex[:12]}"
    await pg_create_database(name, template=pg_tmpl)
    try:
        yield pg_url_for(name)
    finally:
        await pg_drop_database(name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Test settings: a cheap argon2 profile (production defaults are checked in test_passwords.py)."""
    return Settings.load(
        None,
        data_dir=tmp_path / "relay-data",
        database_url=db_url,
        argon2_memory_kib=256,
        argon2_time_cost=1,
        run_jobs=False,
        public_url="https://relay.example.nl",
    )


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[FastAPI]:
    """The relay app with its lifespan running (migrations, no background jobs)."""
    application = create_app(settings, clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def ctx(app: FastAPI) -> AppContext:
    context: AppContext = app.state.ctx
    return context


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as http:
        yield http


@pytest.fixture
async def admin(client: httpx.AsyncClient, ctx: AppContext, clock: ManualClock) -> Actor:
    """An org with a key and roster v1, its enrolled admin (password + TOTP), logged in."""
    org_id, invitation = await create_org_with_admin(ctx, "Gemeente Testdorp")
    return await enrol_admin(client, clock, org_id, invitation, username="admin1")
