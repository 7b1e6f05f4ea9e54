"""Articles (self-help pages shown in the app): read by every counsellor, written by admins."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from opgelucht_relay.deps import AdminAuth, Ctx, CurrentAuth, DbSession
from opgelucht_relay.schemas import ArticleIn, ArticleList, ArticleOut, article_out
from opgelucht_relay.services import articles

router = APIRouter(prefix="/v1/org/articles", tags=["articles"])


@router.get("", response_model=ArticleList)
async def list_articles(auth: CurrentAuth, db: DbSession) -> ArticleList:
    rows = await articles.org_articles(db, auth.counsellor.org_id)
    return ArticleList(articles=[article_out(row) for row in rows])


@router.post("", status_code=201, response_model=ArticleOut)
async def create_article(body: ArticleIn, auth: AdminAuth, ctx: Ctx, db: DbSession) -> ArticleOut:
    article = await articles.create_article(
        db, auth.counsellor.org_id, body.model_dump(), ctx.clock.now(), by=auth.counsellor.id
    )
    return article_out(article)


@router.put("/{article_id}", response_model=ArticleOut)
async def update_article(
    article_id: uuid.UUID, body: ArticleIn, auth: AdminAuth, ctx: Ctx, db: DbSession
) -> ArticleOut:
    article = await articles.update_article(
        db, auth.counsellor.org_id, article_id, body.model_dump(), ctx.clock.now(), by=auth.counsellor.id
    )
    return article_out(article)


@router.delete("/{article_id}", status_code=204)
async def delete_article(article_id: uuid.UUID, auth: AdminAuth, ctx: Ctx, db: DbSession) -> Response:
    await articles.delete_article(
        db, auth.counsellor.org_id, article_id, ctx.clock.now(), by=auth.counsellor.id
    )
    return Response(status_code=204)
