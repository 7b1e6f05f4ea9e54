"""Enrolment of a counsellor with a one-time invitation: password, TOTP, keys (and the org key)."""

from __future__ import annotations

from fastapi import APIRouter

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_relay.auth import enrolments
from opgelucht_relay.clock import unix
from opgelucht_relay.deps import Ctx, DbSession
from opgelucht_relay.schemas import (
    EnrolmentFinish,
    EnrolmentStart,
    EnrolmentStarted,
    LoginResult,
    counsellor_out,
)

router = APIRouter(prefix="/v1/enrolment", tags=["enrolment"])


@router.post("/start", response_model=EnrolmentStarted)
async def start(body: EnrolmentStart, ctx: Ctx, db: DbSession) -> EnrolmentStarted:
    started = await enrolments.start(ctx, db, body)
    return EnrolmentStarted(
        enrolment_token=started.enrolment_token,
        totp_secret=started.totp_secret,
        totp_uri=started.totp_uri,
        counsellor_id=started.counsellor.id,
        org_id=started.org.id,
        role=started.counsellor.role,  # type: ignore[arg-type]
        org_key=None if started.org.org_key is None else b64e(started.org.org_key),
        expires_at=unix(started.expires_at),
    )


@router.post("/finish", response_model=LoginResult)
async def finish(body: EnrolmentFinish, ctx: Ctx, db: DbSession) -> LoginResult:
    new = await enrolments.finish(ctx, db, body)
    return LoginResult(
        token=new.token, expires_at=unix(new.row.expires_at), counsellor=counsellor_out(new.counsellor)
    )
