"""``POST /v1/devices``: a reporter device registers its public keys under an org code."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from opgelucht_desk.protocol.errors import SignatureError
from opgelucht_desk.protocol.request_auth import verify_register_proof
from server.deps import Ctx, DbSession
from server.errors import ApiError, conflict
from server.models.messaging import Device
from server.orgs import live_code
from server.services.counters import device_registered
from server.services.wire import Strict, b64_field

router = APIRouter(tags=["device"])


class RegisterIn(Strict):
    org_code: str = Field(min_length=1, max_length=32)
    device_id: uuid.UUID
    enc_pk: str = Field(max_length=64)
    sign_pk: str = Field(max_length=64)
    proof: str = Field(max_length=128)


class RegisteredOut(Strict):
    device_id: uuid.UUID
    org_id: uuid.UUID


@router.post(
    "/v1/devices",
    status_code=201,
    response_model=RegisteredOut,
    responses={200: {"description": "already registered with these keys"}, 404: {}, 409: {}, 410: {}},
)
async def register_device(body: RegisterIn, ctx: Ctx, db: DbSession, response: Response) -> RegisteredOut:
    enc_pk = b64_field(body.enc_pk, "enc_pk", 32)
    sign_pk = b64_field(body.sign_pk, "sign_pk", 32)
    proof = b64_field(body.proof, "proof", 64)
    try:
        verify_register_proof(body.device_id, enc_pk, sign_pk, body.org_code, proof)
    except SignatureError:
        raise ApiError(401, "bad_signature", "The registration proof does not verify.") from None
    code = await live_code(db, body.org_code)
    existing = await db.get(Device, body.device_id)
    if existing is not None:
        if (existing.enc_pk, existing.sign_pk, existing.org_code) != (enc_pk, sign_pk, code.code):
            raise conflict("This device id is registered with other keys.")
        response.status_code = 200
        return RegisteredOut(device_id=existing.device_id, org_id=existing.org_id)
    now = ctx.clock.now()
    db.add(
        Device(
            device_id=body.device_id,
            org_id=code.org_id,
            org_code=code.code,
            enc_pk=enc_pk,
            sign_pk=sign_pk,
            created_at=now,
            last_seen=now.date(),
        )
    )
    try:
        await db.commit()
    except IntegrityError:
        raise conflict("This device id is registered with other keys.") from None
    device_registered(ctx.metrics)
    return RegisteredOut(device_id=body.device_id, org_id=code.org_id)
