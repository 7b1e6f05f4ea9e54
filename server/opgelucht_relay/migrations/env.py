"""Alembic environment. ``opgelucht_relay.migrate`` passes a live connection in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import opgelucht_relay.models  # noqa: F401  (registers every table)
from opgelucht_relay.db import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through `opgelucht-relay migrate` (opgelucht_relay.migrate), not bare alembic"
    )
_run(connection)
