"""Ops data commands, added to the ``opgelucht-relay`` group by ``opgelucht_relay/cli.py``:
``stats`` (the same k >= 5 report as the API, no ad-hoc queries), ``purge`` (one retention pass now),
``feedback`` (read the vendor feedback; plaintext by design)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from opgelucht_relay.cli_common import CliError, run_db, settings_of
from opgelucht_relay.clock import SystemClock
from opgelucht_relay.db import Database
from opgelucht_relay.services.blob_store import store_for
from opgelucht_relay.services.feedback import recent_feedback
from opgelucht_relay.services.orgs import find_org
from opgelucht_relay.services.periods import PeriodError, parse_period
from opgelucht_relay.services.retention import purge as purge_pass
from opgelucht_relay.services.stats import close_buckets, noise_source, org_stats


@click.command()
@click.argument("org")
@click.argument("period")
@click.pass_context
def stats(ctx: click.Context, org: str, period: str) -> None:
    """Aggregated counts of ORG (id or exact name) for PERIOD (YYYY-MM or YYYY-Www), as JSON."""
    try:
        parsed = parse_period(period)
    except PeriodError as exc:
        raise CliError(f"PERIOD: {exc.message}") from None
    settings = settings_of(ctx)

    async def job(db: Database) -> dict[str, object]:
        async with db.sessions() as session:  # a period not over: its ApiError message (RelayGroup)
            found = await find_org(session, org)
            return await org_stats(
                session, found.id, parsed, SystemClock().now().date(), noise_source(settings)
            )

    click.echo(json.dumps(run_db(settings, job), indent=2, ensure_ascii=False))


@click.command()
@click.pass_context
def purge(ctx: click.Context) -> None:
    """Run one retention pass now: expired messages, wraps and file blobs, idle devices, old nonces and
    feedback, and close the statistics periods that ended (freeze their reports, drop their activity)."""
    settings = settings_of(ctx)

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
            counts["blob_files"] = await store_for(settings).sweep(session)
            return counts

    counts = run_db(settings, job)
    click.echo(", ".join(f"{kind}: {n}" for kind, n in counts.items()))


@click.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="only feedback from this day on")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.pass_context
def feedback(ctx: click.Context, since: datetime | None, limit: int) -> None:
    """Print vendor feedback as JSON lines, newest first."""

    async def job(db: Database) -> list[dict[str, object]]:
        async with db.sessions() as session:
            from_day = None if since is None else since.replace(tzinfo=UTC)
            rows = await recent_feedback(session, from_day, limit)
            return [
                {
                    "id": str(row.id),
                    "created_at": row.created_at.isoformat(),
                    "text": row.text,
                    "org_code": row.org_code,
                    "app_version": row.app_version,
                    "session_code": row.session_code,
                }
                for row in rows
            ]

    for entry in run_db(settings_of(ctx), job):
        click.echo(json.dumps(entry, ensure_ascii=False))
