"""``GET /v1/stats?period=…``: the org's aggregated counts for a fixed period, k >= 5 (docs/stats.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from opgelucht_relay.deps import Ctx, CurrentAuth, DbSession
from opgelucht_relay.services.periods import parse_period
from opgelucht_relay.services.stats import noise_source, org_stats

router = APIRouter(tags=["stats"])


@router.get("/v1/stats", responses={400: {}, 401: {}})
async def stats(
    auth: CurrentAuth,
    ctx: Ctx,
    db: DbSession,
    period: str = Query(max_length=8, description="calendar month YYYY-MM or ISO week YYYY-Www"),
) -> dict[str, Any]:
    # 400 bad_request for a period that is not a fixed one (PeriodError) or not over yet (PeriodNotOver).
    return await org_stats(
        db, auth.counsellor.org_id, parse_period(period), ctx.clock.now().date(), noise_source(ctx.settings)
    )
