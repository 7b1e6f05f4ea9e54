"""``/v1/register/...``: the org's case register (docs/case-register.md): opaque record blobs, the register
key's wraps to counsellor devices, and the register's retention (set by an admin).

Every counsellor of the org reads and writes; another org's record or device answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_relay.clock import unix
from opgelucht_relay.deps import AdminAuth, Ctx, CurrentAuth, DbSession
from opgelucht_relay.models.register import RegisterRecord
from opgelucht_relay.schemas import (
    RecordId,
    RegisterKeyWrapBody,
    RegisterKeyWrapList,
    RegisterKeyWrapOut,
    RegisterRecordBody,
    RegisterRecordList,
    RegisterRecordOut,
    RegisterSettingsBody,
    RegisterSettingsOut,
)
from opgelucht_relay.services import register

router = APIRouter(prefix="/v1/register", tags=["register"])

_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "another version exists, or the register is full"}
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such record or device in your org"}}


def _out(row: RegisterRecord) -> RegisterRecordOut:
    return RegisterRecordOut(
        record_id=row.record_id, version=row.version, blob=b64e(row.blob), updated_at=unix(row.updated_at)
    )


@router.get("/settings", response_model=RegisterSettingsOut)
async def get_settings(auth: CurrentAuth, db: DbSession) -> RegisterSettingsOut:
    return RegisterSettingsOut(retention_days=await register.retention_days(db, auth.counsellor.org_id))


@router.put("/settings", response_model=RegisterSettingsOut)
async def put_settings(body: RegisterSettingsBody, auth: AdminAuth, db: DbSession) -> RegisterSettingsOut:
    """How long records are kept after their last change (an admin's choice; default two years)."""
    days = await register.set_retention_days(db, auth.counsellor.org_id, body.retention_days)
    return RegisterSettingsOut(retention_days=days)


@router.get("/records", response_model=RegisterRecordList)
async def list_records(
    auth: CurrentAuth,
    ctx: Ctx,
    db: DbSession,
    after: Annotated[str, Query(pattern=r"^[0-9a-f]{0,32}$")] = "",
    limit: Annotated[int, Query(ge=1, le=register.MAX_PAGE)] = register.MAX_PAGE,
) -> RegisterRecordList:
    """The org's records by id (page on with ``after`` = the last id while ``more``)."""
    rows, more = await register.records(db, auth.counsellor.org_id, after, limit, ctx.clock.now())
    return RegisterRecordList(records=[_out(r) for r in rows], more=more)


@router.get("/records/{record_id}", response_model=RegisterRecordOut, responses=_NOT_FOUND)
async def get_record(
    record_id: Annotated[RecordId, Path()], auth: CurrentAuth, db: DbSession
) -> RegisterRecordOut:
    return _out(await register.record(db, auth.counsellor.org_id, record_id))


@router.put("/records/{record_id}", response_model=RegisterRecordOut, responses=_CONFLICT)
async def put_record(
    record_id: Annotated[RecordId, Path()],
    body: RegisterRecordBody,
    auth: CurrentAuth,
    ctx: Ctx,
    db: DbSession,
) -> RegisterRecordOut:
    """Write ``version`` = current + 1 of a record (1 creates it); 409 names the current version."""
    blob = b64d(body.blob)
    if len(blob) > register.MAX_RECORD_BYTES:
        raise register.too_large()
    row = await register.put_record(
        db, auth.counsellor.org_id, record_id, body.version, blob, ctx.clock.now()
    )
    return _out(row)


@router.get("/keys", response_model=RegisterKeyWrapList)
async def list_key_wraps(auth: CurrentAuth, db: DbSession) -> RegisterKeyWrapList:
    """The register key's wraps of the org's counsellor devices (sealed to each, signed by the sharer)."""
    rows = await register.key_wraps(db, auth.counsellor.org_id)
    return RegisterKeyWrapList(
        wraps=[
            RegisterKeyWrapOut(device_id=d.device_id, sign_pk=b64e(d.sign_pk), blob=b64e(w.blob))
            for d, w in rows
        ]
    )


@router.post(
    "/keys", status_code=201, response_model=RegisterKeyWrapOut, responses={**_CONFLICT, **_NOT_FOUND}
)
async def post_key_wrap(
    body: RegisterKeyWrapBody, auth: CurrentAuth, ctx: Ctx, db: DbSession
) -> RegisterKeyWrapOut:
    """Share the register key with a counsellor device of the org (the first wrap of a device stays)."""
    blob = b64d(body.blob)
    if len(blob) > register.MAX_WRAP_BYTES:
        raise register.too_large()
    device = await register.put_key_wrap(db, auth.counsellor.org_id, body.device_id, blob, ctx.clock.now())
    return RegisterKeyWrapOut(device_id=device.device_id, sign_pk=b64e(device.sign_pk), blob=body.blob)
