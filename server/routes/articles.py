"""Articles (self-help pages shown in the app): read by every counsellor, written by admins."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from sqlalchemy import select

from server import audit
from server.deps import AdminAuth, Ctx, CurrentAuth, DbSession
from server.errors import not_found
from server.models import Article
from server.schemas import ArticleIn, ArticleList, ArticleOut
from server.views import article_out

router = APIRouter(prefix="/v1/org/articles", tags=["articles"])


async def _own(db: DbSession, auth: CurrentAuth, article_id: uuid.UUID) -> Article:
    article = await db.get(Article, article_id)
    if article is None or article.org_id != auth.counsellor.org_id:
        raise not_found()
    return article


@router.get("", response_model=ArticleList)
async def list_articles(auth: CurrentAuth, db: DbSession) -> ArticleList:
    rows = (
        await db.execute(
            select(Article).where(Article.org_id == auth.counsellor.org_id).order_by(Article.created_at)
        )
    ).scalars()
    return ArticleList(articles=[article_out(row) for row in rows])


@router.post("", status_code=201, response_model=ArticleOut)
async def create_article(body: ArticleIn, auth: AdminAuth, ctx: Ctx, db: DbSession) -> ArticleOut:
    now = ctx.clock.now()
    article = Article(
        id=uuid.uuid4(), org_id=auth.counsellor.org_id, created_at=now, updated_at=now, **body.model_dump()
    )
    db.add(article)
    audit.record(
        db, "article_created", at=now, org_id=article.org_id, article_id=article.id, by=auth.counsellor.id
    )
    await db.commit()
    return article_out(article)


@router.put("/{article_id}", response_model=ArticleOut)
async def update_article(
    article_id: uuid.UUID, body: ArticleIn, auth: AdminAuth, ctx: Ctx, db: DbSession
) -> ArticleOut:
    article = await _own(db, auth, article_id)
    for key, value in body.model_dump().items():
        setattr(article, key, value)
    article.updated_at = ctx.clock.now()
    audit.record(
        db,
        "article_updated",
        at=article.updated_at,
        org_id=article.org_id,
        article_id=article.id,
        by=auth.counsellor.id,
    )
    await db.commit()
    return article_out(article)


@router.delete("/{article_id}", status_code=204)
async def delete_article(article_id: uuid.UUID, auth: AdminAuth, ctx: Ctx, db: DbSession) -> Response:
    article = await _own(db, auth, article_id)
    await db.delete(article)
    audit.record(
        db,
        "article_deleted",
        at=ctx.clock.now(),
        org_id=article.org_id,
        article_id=article.id,
        by=auth.counsellor.id,
    )
    await db.commit()
    return Response(status_code=204)
