"""``POST /v1/feedback``: feedback for the vendor, plaintext by design, read by ops with the CLI only."""

from __future__ import annotations

from fastapi import APIRouter

from opgelucht_relay.deps import Ctx, DbSession
from opgelucht_relay.schemas import FeedbackIn
from opgelucht_relay.services.feedback import store_feedback

router = APIRouter(tags=["public"])


@router.post("/v1/feedback", status_code=201)
async def feedback(body: FeedbackIn, ctx: Ctx, db: DbSession) -> dict[str, str]:
    return {"id": str(await store_feedback(db, ctx.clock.now(), body.model_dump()))}
