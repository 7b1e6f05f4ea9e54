"""``POST /v1/feedback``: feedback for the vendor, plaintext by design, read by ops with the CLI only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import Field

from server.deps import Ctx, DbSession
from server.models.messaging import Feedback
from server.schemas import Strict

router = APIRouter(tags=["public"])


class FeedbackIn(Strict):
    text: str = Field(min_length=1, max_length=5000)
    org_code: str | None = Field(default=None, max_length=32)
    device_id: uuid.UUID | None = None
    session_code: str | None = Field(default=None, max_length=64)
    app_version: str | None = Field(default=None, max_length=32)


@router.post("/v1/feedback", status_code=201)
async def feedback(body: FeedbackIn, ctx: Ctx, db: DbSession) -> dict[str, str]:
    row = Feedback(id=uuid.uuid4(), created_at=ctx.clock.now(), **body.model_dump())
    db.add(row)
    await db.commit()
    return {"id": str(row.id)}
