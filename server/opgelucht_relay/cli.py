"""``opgelucht-relay``: the relay's ops command line. The group and the ops commands (serve, migrate,
orgs, codes, invitations) are here; the data commands (stats, purge, feedback) in ``cli_data.py``; what
both share in ``cli_common.py``."""

from __future__ import annotations

import logging.config
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from opgelucht_relay import cli_data
from opgelucht_relay.app import create_app, create_served_app, freeze_startup_heap
from opgelucht_relay.cli_common import CliError, RelayGroup, one_line, run_db, settings_of
from opgelucht_relay.clock import SystemClock
from opgelucht_relay.config import CONFIG_ENV, Settings
from opgelucht_relay.db import Database
from opgelucht_relay.logs import logging_config
from opgelucht_relay.metrics import MetricsListenerError, metrics_listener, workers_metrics_listener
from opgelucht_relay.migrate import current_revision
from opgelucht_relay.models.accounts import ROLE_ADMIN, ROLE_COUNSELLOR
from opgelucht_relay.schemas import code_qr_payload, plain_name
from opgelucht_relay.services.orgs import create_code, create_invitation, create_org, find_org


@contextmanager
def _clear_errors() -> Iterator[None]:
    """A metrics port that cannot be used is one clear line, not a traceback."""
    try:
        yield
    except MetricsListenerError as exc:
        raise CliError(str(exc)) from None


@click.group(cls=RelayGroup)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="OPG_RELAY_CONFIG",
    help="TOML settings file (default: $OPG_RELAY_CONFIG; OPG_RELAY_* variables override it).",
)
@click.pass_context
def main(ctx: click.Context, config_file: Path | None) -> None:
    """Opgelucht relay: operate the server that stores ciphertext for Opgelucht Desk."""
    try:
        ctx.obj = Settings.load(config_file)
    except ValidationError as exc:  # the fields and problems only: a value may be a secret (metrics_token)
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
            for e in exc.errors(include_input=False)
        )
        raise CliError(f"invalid relay settings: {problems}") from None
    except Exception as exc:  # TOML syntax errors, a missing config file
        raise CliError(f"invalid relay settings: {one_line(str(exc))}") from None


# Seconds uvicorn waits at shutdown for open requests before it cancels them (live streams end at
# once on SIGTERM; this bounds a slow request). The systemd unit's TimeoutStopSec leaves room above it.
GRACEFUL_SHUTDOWN_SECONDS = 3


def _exit_cleanly(_signal: int, _frame: FrameType | None) -> NoReturn:
    """SIGTERM outside uvicorn's own handling, including the copy it raises again after its graceful
    shutdown: exit with status 0 (a requested stop is not a failure for systemd or a container). As
    the default action would, skip the interpreter's teardown (seconds of CPU for a loaded app)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@main.command()
@click.option("--host", help="Address to listen on (default: the host setting, 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="Port to listen on (default: the port setting, 8080)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes (PostgreSQL only: SQLite's live events reach one process's subscribers).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int) -> None:
    """Run the relay (uvicorn). SIGTERM or SIGINT end the live streams and stop it within seconds."""
    import uvicorn

    settings = settings_of(ctx)
    config = logging_config(settings.log_level)
    logging.config.dictConfig(config)
    options: dict[str, Any] = {
        "host": settings.host if host is None else host,
        "port": settings.port if port is None else port,
        "log_config": config,
        "access_log": False,  # our own access log omits client addresses
        "proxy_headers": settings.proxy_headers,
        "server_header": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }
    signal.signal(signal.SIGTERM, _exit_cleanly)
    if workers == 1:
        app = create_app(settings)
        freeze_startup_heap()
        with _clear_errors(), metrics_listener(settings, app.state.ctx.metrics.registry):
            uvicorn.run(app, **options)
        return
    if make_url(settings.db_url).get_backend_name() != "postgresql":
        raise click.UsageError("--workers above 1 needs PostgreSQL (database_url); SQLite runs one process")
    if settings.auto_migrate:  # once here, not concurrently in every worker
        run_db(settings, current_revision)
    # Each worker process builds its app from the same settings: the config file and environment.
    config_file = ctx.find_root().params.get("config_file")
    if config_file is not None:
        os.environ[CONFIG_ENV] = str(config_file)
    os.environ["OPG_RELAY_AUTO_MIGRATE"] = "false"
    with _clear_errors(), workers_metrics_listener(settings):  # first: the workers inherit its setup
        factory = f"{create_served_app.__module__}:{create_served_app.__name__}"  # each worker imports it
        uvicorn.run(factory, factory=True, workers=workers, **options)


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Create or upgrade the database schema to the current version."""
    revision = run_db(settings_of(ctx), current_revision)
    click.echo(f"database at revision {revision}")


@main.command("create-org")
@click.argument("name")
@click.pass_context
def create_org_command(ctx: click.Context, name: str) -> None:
    """Create an organisation and print its id and a first admin invitation (valid 7 days)."""
    settings = settings_of(ctx)
    if not name.strip() or len(name) > 200:
        raise CliError("NAME: 1..200 characters")
    try:
        plain_name(name)
    except ValueError as exc:
        raise CliError(f"NAME: {exc}") from None

    async def job(db: Database) -> tuple[str, str]:
        clock = SystemClock()
        async with db.sessions() as session:
            org = await create_org(session, name.strip(), clock.now())
            secret, _ = await create_invitation(session, org, ROLE_ADMIN, settings, clock.now())
            await session.commit()
            return str(org.id), secret

    org_id, invitation = run_db(settings, job)
    click.echo(f"org id: {org_id}")
    click.echo(f"admin invitation: {invitation}")


@main.command("create-code")
@click.argument("org")
@click.option("--label", required=True, help="What the code is for, e.g. 'poster main office'.")
@click.option(
    "--qr-png",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the join QR code as a PNG image (needs the org key: enrol the first admin first).",
)
@click.pass_context
def create_code_command(ctx: click.Context, org: str, label: str, qr_png: Path | None) -> None:
    """Create an org code for ORG (org id or unique name) and print it."""
    settings = settings_of(ctx)
    if not label.strip() or len(label) > 200:
        raise CliError("--label: 1..200 characters")

    async def job(db: Database) -> tuple[str, str | None]:
        async with db.sessions() as session:
            org_row = await find_org(session, org)
            code = await create_code(session, org_row, label.strip(), SystemClock().now())
            payload = code_qr_payload(code, org_row, settings)
            if qr_png is not None and payload is None:
                raise CliError(
                    "the organisation has no org key yet, so no QR code can pin it; "
                    "enrol the first admin, then run create-code again"
                )
            await session.commit()
            return code.code, payload

    code, payload = run_db(settings, job)
    click.echo(f"org code: {code}")
    if payload is not None:
        click.echo(f"qr payload: {payload}")
    if qr_png is not None and payload is not None:
        import qrcode

        qrcode.make(payload).save(str(qr_png))
        click.echo(f"qr image: {qr_png}")


@main.command()
@click.argument("org")
@click.option("--admin", is_flag=True, help="Invite an org admin instead of a counsellor.")
@click.pass_context
def invite(ctx: click.Context, org: str, admin: bool) -> None:
    """Print a one-time invitation (valid 7 days) for ORG (org id or unique name)."""
    settings = settings_of(ctx)

    async def job(db: Database) -> str:
        async with db.sessions() as session:
            org_row = await find_org(session, org)
            role = ROLE_ADMIN if admin else ROLE_COUNSELLOR
            secret, _ = await create_invitation(session, org_row, role, settings, SystemClock().now())
            await session.commit()
            return secret

    click.echo(f"invitation: {run_db(settings, job)}")


for _command in (cli_data.stats, cli_data.purge, cli_data.feedback):
    main.add_command(_command)
