"""The logged-in counsellor: profile and further devices."""

from __future__ import annotations

from fastapi import APIRouter

from opgelucht_relay.auth import enrolments
from opgelucht_relay.deps import AnySessionAuth, Ctx, CurrentAuth, DbSession
from opgelucht_relay.schemas import CounsellorOut, DeviceBundle, Presentation, counsellor_out
from opgelucht_relay.services.orgs import set_presentation

router = APIRouter(prefix="/v1/me", tags=["counsellor"])


@router.get("", response_model=CounsellorOut)
async def me(auth: AnySessionAuth) -> CounsellorOut:
    """Also for a session bound to no device yet (a further computer checking whose account it is)."""
    return counsellor_out(auth.counsellor)


@router.post("/devices", status_code=201, response_model=DeviceBundle, responses={403: {}})
async def add_device(body: DeviceBundle, auth: AnySessionAuth, ctx: Ctx, db: DbSession) -> DeviceBundle:
    """A further computer's device, signed by the counsellor's identity key. A session bound to no
    device (a login without one) is bound to this one from now on."""
    await enrolments.add_device(ctx, db, auth.counsellor, body, auth.session)
    return body


@router.put("/presentation", response_model=CounsellorOut)
async def put_presentation(body: Presentation, auth: CurrentAuth, db: DbSession) -> CounsellorOut:
    """Store how this counsellor presents themselves to reporters (role, introduction, availability);
    the org admin signs it into the next roster."""
    await set_presentation(db, auth.counsellor, body)
    return counsellor_out(auth.counsellor)
