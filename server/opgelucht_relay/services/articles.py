"""Articles (self-help pages shown in the app): read by every counsellor and, once published, by the
reporter app; written by admins. Every change is audited (ids only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay import audit
from opgelucht_relay.errors import not_found
from opgelucht_relay.models import Article


async def org_articles(db: AsyncSession, org_id: uuid.UUID, *, published_only: bool = False) -> list[Article]:
    query = select(Article).where(Article.org_id == org_id).order_by(Article.created_at)
    if published_only:
        query = query.where(Article.published.is_(True))
    return list(await db.scalars(query))


async def _own(db: AsyncSession, org_id: uuid.UUID, article_id: uuid.UUID) -> Article:
    article = await db.get(Article, article_id)
    if article is None or article.org_id != org_id:
        raise not_found()
    return article


async def create_article(
    db: AsyncSession, org_id: uuid.UUID, fields: dict[str, Any], now: datetime, *, by: uuid.UUID
) -> Article:
    article = Article(id=uuid.uuid4(), org_id=org_id, created_at=now, updated_at=now, **fields)
    db.add(article)
    audit.record(db, "article_created", at=now, org_id=article.org_id, article_id=article.id, by=by)
    await db.commit()
    return article


async def update_article(
    db: AsyncSession,
    org_id: uuid.UUID,
    article_id: uuid.UUID,
    fields: dict[str, Any],
    now: datetime,
    *,
    by: uuid.UUID,
) -> Article:
    article = await _own(db, org_id, article_id)
    for key, value in fields.items():
        setattr(article, key, value)
    article.updated_at = now
    audit.record(db, "article_updated", at=now, org_id=article.org_id, article_id=article.id, by=by)
    await db.commit()
    return article


async def delete_article(
    db: AsyncSession, org_id: uuid.UUID, article_id: uuid.UUID, now: datetime, *, by: uuid.UUID
) -> None:
    article = await _own(db, org_id, article_id)
    await db.delete(article)
    audit.record(db, "article_deleted", at=now, org_id=article.org_id, article_id=article.id, by=by)
    await db.commit()
