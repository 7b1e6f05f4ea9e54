"""Public endpoints for the reporter app: join an org by code, read its published articles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_relay.deps import DbSession
from opgelucht_relay.schemas import JoinOut, PublicArticleList, public_article, roster_out
from opgelucht_relay.services.articles import org_articles
from opgelucht_relay.services.orgs import current_roster, live_code_org, org_key_chain

router = APIRouter(prefix="/v1", tags=["public"])

OrgCodeParam = Annotated[str, Query(min_length=1, max_length=64)]


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
    rows = await org_articles(db, org.id, published_only=True)
    return PublicArticleList(articles=[public_article(a) for a in rows])
