"""Counsellors and admins acting on the relay API, for the relay, desk, UI and end-to-end tests.

They drive the relay through its HTTP API the way the desktop does: enrol with an invitation, set a
password, confirm TOTP, upload keys and the first signed roster, log in, create org codes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.keys import DeviceKeys, generate_signing_seed, signing_public_key
from opgelucht_desk.protocol.request_auth import sign_login
from opgelucht_desk.protocol.roster import (
    ZERO_HASH,
    CounsellorEntry,
    DeviceEntry,
    Roster,
    SignedRoster,
    make_device_entry,
    roster_hash,
    sign_roster,
)
from opgelucht_relay.auth.totp import code_at
from opgelucht_relay.clock import ManualClock, unix
from opgelucht_relay.context import AppContext
from opgelucht_relay.models.accounts import ROLE_ADMIN, ROLE_COUNSELLOR
from opgelucht_relay.services.orgs import create_invitation, create_org

DEFAULT_PASSWORD = "correct horse battery staple"
ROSTER_LIFETIME = timedelta(days=14)


@dataclass
class Actor:
    """An enrolled counsellor with everything a test needs to act as them."""

    org_id: uuid.UUID
    counsellor_id: uuid.UUID
    username: str
    display_name: str
    password: str
    totp_secret: str
    token: str
    identity_seed: bytes
    device_id: uuid.UUID
    device_keys: DeviceKeys
    device_entry: DeviceEntry
    org_seed: bytes | None = None  # the org signing key (admins who created it)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def identity_key(self) -> bytes:
        return signing_public_key(self.identity_seed)

    def roster_entry(self) -> CounsellorEntry:
        return CounsellorEntry(self.counsellor_id, self.display_name, self.identity_key, (self.device_entry,))


def device_bundle(entry: DeviceEntry) -> dict[str, str]:
    return entry.to_json()


async def create_org_with_admin(ctx: AppContext, name: str) -> tuple[uuid.UUID, str]:
    """A new org (no key yet) and a one-time admin invitation for it, as `opgelucht-relay create-org`."""
    async with ctx.db.sessions() as db:
        org = await create_org(db, name, ctx.clock.now())
        invitation, _ = await create_invitation(db, org, ROLE_ADMIN, ctx.settings, ctx.clock.now())
        await db.commit()
        return org.id, invitation


async def create_invitation_for(ctx: AppContext, org_id: uuid.UUID, role: str = ROLE_COUNSELLOR) -> str:
    from opgelucht_relay.models import Org

    async with ctx.db.sessions() as db:
        org = await db.get(Org, org_id)
        assert org is not None
        invitation, _ = await create_invitation(db, org, role, ctx.settings, ctx.clock.now())
        await db.commit()
        return invitation


def make_roster(
    org_id: uuid.UUID,
    org_seed: bytes,
    counsellors: list[CounsellorEntry],
    clock: ManualClock,
    *,
    version: int = 1,
    prev: SignedRoster | None = None,
) -> SignedRoster:
    now = clock.now()
    roster = Roster(
        org_id=org_id,
        version=version,
        prev_hash=roster_hash(prev) if prev is not None else ZERO_HASH,
        issued=unix(now),
        expires=unix(now + ROSTER_LIFETIME),
        counsellors=tuple(counsellors),
    )
    return sign_roster(roster, org_seed)


async def start_enrolment(
    client: httpx.AsyncClient, invitation: str, username: str, password: str = DEFAULT_PASSWORD
) -> dict[str, Any]:
    response = await client.post(
        "/v1/enrolment/start",
        json={
            "invitation": invitation,
            "username": username,
            "display_name": username.title(),
            "password": password,
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def enrol(
    client: httpx.AsyncClient,
    clock: ManualClock,
    invitation: str,
    *,
    username: str,
    password: str = DEFAULT_PASSWORD,
    create_org_key: bool = False,
) -> Actor:
    """Enrol through the API. With ``create_org_key`` (the org's first admin) also upload the org key
    and roster v1 listing this counsellor."""
    started = await start_enrolment(client, invitation, username, password)
    counsellor_id = uuid.UUID(started["counsellor_id"])
    org_id = uuid.UUID(started["org_id"])
    identity_seed = generate_signing_seed()
    device_keys = DeviceKeys.generate()
    device_id = uuid.uuid4()
    entry = make_device_entry(identity_seed, device_keys, device_id)
    finish: dict[str, Any] = {
        "enrolment_token": started["enrolment_token"],
        "totp_code": code_at(started["totp_secret"], clock.now()),
        "identity_key": b64e(signing_public_key(identity_seed)),
        "device": device_bundle(entry),
    }
    org_seed = None
    if create_org_key:
        org_seed = generate_signing_seed()
        me = CounsellorEntry(counsellor_id, username.title(), signing_public_key(identity_seed), (entry,))
        finish["org_key"] = b64e(signing_public_key(org_seed))
        finish["roster"] = make_roster(org_id, org_seed, [me], clock).to_json()
    response = await client.post("/v1/enrolment/finish", json=finish)
    assert response.status_code == 200, response.text
    result = response.json()
    return Actor(
        org_id=org_id,
        counsellor_id=counsellor_id,
        username=username,
        display_name=username.title(),
        password=password,
        totp_secret=started["totp_secret"],
        token=result["token"],
        identity_seed=identity_seed,
        device_id=device_id,
        device_keys=device_keys,
        device_entry=entry,
        org_seed=org_seed,
    )


async def enrol_admin(
    client: httpx.AsyncClient, clock: ManualClock, org_id: uuid.UUID, invitation: str, *, username: str
) -> Actor:
    actor = await enrol(client, clock, invitation, username=username, create_org_key=True)
    assert actor.org_id == org_id
    return actor


def login_body(
    actor: Actor,
    code: str,
    *,
    password: str | None = None,
    device: bool = True,
    device_id: uuid.UUID | None = None,
    sign_seed: bytes | None = None,
) -> dict[str, Any]:
    """The body of a login as the desk sends it: bound to the actor's device (signed with its key)
    unless ``device`` is False; ``device_id``/``sign_seed`` claim another device or sign with another
    key (attacks)."""
    body: dict[str, Any] = {
        "username": actor.username,
        "password": actor.password if password is None else password,
        "totp_code": code,
    }
    if device:
        claimed = actor.device_id if device_id is None else device_id
        seed = actor.device_keys.sign_seed if sign_seed is None else sign_seed
        body["device_id"] = str(claimed)
        body["device_sig"] = b64e(sign_login(actor.username, code, claimed, seed))
    return body


async def login(
    client: httpx.AsyncClient,
    clock: ManualClock,
    actor: Actor,
    *,
    password: str | None = None,
    device: bool = True,
) -> httpx.Response:
    """Log in with a fresh TOTP code (moves the clock one 30 s step forward first), bound to the
    actor's device like the desk's login (``device=False``: a further computer's, bound to none)."""
    clock.advance(seconds=30)
    code = code_at(actor.totp_secret, clock.now())
    return await client.post("/v1/auth/login", json=login_body(actor, code, password=password, device=device))


async def new_code(client: httpx.AsyncClient, admin: Actor, label: str = "Afdeling A") -> str:
    """A new org code of the admin's org."""
    response = await client.post("/v1/org/codes", json={"label": label}, headers=admin.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["code"])
