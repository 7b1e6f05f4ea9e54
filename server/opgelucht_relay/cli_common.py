"""What every ``opgelucht-relay`` command shares: the one-line error, the command group that turns any
failure into it, the settings of the invocation and running database work. The group itself and the ops
commands are in ``cli.py``; the data commands in ``cli_data.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from opgelucht_relay.config import Settings
from opgelucht_relay.db import Database
from opgelucht_relay.errors import ApiError
from opgelucht_relay.migrate import upgrade

T = TypeVar("T")


class CliError(click.ClickException):
    """Every failure of a command: one line ``Error: …`` on stderr and exit code 2, never a traceback."""

    exit_code = 2


def one_line(text: str) -> str:
    return " ".join(text.split())


def describe_failure(exc: Exception) -> str:
    """One line saying what went wrong, for an error no command anticipated."""
    if isinstance(exc, ApiError):
        if exc.code == "not_found":
            return "organisation not found (give its id or its exact, unique name)"
        return one_line(exc.message)
    if isinstance(exc, DBAPIError):  # the driver's own message: no SQL, no parameters
        return f"database error: {one_line(str(exc.orig)) or type(exc.orig).__name__}"
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {one_line(str(exc)).split(' (Background on this error')[0]}"
    if isinstance(exc, OSError):
        return f"cannot reach the database or a file: {one_line(str(exc)) or type(exc).__name__}"
    return f"unexpected {type(exc).__name__}; see the relay documentation (docs/operations.md)"


def usage_line(exc: click.UsageError) -> CliError:
    """A mistyped command line as one line naming the problem and where help is, instead of click's
    usage block (usage, hint and error on three or four lines)."""
    path = exc.ctx.command_path if exc.ctx is not None else "opgelucht-relay"
    return CliError(f"{one_line(exc.format_message())} (see '{path} --help')")


class RelayGroup(click.Group):
    """The command group: any exception a command did not turn into a click error becomes one line, and
    so does a mistyped command line (the group's own options or a command's)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise usage_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise usage_line(exc) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            raise CliError(describe_failure(exc)) from None


def settings_of(ctx: click.Context) -> Settings:
    """The settings the group loaded for this invocation."""
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def run_db(settings: Settings, job: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``job`` against a migrated database, then close it."""

    async def main() -> T:
        if not settings.database_url:  # the default SQLite file lives in data_dir
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.db_url)
        try:
            await upgrade(db)
            return await job(db)
        finally:
            await db.dispose()

    return asyncio.run(main())
