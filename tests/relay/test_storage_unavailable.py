"""Storage that cannot be used right now (a full disk, PostgreSQL stopped or restarting) is a 503
``unavailable`` with ``Retry-After``, not a 500: found against a running relay, where a full tmpfs under
SQLite and a PostgreSQL restart under load both answered ``500 internal_error`` to every post until
the storage was back. Nothing of a refused request is stored; the relay serves again once it is."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import generate_latest
from sqlalchemy import event, func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from opgelucht_relay.context import AppContext
from opgelucht_relay.logs import JsonFormatter
from opgelucht_relay.models import Feedback
from opgelucht_relay.services import hot_paths
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


async def test_lean_route_failures_are_answered_at_the_top_of_the_stack(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The lean routes are answered before FastAPI's stack (routes/hot.py ``LeanRoutes``): a failure
    there is still the 503 (storage unavailable) or the bare 500, logged by type and route template,
    counted under the template, and nothing reaches the server (its connection stays open)."""
    secret = "SELECT secret FROM internals"
    failure: list[Exception] = []

    async def failing(*_args: Any) -> Any:
        raise failure[0]

    monkeypatch.setattr(hot_paths, "verify", failing)
    caplog.set_level(logging.INFO, logger="opgelucht")
    template = "/v1/device/conversations/{conv_id}/messages"
    path = f"/v1/device/conversations/{uuid.uuid4()}/messages"
    transport = httpx.ASGITransport(app=app)  # raises what the app raises: nothing may
    async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as raw:
        failure[:] = [ConnectionRefusedError(secret)]
        refused = await raw.post(path, json={"envelope": "AAAA"})
        assert_clean_error(refused, 503, "unavailable")
        assert refused.headers["retry-after"] == "2"
        failure[:] = [RuntimeError(secret)]
        bug = await raw.post(path, json={"envelope": "AAAA"})
        assert_clean_error(bug, 500, "internal_error")
        assert bug.json() == {"error": {"code": "internal_error", "message": "Internal error."}}
    errors = [r for r in caplog.records if r.getMessage() in ("storage unavailable", "unhandled error")]
    assert [(r.getMessage(), r.__dict__["exc_type"], r.__dict__["route"]) for r in errors] == [
        ("storage unavailable", "ConnectionRefusedError", template),
        ("unhandled error", "RuntimeError", template),
    ]
    access = [r.__dict__ for r in caplog.records if r.getMessage() == "request"]
    assert [(r["method"], r["route"], r["status"]) for r in access] == [
        ("POST", template, 503),
        ("POST", template, 500),
    ]
    text = JsonFormatter().format(errors[0]) + "".join(JsonFormatter().format(r) for r in caplog.records)
    assert secret not in text and path not in text
    ctx: AppContext = app.state.ctx
    exposition = generate_latest(ctx.metrics.registry).decode()
    assert f'method="POST",route="{template}",status="500"' in exposition
