"""``POST /v1/devices``: a reporter device registers its public keys under an org code. Registrations
per code are rate-limited and bursts are flagged in the audit log (docs/stats.md, Sybil devices)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Response
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_desk.protocol.errors import SignatureError
from opgelucht_desk.protocol.request_auth import verify_register_proof
from server import audit
from server.context import AppContext
from server.deps import Ctx, DbSession
from server.errors import ApiError, conflict, rate_limited
from server.models import OrgCode
from server.models.messaging import Device
from server.schemas import Strict
from server.services.counters import (
    device_registered,
    device_registration_burst,
    device_registration_refused,
)
from server.services.orgs import live_code
from server.services.sql import write_lock
from server.services.stats_activity import record_presence
from server.services.wire import b64_field

router = APIRouter(tags=["device"])


class RegisterIn(Strict):
    org_code: str = Field(min_length=1, max_length=32)
    device_id: uuid.UUID
    enc_pk: str = Field(max_length=64)
    sign_pk: str = Field(max_length=64)
    proof: str = Field(max_length=128)


RATE_WINDOW = timedelta(hours=1)
BURST_WINDOW = timedelta(minutes=10)


async def _check_rate(ctx: AppContext, db: AsyncSession, code: OrgCode, now: datetime) -> None:
    """429 beyond ``device_registrations_per_code_per_hour`` registrations of the code; one audit event
    (ids and numbers only) when ``device_registration_burst`` arrive within ten minutes. The code's row
    is locked first, so concurrent registrations are counted one after another (PostgreSQL)."""
    await db.execute(select(OrgCode.code).where(OrgCode.code == code.code).with_for_update())
    times = list(
        await db.scalars(
            select(Device.created_at)
            .where(Device.org_code == code.code, Device.created_at > now - RATE_WINDOW)
            .order_by(Device.created_at)
        )
    )
    if len(times) >= ctx.settings.device_registrations_per_code_per_hour:
        device_registration_refused(ctx.metrics)
        wait = times[len(times) - ctx.settings.device_registrations_per_code_per_hour] + RATE_WINDOW - now
        raise rate_limited(math.ceil(wait.total_seconds()))
    burst = sum(1 for t in times if t > now - BURST_WINDOW) + 1
    if burst == ctx.settings.device_registration_burst:
        device_registration_burst(ctx.metrics)
        audit.record(
            db, "device_registration_burst", at=now, org_id=code.org_id, code=code.code,
            registrations=burst, minutes=int(BURST_WINDOW.total_seconds() // 60),
        )  # fmt: skip


class RegisteredOut(Strict):
    device_id: uuid.UUID
    org_id: uuid.UUID


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
    async with write_lock(db):
        await _check_rate(ctx, db, code, now)
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
            await db.flush()
            await record_presence(await db.connection(), body.device_id, code.code, now, now.date())
            await db.commit()
        except IntegrityError:
            await db.rollback()
            raise conflict("This device id is registered with other keys.") from None
    device_registered(ctx.metrics)
    return RegisteredOut(device_id=body.device_id, org_id=code.org_id)
