"""``create_app(settings, clock)``: the relay's FastAPI application."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opgelucht_relay.clock import Clock, SystemClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.db import sqlite_path
from opgelucht_relay.errors import install_error_handlers
from opgelucht_relay.jobs import start_jobs
from opgelucht_relay.limits import BodyLimitMiddleware
from opgelucht_relay.metrics import Metrics
from opgelucht_relay.migrate import upgrade
from opgelucht_relay.routes import ROUTERS
from opgelucht_relay.routes.hot import LeanRoutes
from opgelucht_relay.services.blobs import max_blob_bytes
from opgelucht_relay.services.live_events import streams_end_on_exit_signals
from opgelucht_relay.services.sqlite_writer import SqliteWriter

log = logging.getLogger("opgelucht.relay")
API_VERSION = "1"


class RequestLog:
    """One JSON log line and one counter increment per request: method, route template, status, time.

    The route *template* (``/v1/org/codes/{code}``) is logged, never the concrete path, the client
    address, query strings or headers. Used by :class:`AccessLogMiddleware` (every route) and by the
    lean routes at the top of the stack (opgelucht_relay/routes/hot.py ``LeanRoutes``).
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._counters: dict[tuple[str, str, int], Any] = {}  # labelled children, looked up once

    def record(self, method: str, template: str, status: int, started: float) -> None:
        counter = self._counters.get((method, template, status))
        if counter is None:
            counter = self.metrics.requests.labels(method, template, str(status))
            if len(self._counters) < 10_000:  # bounded: templates and statuses are few
                self._counters[(method, template, status)] = counter
        counter.inc()
        if log.isEnabledFor(logging.INFO):  # building the record is most of this function's cost
            ms = round((time.perf_counter() - started) * 1000, 1)
            log.info("request", extra={"method": method, "route": template, "status": status, "ms": ms})


class AccessLogMiddleware:
    """The :class:`RequestLog` of every request that reaches FastAPI's stack."""

    def __init__(self, app: ASGIApp, request_log: RequestLog) -> None:
        self.app = app
        self.record = request_log.record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            self.record(scope["method"], getattr(route, "path", None) or "unmatched", status, started)


class RelayApp(FastAPI):
    """The relay's FastAPI app with the lean routes (opgelucht_relay/routes/hot.py) served at its very
    top: their POSTs are answered before FastAPI's middleware stack (the server-error layer, the relay's
    middlewares, the exception and exit-stack layers, the router). The profile put ~16 % of a post's
    samples in those frames, but most of that was the work they wrap: answering here saves ~13 µs per
    post (docs/benchmarks.md "Relay speed (wrk): lean routes at the top of the stack").
    ``LeanRoutes`` does what they do for these routes. Every other request goes through the stack."""

    lean: LeanRoutes | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lean = self.lean
        if lean is not None and scope["type"] == "http":
            if self.root_path:  # as FastAPI.__call__, before the match
                scope["root_path"] = self.root_path
            found = lean.match(scope)
            if found is not None:
                scope["app"] = self  # as Starlette.__call__ (the endpoints read app.state)
                await lean.serve(found[0], found[1], scope, receive, send)
                return
        await super().__call__(scope, receive, send)


async def start_fast_paths(ctx: AppContext) -> None:
    """SQLite: the writer thread; PostgreSQL: the raw asyncpg pool of the post path (docs/relay.md)."""
    path = sqlite_path(ctx.db.url)
    if path is not None:
        writer = SqliteWriter(path, group_commit=ctx.settings.sqlite_group_commit)
        await asyncio.to_thread(writer.start)
        ctx.writer = writer
    elif ctx.db.dialect == "postgresql":
        import asyncpg

        dsn = make_url(ctx.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        size = ctx.settings.db_pool_size
        # The post statement's plan is the same for every post (primary-key lookups): plan it once
        # per connection instead of once per execution (PostgreSQL's first five are custom plans).
        settings = {"plan_cache_mode": "force_generic_plan"}
        ctx.pg_pool = await asyncpg.create_pool(
            dsn, min_size=min(4, size), max_size=size, server_settings=settings
        )


async def stop_fast_paths(ctx: AppContext) -> None:
    if ctx.writer is not None:
        writer, ctx.writer = ctx.writer, None
        await writer.aclose()  # the queued jobs finish (and commit) first
    if ctx.pg_writer is not None:
        pg_writer, ctx.pg_writer = ctx.pg_writer, None
        await pg_writer.aclose()  # the queued posts finish (and commit) first
    if ctx.pg_pool is not None:
        pool, ctx.pg_pool = ctx.pg_pool, None
        await pool.close()


def freeze_startup_heap() -> None:
    """For a serving process (``opgelucht-relay serve``), once its app is built: move every object alive
    now (modules, routes, schemas, SQLAlchemy metadata: ~130,000 objects) out of the garbage
    collector's generations, so that its full collections under load scan only what requests
    allocate. Before, each full collection took ~120 ms of a post run's CPU (and stalled every request
    in flight); docs/benchmarks.md "Relay speed (wrk): lean route profiled". Not for tests, which build
    many apps in one process (frozen objects are never collected)."""
    gc.collect()
    gc.freeze()


def create_served_app() -> RelayApp:
    """The factory of ``serve --workers N``: each worker's app, its start-up heap frozen."""
    app = create_app()
    freeze_startup_heap()
    return app


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> RelayApp:
    """Build the relay. The lifespan migrates the database (if ``auto_migrate``) and runs the jobs."""
    settings = settings or Settings.load()
    ctx = AppContext.build(settings, clock or SystemClock())

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        if not settings.database_url:  # the default SQLite file lives in data_dir
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        if settings.auto_migrate:
            await upgrade(ctx.db)
        await start_fast_paths(ctx)
        tasks = start_jobs(ctx) if settings.run_jobs else []
        try:
            with streams_end_on_exit_signals(application.state):  # else SIGTERM waits for open live streams
                yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with suppress(asyncio.CancelledError):
                    await task
            await stop_fast_paths(ctx)
            await ctx.db.dispose()

    app = RelayApp(
        title="Opgelucht relay",
        version=API_VERSION,
        description="Stores ciphertext, public keys and aggregated counts. See docs/api.md.",
        lifespan=lifespan,
        redirect_slashes=False,  # a redirect would build Location from the request's Host header
        # FastAPI's native OpenTelemetry off: the relay counts with its own Prometheus counters, and
        # spans would carry concrete paths (conversation ids) and, if configured, request bodies. Off,
        # it also no longer looks up the global OTel providers (environment reads) on every request:
        # ~3 % of a message post's CPU (docs/benchmarks.md "Relay speed (wrk): lean route profiled").
        telemetry={"tracing": False, "metrics": False, "logs": False, "auto_configure": False},
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    # The lean routes (docs/relay.md "Fast paths") are answered by app.lean before this stack; the
    # FastAPI routes of the same paths stay for the OpenAPI document, which lists FastAPI routes only.
    request_log = RequestLog(ctx.metrics)
    app.lean = LeanRoutes(
        default_limit=settings.max_body_bytes,
        large_limit=settings.max_message_body_bytes,
        record=request_log.record,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        large_limit=settings.max_message_body_bytes,
        blob_limit=max_blob_bytes(settings),
    )
    app.add_middleware(AccessLogMiddleware, request_log=request_log)
    return app
