"""SECURITY-TESTS 25 and 21: schemathesis fuzzes the relay's HTTP API from its own OpenAPI document, on
SQLite and on PostgreSQL (which refuses text SQLite takes, e.g. NUL: issue 9 item 7); no input gives a
5xx, and every error body keeps the ``{"error": {"code", "message"}}`` shape without stack traces.
Bounded examples per operation keep this under a minute per backend."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from kit.actors import create_org_with_admin, enrol_admin
from schemathesis.core.result import Ok
from sqlalchemy.pool import NullPool

from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.db import Database
from opgelucht_relay.migrate import upgrade
from relay.conftest import BACKENDS
from relay.databases import pg_create_database, pg_drop_database, pg_url_for, run_async, unique_pg_name


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def relay_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "relay.db"
    pg_name = None
    if request.param == "postgres":
        request.getfixturevalue("pg_server")
        pg_name = unique_pg_name("opg_fuzz")
        run_async(lambda: pg_create_database(pg_name))
        url = pg_url_for(pg_name)
    else:
        url = f"sqlite+aiosqlite:///{path}"
    try:
        asyncio.run(_migrate(url))
        config = Settings.load(
            None, data_dir=path.parent, database_url=url, auto_migrate=False, run_jobs=False,
            argon2_memory_kib=256, argon2_time_cost=1,
        )  # fmt: skip
        app = create_app(config, ManualClock())
        # schemathesis drives the ASGI app from its own event loops: no pooled connections across loops
        app.state.ctx.db = Database(url, poolclass=NullPool)
        yield app
    finally:
        if pg_name is not None:
            run_async(lambda: pg_drop_database(pg_name))


async def _admin_token(app: FastAPI) -> str:
    ctx = app.state.ctx
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as client:
        org_id, invitation = await create_org_with_admin(ctx, "Fuzz org")
        admin = await enrol_admin(client, ctx.clock, org_id, invitation, username="fuzzadmin")
    return admin.token


# Operations fuzzed without the session: they would end it (logout) or stream until it ends (events).
WITHOUT_SESSION = {
    ("POST", "/v1/auth/logout"),
    ("DELETE", "/v1/auth/sessions/{id}"),
    ("GET", "/v1/inbox/events"),
}


def fuzz_operation(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case: Any) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, f"{case.method} {case.path} answered {response.status_code}"
        content_type = (response.headers.get("content-type") or [""])[0]
        if response.status_code >= 400 and content_type.startswith("application/json"):
            assert set(response.json()["error"]) == {"code", "message"}
            assert "Traceback" not in response.text

    fuzz()


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_no_input_gives_a_server_error(relay_app: FastAPI) -> None:
    token = asyncio.run(_admin_token(relay_app))
    schema = schemathesis.openapi.from_asgi("/openapi.json", relay_app)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) > 30
    for operation in operations:
        without = (operation.method.upper(), operation.path) in WITHOUT_SESSION
        fuzz_operation(operation, {} if without else {"Authorization": f"Bearer {token}"})
