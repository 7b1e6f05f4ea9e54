"""Ops data commands, registered in the ``opgelucht-relay`` group by ``server/cli.py``:
``stats`` (the same k >= 5 report as the API, no ad-hoc queries), ``purge`` (one retention pass now),
``feedback`` (read the vendor feedback; plaintext by design)."""

from __future__ import annotations

import json
from datetime import datetime

import click
from sqlalchemy import select

from server.cli import CliError, _run, _settings
from server.clock import SystemClock
from server.db import Database
from server.models.messaging import Feedback
from server.orgs import find_org
from server.services.periods import PeriodError, parse_period
from server.services.retention import purge as purge_pass
from server.services.stats import PeriodNotOver, close_buckets, noise_source, org_stats


@click.command()
@click.argument("org")
@click.argument("period")
@click.pass_context
def stats(ctx: click.Context, org: str, period: str) -> None:
    """Aggregated counts of ORG (id or exact name) for PERIOD (YYYY-MM or YYYY-Www), as JSON."""
    try:
        parsed = parse_period(period)
    except PeriodError as exc:
        raise CliError(f"PERIOD: {exc}") from None
    settings = _settings(ctx)

    async def job(db: Database) -> dict[str, object]:
        async with db.sessions() as session:
            found = await find_org(session, org)
            try:
                return await org_stats(
                    session, found.id, parsed, SystemClock().now().date(), noise_source(settings)
                )
            except PeriodNotOver as exc:
                raise CliError(str(exc)) from None

    click.echo(json.dumps(_run(settings, job), indent=2, ensure_ascii=False))


@click.command()
@click.pass_context
def purge(ctx: click.Context) -> None:
    """Run one retention pass now: expired messages and wraps, idle devices, old nonces and feedback, and
    close the statistics periods that ended (freeze their reports, drop their activity)."""
    settings = _settings(ctx)

    async def job(db: Database) -> dict[str, int]:
        async with db.sessions() as session:
            now = SystemClock().now()
            counts = await purge_pass(
                session,
                now,
                retention_days=settings.retention_days,
                idle_days=settings.device_idle_purge_days,
                feedback_days=settings.feedback_retention_days,
            )
            counts["stats_periods"] = await close_buckets(session, now.date(), noise_source(settings))
            return counts

    counts = _run(settings, job)
    click.echo(", ".join(f"{kind}: {n}" for kind, n in counts.items()))


@click.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="only feedback from this day on")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.pass_context
def feedback(ctx: click.Context, since: datetime | None, limit: int) -> None:
    """Print vendor feedback as JSON lines, newest first."""
    from datetime import UTC

    async def job(db: Database) -> list[dict[str, object]]:
        async with db.sessions() as session:
            query = select(Feedback).order_by(Feedback.created_at.desc()).limit(limit)
            if since is not None:
                query = query.where(Feedback.created_at >= since.replace(tzinfo=UTC))
            return [
                {
                    "id": str(row.id),
                    "created_at": row.created_at.isoformat(),
                    "text": row.text,
                    "org_code": row.org_code,
                    "app_version": row.app_version,
                    "session_code": row.session_code,
                }
                for row in await session.scalars(query)
            ]

    for entry in _run(_settings(ctx), job):
        click.echo(json.dumps(entry, ensure_ascii=False))
