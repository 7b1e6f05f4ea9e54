"""``create_app(settings, clock)``: the relay's FastAPI application."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opgelucht_relay.clock import Clock, SystemClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import install_error_handlers
from opgelucht_relay.jobs import start_jobs
from opgelucht_relay.limits import BodyLimitMiddleware
from opgelucht_relay.metrics import Metrics
from opgelucht_relay.migrate import upgrade
from opgelucht_relay.routes import ROUTERS
from opgelucht_relay.services.blobs import max_blob_bytes
from opgelucht_relay.services.live_events import streams_end_on_exit_signals

log = logging.getLogger("opgelucht.relay")
API_VERSION = "1"


class AccessLogMiddleware:
    """One JSON log line and one counter increment per request: method, route template, status, time.

    The route *template* (``/v1/org/codes/{code}``) is logged, never the concrete path, the client
    address, query strings or headers.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

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
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], template, str(status)).inc()
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the relay. The lifespan migrates the database (if ``auto_migrate``) and runs the jobs."""
    settings = settings or Settings.load()
    ctx = AppContext.build(settings, clock or SystemClock())

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        if not settings.database_url:  # the default SQLite file lives in data_dir
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        if settings.auto_migrate:
            await upgrade(ctx.db)
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
            await ctx.db.dispose()

    app = FastAPI(
        title="Opgelucht relay",
        version=API_VERSION,
        description="Stores ciphertext, public keys and aggregated counts. See docs/api.md.",
        lifespan=lifespan,
        redirect_slashes=False,  # a redirect would build Location from the request's Host header
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        large_limit=settings.max_message_body_bytes,
        blob_limit=max_blob_bytes(settings),
    )
    app.add_middleware(AccessLogMiddleware, metrics=ctx.metrics)
    return app
