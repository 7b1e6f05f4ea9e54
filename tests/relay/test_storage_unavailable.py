"""Storage that cannot be used right now (a full disk, PostgreSQL stopped or restarting) is a 503
``unavailable`` with ``Retry-After``, not a 500: found against a running relay, where a full tmpfs under
SQLite and a PostgreSQL restart under load both answered ``500 internal_error`` to every post until
the storage was back. Nothing of a refused request is stored; the relay serves again once it is."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from opgelucht_relay.context import AppContext
from opgelucht_relay.models import Feedback
from relay.test_errors import assert_clean_error


def _full(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA max_page_count = 1")  # clamped to the current size: no page may be added
    cursor.close()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_full_sqlite_database_answers_503_and_loses_nothing(
    client: httpx.AsyncClient, ctx: AppContext
) -> None:
    await ctx.db.dispose()
    event.listen(ctx.db.engine.sync_engine, "connect", _full)
    answers: list[tuple[int, str]] = []
    for i in range(60):  # each text fills most of a page: the file must grow within a few
        text = f"feedback {i:02d} " + "x" * 3000
        response = await client.post("/v1/feedback", json={"text": text})
        if response.status_code != 201:
            assert_clean_error(response, 503, "unavailable")
            assert response.headers["retry-after"] == "2"
        answers.append((response.status_code, text))
    assert {status for status, _ in answers} == {201, 503}
    await ctx.db.dispose()
    event.remove(ctx.db.engine.sync_engine, "connect", _full)
    async with ctx.db.sessions() as db:
        stored = set(await db.scalars(select(Feedback.text)))
    assert stored == {text for status, text in answers if status == 201}  # acknowledged kept, refused not
    assert (await client.post("/v1/feedback", json={"text": "space again"})).status_code == 201
    async with ctx.db.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Feedback)) == len(stored) + 1


async def test_a_database_that_refuses_connections_answers_503_on_the_lean_routes(app: FastAPI) -> None:
    """The lean post routes (plain Starlette routes, routes/hot.py) end in the error middleware: a real
    asyncpg connection refused there is a 503 too, while any other exception stays the bare 500."""

    async def down(_request: Request) -> Response:
        await asyncpg.connect("postgresql://postgres@127.0.0.1:1/none", timeout=5)  # nothing listens
        raise AssertionError("unreachable")

    async def bug(_request: Request) -> Response:
        raise RuntimeError("SELECT secret FROM internals")

    app.router.routes.insert(0, Route("/v1/test-db-down", down, methods=["POST"]))
    app.router.routes.insert(0, Route("/v1/test-bug", bug, methods=["POST"]))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as raw:
        refused = await raw.post("/v1/test-db-down")
        assert_clean_error(refused, 503, "unavailable")
        assert refused.headers["retry-after"] == "2"
        assert_clean_error(await raw.post("/v1/test-bug"), 500, "internal_error")
