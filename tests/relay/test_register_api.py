"""The case register's endpoints (docs/case-register.md): opaque blobs with growing versions, key wraps to
the org's counsellor devices, 404 across orgs, limits, the admin's retention and the job enforcing it;
on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import uuid

import httpx
from kit.actors import Actor, create_invitation_for, create_org_with_admin, enrol, enrol_admin, login

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.jobs import run_job

RID = "0123456789abcdef0123456789abcdef"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def _other_org_admin(client: httpx.AsyncClient, ctx: AppContext, clock: ManualClock) -> Actor:
    org_id, invitation = await create_org_with_admin(ctx, "Andere organisatie")
    return await enrol_admin(client, clock, org_id, invitation, username="other_admin")


async def test_records_grow_by_one_version_and_stay_in_their_org(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    h = admin.headers
    r = await client.put(f"/v1/register/records/{RID}", json={"version": 1, "blob": b64(b"one")}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1
    again = await client.put(f"/v1/register/records/{RID}", json={"version": 1, "blob": b64(b"x")}, headers=h)
    assert again.status_code == 409
    assert "version 1" in again.json()["error"]["message"]
    skip = await client.put(f"/v1/register/records/{RID}", json={"version": 3, "blob": b64(b"x")}, headers=h)
    assert skip.status_code == 409
    two = await client.put(f"/v1/register/records/{RID}", json={"version": 2, "blob": b64(b"two")}, headers=h)
    assert two.status_code == 200
    listed = (await client.get("/v1/register/records", headers=h)).json()
    assert [(x["record_id"], x["version"], x["blob"]) for x in listed["records"]] == [(RID, 2, b64(b"two"))]
    assert listed["more"] is False
    assert (await client.get(f"/v1/register/records/{RID}", headers=h)).json()["blob"] == b64(b"two")

    other = await _other_org_admin(client, ctx, clock)
    assert (await client.get(f"/v1/register/records/{RID}", headers=other.headers)).status_code == 404
    assert (await client.get("/v1/register/records", headers=other.headers)).json()["records"] == []
    # The same id in another org is another record: the first org's stays as it is.
    mine = await client.put(
        f"/v1/register/records/{RID}", json={"version": 1, "blob": b64(b"theirs")}, headers=other.headers
    )
    assert mine.status_code == 200
    assert (await client.get(f"/v1/register/records/{RID}", headers=h)).json()["version"] == 2


async def test_paging_limits_and_bad_input(client: httpx.AsyncClient, admin: Actor) -> None:
    h = admin.headers
    ids = [f"{i:032x}" for i in range(5)]
    for rid in ids:
        r = await client.put(f"/v1/register/records/{rid}", json={"version": 1, "blob": b64(b"r")}, headers=h)
        assert r.status_code == 200
    page = (await client.get("/v1/register/records", params={"limit": 2}, headers=h)).json()
    assert [x["record_id"] for x in page["records"]] == ids[:2] and page["more"]
    rest = (await client.get("/v1/register/records", params={"after": ids[1]}, headers=h)).json()
    assert [x["record_id"] for x in rest["records"]] == ids[2:] and not rest["more"]
    big = await client.put(
        f"/v1/register/records/{RID}", json={"version": 1, "blob": b64(bytes(5000))}, headers=h
    )
    assert big.status_code == 400
    for bad in ("NOT-HEX", "0" * 31, "0" * 33):
        r = await client.put(f"/v1/register/records/{bad}", json={"version": 1, "blob": b64(b"r")}, headers=h)
        assert r.status_code in (400, 404)
    assert (
        await client.put(f"/v1/register/records/{RID}", json={"version": 0, "blob": "AA=="}, headers=h)
    ).status_code == 400
    assert (
        await client.put(f"/v1/register/records/{RID}", json={"version": 1, "blob": "not b64"}, headers=h)
    ).status_code == 400
    assert (await client.get("/v1/register/records")).status_code == 401


async def test_key_wraps_go_to_counsellor_devices_of_the_org_only(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    h = admin.headers
    body = {"device_id": str(admin.device_id), "blob": b64(b"wrap")}
    first = await client.post("/v1/register/keys", json=body, headers=h)
    assert first.status_code == 201, first.text
    assert (await client.post("/v1/register/keys", json=body, headers=h)).status_code == 201  # same: fine
    other_blob = {"device_id": str(admin.device_id), "blob": b64(b"another")}
    assert (await client.post("/v1/register/keys", json=other_blob, headers=h)).status_code == 409
    unknown = {"device_id": str(uuid.uuid4()), "blob": b64(b"wrap")}
    assert (await client.post("/v1/register/keys", json=unknown, headers=h)).status_code == 404
    other = await _other_org_admin(client, ctx, clock)
    theirs = {"device_id": str(other.device_id), "blob": b64(b"wrap")}
    assert (await client.post("/v1/register/keys", json=theirs, headers=h)).status_code == 404
    wraps = (await client.get("/v1/register/keys", headers=h)).json()["wraps"]
    assert [(w["device_id"], w["blob"]) for w in wraps] == [(str(admin.device_id), b64(b"wrap"))]
    assert (await client.get("/v1/register/keys", headers=other.headers)).json()["wraps"] == []


async def test_retention_is_the_admins_choice_and_the_job_deletes_old_records(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    h = admin.headers
    assert (await client.get("/v1/register/settings", headers=h)).json() == {"retention_days": 730}
    invitation = await create_invitation_for(ctx, admin.org_id)
    counsellor = await enrol(client, clock, invitation, username="colleague")
    refused = await client.put(
        "/v1/register/settings", json={"retention_days": 400}, headers=counsellor.headers
    )
    assert refused.status_code == 403
    for days in (0, 30, 4000):
        r = await client.put("/v1/register/settings", json={"retention_days": days}, headers=h)
        assert r.status_code == 400
    ok = await client.put("/v1/register/settings", json={"retention_days": 400}, headers=h)
    assert ok.json() == {"retention_days": 400}
    await client.put(f"/v1/register/records/{RID}", json={"version": 1, "blob": b64(b"r")}, headers=h)
    clock.advance(days=399)
    await run_job(ctx, "register_retention")
    fresh = {"Authorization": f"Bearer {(await login(client, clock, counsellor)).json()['token']}"}
    assert len((await client.get("/v1/register/records", headers=fresh)).json()["records"]) == 1
    clock.advance(days=2)
    await run_job(ctx, "register_retention")
    fresh = {"Authorization": f"Bearer {(await login(client, clock, counsellor)).json()['token']}"}
    assert (await client.get(f"/v1/register/records/{RID}", headers=fresh)).status_code == 404
