"""``POST /v1/devices``: a reporter device registers its public keys under an org code. Registrations
per code are rate-limited and bursts are flagged in the audit log (docs/stats.md, Sybil devices)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from opgelucht_relay.deps import Ctx, DbSession
from opgelucht_relay.schemas import RegisteredOut, RegisterIn, b64_field
from opgelucht_relay.services import reporter_devices

router = APIRouter(tags=["device"])


@router.post(
    "/v1/devices",
    status_code=201,
    response_model=RegisteredOut,
    responses={
        200: {"description": "already registered with these keys"},
        404: {},
        409: {},
        410: {},
        429: {},
    },
)
async def register_device(body: RegisterIn, ctx: Ctx, db: DbSession, response: Response) -> RegisteredOut:
    org_id, created = await reporter_devices.register(
        ctx,
        db,
        org_code=body.org_code,
        device_id=body.device_id,
        enc_pk=b64_field(body.enc_pk, "enc_pk", 32),
        sign_pk=b64_field(body.sign_pk, "sign_pk", 32),
        proof=b64_field(body.proof, "proof", 64),
    )
    if not created:
        response.status_code = 200
    return RegisteredOut(device_id=body.device_id, org_id=org_id)
