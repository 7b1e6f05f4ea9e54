"""Portable SQL helpers for the two backends (SQLite and PostgreSQL both support ON CONFLICT)."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def dialect_insert(dialect: str, table: Any) -> Any:
    """The dialect's INSERT construct (it has ``on_conflict_do_nothing`` / ``on_conflict_do_update``)."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_for(db: AsyncSession, model: type[DeclarativeBase]) -> Any:
    """``dialect_insert`` for the session's database."""
    return dialect_insert(db.get_bind().dialect.name, model)


async def insert_ignore(db: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when a row was inserted."""
    stmt: Insert = insert_for(db, model).values(**values).on_conflict_do_nothing()
    result = await db.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def upsert_add(
    db: AsyncSession, model: type[DeclarativeBase], keys: list[str], values: dict[str, Any], column: str
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET column = column + excluded.column (atomic)."""
    stmt = insert_for(db, model).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={column: getattr(model, column) + stmt.excluded[column]}
    )
    await db.execute(stmt)


_write_locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def write_lock(db: AsyncSession) -> AsyncIterator[None]:
    """Serialise this process's write transactions on SQLite (one writer at a time anyway): waiting on an
    asyncio lock is cheaper and fairer than SQLite's sleeping busy handler. Hold it from the first write
    until commit or rollback. No-op on PostgreSQL, whose row locks do the ordering.

    The session's current transaction is committed first, so that no request waits for the lock while
    holding a pooled connection (the lock holder may need one)."""
    bind = db.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    if db.in_transaction():
        await db.commit()
    lock = _write_locks.setdefault(bind, asyncio.Lock())
    async with lock:
        yield
