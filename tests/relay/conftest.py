"""Relay test fixtures, parametrised over SQLite and PostgreSQL (see docs/relay-dev.md).

Each test gets a fresh database copied from a template migrated once per test session: a copied SQLite
file, or a PostgreSQL database created ``TEMPLATE`` the migrated one (dropped afterwards).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor, create_org_with_admin, enrol_admin
from sqlalchemy.engine import make_url

from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from relay.databases import (
    PG_URL,
    migrate_url,
    pg_available,
    pg_create_database,
    pg_drop_database,
    pg_url_for,
    run_async,
    unique_pg_name,
)

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("relay-template") / "relay.db"
    run_async(lambda: migrate_url(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_server() -> None:
    """Skips (with the reason) when no PostgreSQL server answers at $OPG_TEST_POSTGRES_URL."""
    try:
        run_async(pg_available)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        pytest.skip(f"PostgreSQL not reachable at {make_url(PG_URL).render_as_string()}: {exc!r}")


@pytest.fixture(scope="session")
def pg_template(pg_server: None) -> Iterator[str]:
    name = unique_pg_name("opg_tmpl")
    run_async(lambda: pg_create_database(name))
    try:
        run_async(lambda: migrate_url(pg_url_for(name)))
        yield name
    finally:
        run_async(lambda: pg_drop_database(name))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database of the current backend without any tables."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("pg_server")
    name = unique_pg_name()
    await pg_create_database(name)
    try:
        yield pg_url_for(name)
    finally:
        await pg_drop_database(name)


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
    name = unique_pg_name()
    await pg_create_database(name, template=pg_tmpl)
    try:
        yield pg_url_for(name)
    finally:
        await pg_drop_database(name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def make_test_settings(db_url: str, data_dir: Path) -> Settings:
    """Test settings: a cheap argon2 profile (production defaults are checked in test_config.py)."""
    return Settings.load(
        None,
        data_dir=data_dir,
        database_url=db_url,
        argon2_memory_kib=256,
        argon2_time_cost=1,
        run_jobs=False,
        public_url="https://relay.example.nl",
    )


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_test_settings(db_url, tmp_path / "relay-data")


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
