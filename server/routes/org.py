"""The counsellor's own organisation: key, roster, invitations, counsellors, org codes.

Every object is looked up within the caller's org: another org's id answers 404, never 403.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.errors import RosterError
from opgelucht_desk.protocol.roster import verify_org_key_certificate
from server import audit
from server.clock import unix
from server.deps import AdminAuth, Ctx, CurrentAuth, DbSession
from server.errors import conflict, not_found
from server.models import Counsellor, Org, OrgCode, Session
from server.models.accounts import STATUS_ACTIVE, STATUS_REMOVED
from server.orgs import (
    add_org_key_certificate,
    create_code,
    create_invitation,
    current_roster,
    find_code,
    org_key_chain,
)
from server.rosters import accept_roster
from server.schemas import (
    CodeList,
    CodeOut,
    CodeRequest,
    InvitationOut,
    InvitationRequest,
    OrgKeyChange,
    OrgOut,
    SignedRosterBody,
)
from server.services.live_events import counsellor_owner, end_streams
from server.views import code_out, counsellor_out, roster_out

router = APIRouter(prefix="/v1/org", tags=["org"])


async def _org(db: DbSession, auth: CurrentAuth) -> Org:
    org = await db.get(Org, auth.counsellor.org_id)
    assert org is not None  # foreign key
    return org


@router.get("", response_model=OrgOut)
async def get_org(auth: CurrentAuth, db: DbSession) -> OrgOut:
    org = await _org(db, auth)
    counsellors = (
        await db.execute(
            select(Counsellor)
            .where(Counsellor.org_id == org.id, Counsellor.status == STATUS_ACTIVE)
            .order_by(Counsellor.created_at)
        )
    ).scalars()
    return OrgOut(
        org_id=org.id,
        name=org.name,
        org_key=b64e(org.org_key) if org.org_key else None,
        org_key_chain=await org_key_chain(db, org.id),
        roster=roster_out(await current_roster(db, org.id)),
        counsellors=[counsellor_out(c) for c in counsellors],
    )


@router.put(
    "/key", status_code=204, responses={409: {"description": "replacement without valid certificate"}}
)
async def put_key(body: OrgKeyChange, auth: AdminAuth, ctx: Ctx, db: DbSession) -> Response:
    org = await _org(db, auth)
    new_key = b64d(body.org_key)
    now = ctx.clock.now()
    if org.org_key is None:
        org.org_key = new_key
        audit.record(db, "org_key_set", at=now, org_id=org.id, by=auth.counsellor.id)
    elif org.org_key != new_key:
        if body.certificate is None:
            raise conflict("Replacing the org key needs a certificate signed by the old key.")
        certificate = b64d(body.certificate)
        try:
            verify_org_key_certificate(org.org_key, new_key, certificate)
        except RosterError:
            raise conflict("The certificate is not the old org key's signature over the new key.") from None
        await add_org_key_certificate(db, org, new_key, certificate, now)
        audit.record(db, "org_key_changed", at=now, org_id=org.id, by=auth.counsellor.id)
    await db.commit()
    return Response(status_code=204)


@router.put("/roster", status_code=204, responses={409: {"description": "signature, version or chain"}})
async def put_roster(body: SignedRosterBody, auth: AdminAuth, ctx: Ctx, db: DbSession) -> Response:
    org = await _org(db, auth)
    await accept_roster(db, org, body, ctx.clock.now())
    try:
        await db.commit()
    except IntegrityError:  # a concurrent upload took this version
        await db.rollback()
        raise conflict("Roster refused: version already taken.") from None
    return Response(status_code=204)


@router.post("/invitations", status_code=201, response_model=InvitationOut)
async def invite(body: InvitationRequest, auth: AdminAuth, ctx: Ctx, db: DbSession) -> InvitationOut:
    org = await _org(db, auth)
    secret, row = await create_invitation(
        db, org, body.role, ctx.settings, ctx.clock.now(), by=auth.counsellor.id
    )
    await db.commit()
    return InvitationOut(invitation=secret, expires_at=unix(row.expires_at))


@router.delete("/counsellors/{counsellor_id}", status_code=204)
async def remove_counsellor(
    counsellor_id: uuid.UUID, auth: AdminAuth, ctx: Ctx, db: DbSession, request: Request
) -> Response:
    target = await db.get(Counsellor, counsellor_id)
    if target is None or target.org_id != auth.counsellor.org_id or target.status == STATUS_REMOVED:
        raise not_found()
    if target.id == auth.counsellor.id:
        raise conflict("You cannot remove yourself; ask another admin.")
    now = ctx.clock.now()
    target.status = STATUS_REMOVED
    target.removed_at = now
    target.enrolment_token_hash = None
    await db.execute(delete(Session).where(Session.counsellor_id == target.id))
    audit.record(
        db, "counsellor_removed", at=now, org_id=target.org_id, counsellor_id=target.id, by=auth.counsellor.id
    )
    await db.commit()
    await end_streams(request, target.org_id, counsellor_owner(target.id))
    return Response(status_code=204)


@router.get("/codes", response_model=CodeList)
async def list_codes(auth: CurrentAuth, ctx: Ctx, db: DbSession) -> CodeList:
    org = await _org(db, auth)
    rows = (
        await db.execute(select(OrgCode).where(OrgCode.org_id == org.id).order_by(OrgCode.created_at))
    ).scalars()
    return CodeList(codes=[code_out(row, org, ctx.settings) for row in rows])


@router.post("/codes", status_code=201, response_model=CodeOut)
async def add_code(body: CodeRequest, auth: AdminAuth, ctx: Ctx, db: DbSession) -> CodeOut:
    org = await _org(db, auth)
    row = await create_code(db, org, body.label, ctx.clock.now(), by=auth.counsellor.id)
    await db.commit()
    return code_out(row, org, ctx.settings)


@router.delete("/codes/{code}", status_code=204)
async def revoke_code(code: str, auth: AdminAuth, ctx: Ctx, db: DbSession) -> Response:
    row = await find_code(db, code)
    if row is None or row.org_id != auth.counsellor.org_id:
        raise not_found()
    if row.revoked_at is None:
        now = ctx.clock.now()
        row.revoked_at = now
        audit.record(db, "code_revoked", at=now, org_id=row.org_id, code=row.code, by=auth.counsellor.id)
        await db.commit()
    return Response(status_code=204)
