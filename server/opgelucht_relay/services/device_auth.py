"""Signed device requests (docs/api.md): the ``Opg-*`` headers verified with
``opgelucht_desk.protocol.verify_request``, and each nonce recorded in the database, so every relay
instance sharing the database refuses a replay. The FastAPI dependencies (``Signed``,
``CurrentDevice``) are in opgelucht_relay/deps.py."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from opgelucht_desk.protocol.errors import RequestAuthError
from opgelucht_desk.protocol.request_auth import DEFAULT_WINDOW, parse_request_headers, verify_request
from opgelucht_relay.clock import unix
from opgelucht_relay.errors import ApiError
from opgelucht_relay.models.messaging import Device, RequestNonce
from opgelucht_relay.services.sql import dialect_insert, write_lock
from opgelucht_relay.services.stats_activity import record_presence

# A timestamp may be up to WINDOW ahead of the clock, so its nonce must be kept for 2 x WINDOW.
NONCE_TTL = timedelta(seconds=2 * DEFAULT_WINDOW)
NONCES = cast(Table, RequestNonce.__table__)
DEVICES = cast(Table, Device.__table__)


def bad_signature() -> ApiError:
    return ApiError(401, "bad_signature", "The request signature is missing, invalid or out of date.")


def replayed_request() -> ApiError:
    return ApiError(401, "replayed_request", "This request was already received.")


@dataclass(frozen=True)
class SignedRequest:
    """A device request whose signature checked out; its nonce is not claimed yet. The ids are copied
    out of ``device`` because a rolled-back transaction expires the ORM object."""

    device: Device
    device_id: uuid.UUID
    org_id: uuid.UUID
    last_seen: date
    nonce: str
    now: datetime

    async def claim(self, conn: AsyncConnection) -> None:
        """Store the nonce (and the device's last-seen day) in the caller's transaction; a 401
        ``replayed_request`` when it is already stored. On PostgreSQL a concurrent transaction holding
        the same nonce makes this wait for its outcome, so two copies of a request never both pass."""
        params = {
            "p_device": self.device_id, "p_nonce": self.nonce, "p_expires": self.now + NONCE_TTL,
            "p_day": self.now.date(),
        }  # fmt: skip
        if not (await conn.execute(_nonce_insert(conn.dialect.name), params)).rowcount:
            raise replayed_request()
        if self.last_seen != self.now.date():
            await conn.execute(_LAST_SEEN, params)
            # The first request of the day also marks the day in the statistics (no device id stored).
            device = self.device
            await record_presence(conn, self.device_id, device.org_code, device.created_at, self.now.date())


# Built once (see opgelucht_relay/services/messages.py: statement building costs more than executing).
@cache
def _nonce_insert(dialect: str) -> Any:
    values: dict[str, Any] = {
        "device_id": bindparam("p_device"),
        "nonce": bindparam("p_nonce"),
        "expires_at": bindparam("p_expires"),
    }
    return dialect_insert(dialect, NONCES).values(values).on_conflict_do_nothing()


_LAST_SEEN = (
    update(DEVICES).where(DEVICES.c.device_id == bindparam("p_device")).values(last_seen=bindparam("p_day"))
)
_DEVICE = select(DEVICES).where(DEVICES.c.device_id == bindparam("p_device"))


async def record_nonce(db: AsyncSession, signed: SignedRequest) -> bool:
    """Claim the nonce in a transaction of its own; False when it was seen before and is still kept."""
    async with write_lock(db):
        try:
            await signed.claim(await db.connection())
        except ApiError:
            await db.rollback()
            return False
        await db.commit()
    return True


async def verify_signed_request(
    db: AsyncSession, headers: Mapping[str, str], method: str, target: str, body: bytes, now: datetime
) -> SignedRequest:
    """The device and nonce of a correctly signed request (its nonce not claimed yet); 401
    ``bad_signature`` otherwise. ``target``: the path and query string exactly as sent."""
    try:
        device_id = parse_request_headers(headers).device_id
    except RequestAuthError:
        raise bad_signature() from None
    row = (await (await db.connection()).execute(_DEVICE, {"p_device": device_id})).first()
    if row is None:
        raise bad_signature()  # an unknown device looks like a bad signature: no existence oracle
    device = Device(**row._mapping)  # a plain (transient) object: nothing for the session to track
    try:
        _, _, nonce = verify_request(headers, method, target, body, device.sign_pk, now=unix(now))
    except RequestAuthError:
        raise bad_signature() from None
    return SignedRequest(device, device.device_id, device.org_id, device.last_seen, nonce, now)
