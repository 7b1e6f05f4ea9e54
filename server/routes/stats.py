"""``GET /v1/stats?period=…``: the org's aggregated counts for a fixed period, k >= 5 (docs/stats.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from server.deps import Ctx, CurrentAuth, DbSession
from server.errors import bad_request
from server.services.periods import PeriodError, parse_period
from server.services.stats import PeriodNotOver, noise_source, org_stats

router = APIRouter(tags=["stats"])


@router.get("/v1/stats", responses={400: {}, 401: {}})
async def stats(
    auth: CurrentAuth,
    ctx: Ctx,
    db: DbSession,
    period: str = Query(max_length=8, description="calendar month YYYY-MM or ISO week YYYY-Www"),
) -> dict[str, Any]:
    try:
        parsed = parse_period(period)
        return await org_stats(
            db, auth.counsellor.org_id, parsed, ctx.clock.now().date(), noise_source(ctx.settings)
        )
    except (PeriodError, PeriodNotOver) as exc:
        raise bad_request(str(exc)) from None
