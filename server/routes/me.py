"""The logged-in counsellor: profile and further devices."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from opgelucht_desk.protocol.encoding import b64d
from server import audit
from server.deps import Ctx, CurrentAuth, DbSession
from server.errors import bad_request, conflict
from server.models import CounsellorDevice
from server.schemas import CounsellorOut, DeviceBundle
from server.views import counsellor_out

router = APIRouter(prefix="/v1/me", tags=["counsellor"])

MAX_DEVICES = 16  # the roster's limit per counsellor


@router.get("", response_model=CounsellorOut)
async def me(auth: CurrentAuth) -> CounsellorOut:
    return counsellor_out(auth.counsellor)


@router.post("/devices", status_code=201, response_model=DeviceBundle)
async def add_device(body: DeviceBundle, auth: CurrentAuth, ctx: Ctx, db: DbSession) -> DeviceBundle:
    counsellor = auth.counsellor
    entry = body.entry()
    if counsellor.identity_key is None or not entry.verifies(counsellor.identity_key):
        raise bad_request("The device bundle's signatures do not verify with your identity key.")
    if await db.get(CounsellorDevice, entry.device_id) is not None:
        raise conflict("That device id is already registered.")
    if len(counsellor.devices) >= MAX_DEVICES:
        raise conflict("Too many devices.")
    now = ctx.clock.now()
    counsellor.devices.append(
        CounsellorDevice(
            device_id=entry.device_id,
            enc_pk=b64d(body.enc_pk),
            sign_pk=b64d(body.sign_pk),
            identity_sig=b64d(body.identity_sig),
            self_sig=b64d(body.self_sig),
            created_at=now,
        )
    )
    audit.record(
        db,
        "device_added",
        at=now,
        org_id=counsellor.org_id,
        counsellor_id=counsellor.id,
        device_id=entry.device_id,
    )
    try:
        await db.commit()
    except IntegrityError:  # the same device id registered concurrently
        await db.rollback()
        raise conflict("That device id is already registered.") from None
    return body
