"""Job: delete enrolments that were started but never finished in time (they hold a username)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from server import audit
from server.models import Counsellor
from server.models.accounts import STATUS_PENDING

if TYPE_CHECKING:
    from server.context import AppContext


async def purge_expired(ctx: AppContext) -> None:
    now = ctx.clock.now()
    async with ctx.db.sessions() as db:
        stale = (
            await db.execute(
                select(Counsellor).where(
                    Counsellor.status == STATUS_PENDING, Counsellor.enrolment_expires_at <= now
                )
            )
        ).scalars()
        for counsellor in stale:
            audit.record(
                db, "enrolment_expired", at=now, org_id=counsellor.org_id, counsellor_id=counsellor.id
            )
            await db.delete(counsellor)
        await db.commit()
