"""Public endpoints for the reporter app: join an org by code, read its published articles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.encoding import b64e
from server.clock import unix
from server.deps import DbSession
from server.models import Article, Org
from server.orgs import current_roster, live_code, org_key_chain
from server.schemas import JoinOut, PublicArticle, PublicArticleList
from server.views import roster_out

router = APIRouter(prefix="/v1", tags=["public"])

OrgCodeParam = Annotated[str, Query(min_length=1, max_length=64)]


async def live_code_org(db: AsyncSession, code: str) -> Org:
    """The org of a live org code: 404 unknown, 410 revoked."""
    row = await live_code(db, code)
    org = await db.get(Org, row.org_id)
    assert org is not None
    return org


@router.get("/join/{org_code}", response_model=JoinOut)
async def join(org_code: str, db: DbSession) -> JoinOut:
    org = await live_code_org(db, org_code)
    return JoinOut(
        org_id=org.id,
        org_name=org.name,
        org_key=b64e(org.org_key) if org.org_key else None,
        org_key_chain=await org_key_chain(db, org.id),
        roster=roster_out(await current_roster(db, org.id)),
    )


@router.get("/articles", response_model=PublicArticleList)
async def public_articles(org_code: OrgCodeParam, db: DbSession) -> PublicArticleList:
    org = await live_code_org(db, org_code)
    rows = (
        await db.execute(
            select(Article)
            .where(Article.org_id == org.id, Article.published.is_(True))
            .order_by(Article.created_at)
        )
    ).scalars()
    return PublicArticleList(
        articles=[
            PublicArticle(
                id=a.id,
                title=a.title,
                body=a.body,
                language=a.language,  # type: ignore[arg-type]
                updated_at=unix(a.updated_at),
            )
            for a in rows
        ]
    )
