"""Periodic jobs the relay runs in its lifespan (and tests run on demand with ``run_job``).

Each job is ``async def job(ctx: AppContext) -> None``, named by a ``"module:function"`` string so that
modules register jobs without import cycles. Relay engineer B appends the retention job here.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from server.context import AppContext

log = logging.getLogger("opgelucht.relay.jobs")

JobFunc = Callable[["AppContext"], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    target: str  # "module:function"

    def resolve(self) -> JobFunc:
        module, _, func = self.target.partition(":")
        return cast(JobFunc, getattr(importlib.import_module(module), func))


JOBS: list[Job] = [
    Job("purge_sessions", 300, "server.auth.sessions:purge_expired"),
    Job("purge_enrolments", 600, "server.auth.enrolments:purge_expired"),
    Job("purge_login_failures", 600, "server.auth.throttle:purge_expired"),
    Job("retention", 600, "server.services.retention:retention_job"),  # = retention.JOB_INTERVAL_SECONDS
]


async def run_job(ctx: AppContext, name: str) -> None:
    """Run one job now (tests use this after moving the clock)."""
    job = next(j for j in JOBS if j.name == name)
    await job.resolve()(ctx)


async def _loop(ctx: AppContext, job: Job) -> None:
    func = job.resolve()
    while True:
        try:
            await func(ctx)
        except Exception as exc:  # a failing job must not stop the others or the server
            log.error("job failed", extra={"job": job.name, "exc_type": type(exc).__name__})
        await asyncio.sleep(job.interval_seconds)


def start_jobs(ctx: AppContext) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(_loop(ctx, job), name=f"job:{job.name}") for job in JOBS]
