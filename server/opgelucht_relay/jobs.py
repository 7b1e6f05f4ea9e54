"""Periodic jobs the relay runs in its lifespan (and tests run on demand with ``run_job``).

Each job is ``async def job(ctx: AppContext) -> None``, imported here like any other function.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from opgelucht_relay.auth import enrolments, sessions, throttle
from opgelucht_relay.context import AppContext
from opgelucht_relay.services import register, retention

log = logging.getLogger("opgelucht.relay.jobs")

JobFunc = Callable[[AppContext], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: JobFunc


async def purge_login_failures(ctx: AppContext) -> None:
    await throttle.purge_expired(ctx.db, ctx.clock.now())  # throttle.py sits below AppContext


JOBS: tuple[Job, ...] = (
    Job("purge_sessions", 300, sessions.purge_expired),
    Job("purge_enrolments", 600, enrolments.purge_expired),
    Job("purge_login_failures", 600, purge_login_failures),
    Job("retention", retention.JOB_INTERVAL_SECONDS, retention.retention_job),
    Job("register_retention", register.JOB_INTERVAL_SECONDS, register.retention_job),
)


async def run_job(ctx: AppContext, name: str) -> None:
    """Run one job now (tests use this after moving the clock)."""
    job = next(j for j in JOBS if j.name == name)
    await job.run(ctx)


async def _loop(ctx: AppContext, job: Job) -> None:
    while True:
        try:
            await job.run(ctx)
        except Exception as exc:  # a failing job must not stop the others or the server
            log.error("job failed", extra={"job": job.name, "exc_type": type(exc).__name__})
        await asyncio.sleep(job.interval_seconds)


def start_jobs(ctx: AppContext) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(_loop(ctx, job), name=f"job:{job.name}") for job in JOBS]
