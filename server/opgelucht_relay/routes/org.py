"""The counsellor's own organisation: key, roster, invitations, counsellors, org codes.

Every object is looked up within the caller's org: another org's id answers 404, never 403.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_relay.clock import unix
from opgelucht_relay.deps import AdminAuth, Ctx, CurrentAuth, DbSession
from opgelucht_relay.schemas import (
    CodeList,
    CodeOut,
    CodeRequest,
    InvitationOut,
    InvitationRequest,
    OrgKeyChange,
    OrgOut,
    SignedRosterBody,
    code_out,
    counsellor_out,
    roster_out,
)
from opgelucht_relay.services import orgs
from opgelucht_relay.services.live_events import (
    RESYNC,
    broker_for,
    counsellor_owner,
    device_owner,
    end_streams,
    session_owner,
)
from opgelucht_relay.services.rosters import publish_roster

router = APIRouter(prefix="/v1/org", tags=["org"])


@router.get("", response_model=OrgOut)
async def get_org(auth: CurrentAuth, db: DbSession) -> OrgOut:
    org = await orgs.own_org(db, auth.counsellor)
    return OrgOut(
        org_id=org.id,
        name=org.name,
        org_key=b64e(org.org_key) if org.org_key else None,
        org_key_chain=await orgs.org_key_chain(db, org.id),
        roster=roster_out(await orgs.current_roster(db, org.id)),
        counsellors=[counsellor_out(c) for c in await orgs.active_counsellors(db, org.id)],
    )


@router.put(
    "/key", status_code=204, responses={409: {"description": "replacement without valid certificate"}}
)
async def put_key(body: OrgKeyChange, auth: AdminAuth, ctx: Ctx, db: DbSession) -> Response:
    org = await orgs.own_org(db, auth.counsellor)
    certificate = None if body.certificate is None else b64d(body.certificate)
    await orgs.set_org_key(db, org, b64d(body.org_key), certificate, ctx.clock.now(), by=auth.counsellor.id)
    return Response(status_code=204)


@router.put("/roster", status_code=204, responses={409: {"description": "signature, version or chain"}})
async def put_roster(
    body: SignedRosterBody, auth: AdminAuth, ctx: Ctx, db: DbSession, request: Request
) -> Response:
    org = await orgs.own_org(db, auth.counsellor)
    dropped = await publish_roster(db, org, body, ctx.clock.now())
    # The devices it dropped lost their sessions in that commit; their live streams end now, on every
    # instance (by session, and by device for a session opened while this roster was being published).
    owners = [session_owner(s) for s in dropped.sessions] + [device_owner(d) for d in dropped.devices]
    await end_streams(request, org.id, *owners)
    # The org's desks read the new roster at once (a content-free "resync"), not at their next poll.
    await broker_for(request).publish(org.id, RESYNC)
    return Response(status_code=204)


@router.post("/invitations", status_code=201, response_model=InvitationOut)
async def invite(body: InvitationRequest, auth: AdminAuth, ctx: Ctx, db: DbSession) -> InvitationOut:
    org = await orgs.own_org(db, auth.counsellor)
    secret, row = await orgs.create_invitation(
        db, org, body.role, ctx.settings, ctx.clock.now(), by=auth.counsellor.id
    )
    await db.commit()
    return InvitationOut(invitation=secret, expires_at=unix(row.expires_at))


@router.delete("/counsellors/{counsellor_id}", status_code=204)
async def remove_counsellor(
    counsellor_id: uuid.UUID, auth: AdminAuth, ctx: Ctx, db: DbSession, request: Request
) -> Response:
    org_id = auth.counsellor.org_id
    await orgs.remove_counsellor(db, org_id, counsellor_id, ctx.clock.now(), by=auth.counsellor.id)
    await end_streams(request, org_id, counsellor_owner(counsellor_id))
    return Response(status_code=204)


@router.get("/codes", response_model=CodeList)
async def list_codes(auth: CurrentAuth, ctx: Ctx, db: DbSession) -> CodeList:
    org = await orgs.own_org(db, auth.counsellor)
    return CodeList(codes=[code_out(row, org, ctx.settings) for row in await orgs.org_codes(db, org.id)])


@router.post("/codes", status_code=201, response_model=CodeOut)
async def add_code(body: CodeRequest, auth: AdminAuth, ctx: Ctx, db: DbSession) -> CodeOut:
    org = await orgs.own_org(db, auth.counsellor)
    row = await orgs.create_code(db, org, body.label, ctx.clock.now(), by=auth.counsellor.id)
    await db.commit()
    return code_out(row, org, ctx.settings)


@router.delete("/codes/{code}", status_code=204)
async def revoke_code(code: str, auth: AdminAuth, ctx: Ctx, db: DbSession) -> Response:
    await orgs.revoke_code(db, auth.counsellor.org_id, code, ctx.clock.now(), by=auth.counsellor.id)
    return Response(status_code=204)
