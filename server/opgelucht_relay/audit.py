"""The audit log: events with ids, roles, versions and outcomes; never content, tokens or addresses."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.models import AuditEvent

log = logging.getLogger("opgelucht.relay.audit")

_ALLOWED_VALUE_TYPES = (str, int, bool, type(None))


def _clean(value: Any) -> str | int | bool | None:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, _ALLOWED_VALUE_TYPES):
        return value
    raise TypeError(f"audit field of type {type(value).__name__} not allowed (ids and numbers only)")


def record(
    session: AsyncSession,
    event: str,
    *,
    at: datetime | None = None,
    org_id: uuid.UUID | None = None,
    **fields: Any,
) -> AuditEvent:
    """Add an audit event to ``session`` (committed with the caller's transaction) and log it.

    Pass ``at=ctx.clock.now()`` so that tests travelling in time see consistent times (the system clock
    otherwise). ``fields`` are ids, counts, roles, versions or outcomes: never message text, pseudonyms,
    tokens, passwords or addresses.
    """
    clean = {key: _clean(value) for key, value in fields.items()}
    row = AuditEvent(at=at or datetime.now(UTC), org_id=org_id, event=event, fields=clean)
    session.add(row)
    log.info("audit", extra={"event": event, "org_id": str(org_id) if org_id else None, **clean})
    return row
