"""Vendor feedback (plaintext by design): stored from ``POST /v1/feedback``, read by ops with the CLI
only, deleted by the retention job ``feedback_retention_days`` after it was sent."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.models import Feedback


async def store_feedback(db: AsyncSession, now: datetime, fields: dict[str, object]) -> uuid.UUID:
    """Store one feedback item (the columns of ``Feedback`` but its id and time) and commit."""
    row = Feedback(id=uuid.uuid4(), created_at=now, **fields)
    db.add(row)
    await db.commit()
    return row.id


async def recent_feedback(db: AsyncSession, since: datetime | None, limit: int) -> list[Feedback]:
    """Feedback newest first, at most ``limit`` items, from ``since`` on when given."""
    query = select(Feedback).order_by(Feedback.created_at.desc()).limit(limit)
    if since is not None:
        query = query.where(Feedback.created_at >= since)
    return list(await db.scalars(query))
