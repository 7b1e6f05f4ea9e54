"""The org: roster chain, org key changes, roles, removal, codes, articles, and no cross-org access."""

from __future__ import annotations

import asyncio
import itertools
import uuid

import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor, create_invitation_for, create_org_with_admin, enrol, enrol_admin, make_roster
from kit.relay import served
from kit.sse import wait_ready
from sqlalchemy import select

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.keys import generate_signing_seed, signing_public_key
from opgelucht_desk.protocol.qr import parse_qr_payload
from opgelucht_desk.protocol.roster import (
    SignedRoster,
    make_org_key_certificate,
    verify_org_key_certificate,
)
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.models import AuditEvent


async def _current_roster(client: httpx.AsyncClient, actor: Actor) -> SignedRoster:
    return SignedRoster.from_json((await client.get("/v1/org", headers=actor.headers)).json()["roster"])


async def _events(ctx: AppContext) -> list[str]:
    async with ctx.db.sessions() as db:
        return [e.event for e in (await db.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars()]


@pytest.fixture
async def bob(client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock) -> Actor:
    """A non-admin counsellor in the admin's org."""
    return await enrol(client, clock, await create_invitation_for(ctx, admin.org_id), username="bob")


@pytest.fixture
async def other_admin(client: httpx.AsyncClient, ctx: AppContext, clock: ManualClock) -> Actor:
    """The admin of a second organisation."""
    org_id, invitation = await create_org_with_admin(ctx, "Andere Org")
    return await enrol_admin(client, clock, org_id, invitation, username="zoe")


# --- roster ---------------------------------------------------------------------------------------


async def test_a_published_roster_reaches_the_orgs_open_streams_at_once(
    app: FastAPI, client: httpx.AsyncClient, admin: Actor, bob: Actor, clock: ManualClock
) -> None:
    """The org's desks read a new roster when it is published (a content-free ``resync``), not at their
    next poll: a colleague's "not on the list" warning goes away within a second."""
    v1 = await _current_roster(client, admin)
    assert admin.org_seed is not None
    v2 = make_roster(
        admin.org_id, admin.org_seed, [admin.roster_entry(), bob.roster_entry()], clock, version=2, prev=v1
    )
    async with (
        served(app) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        http.stream("GET", "/v1/inbox/events", headers=bob.headers) as stream,
    ):
        lines = stream.aiter_lines()
        await asyncio.wait_for(wait_ready(lines), 10)
        response = await http.put("/v1/org/roster", json=v2.to_json(), headers=admin.headers)
        assert response.status_code == 204, response.text

        async def next_event_name() -> str:
            async for line in lines:
                if line.startswith("event: "):
                    return line.removeprefix("event: ")
            raise AssertionError("stream ended")

        assert await asyncio.wait_for(next_event_name(), 5) == "resync"


async def test_roster_v2_is_accepted_and_served(
    client: httpx.AsyncClient, admin: Actor, bob: Actor, clock: ManualClock, ctx: AppContext
) -> None:
    v1 = await _current_roster(client, admin)
    assert admin.org_seed is not None
    v2 = make_roster(
        admin.org_id, admin.org_seed, [admin.roster_entry(), bob.roster_entry()], clock, version=2, prev=v1
    )
    response = await client.put("/v1/org/roster", json=v2.to_json(), headers=admin.headers)
    assert response.status_code == 204, response.text
    assert await _current_roster(client, bob) == v2
    code = (await client.post("/v1/org/codes", json={"label": "poster"}, headers=admin.headers)).json()
    joined = (await client.get(f"/v1/join/{code['code']}")).json()
    assert SignedRoster.from_json(joined["roster"]) == v2
    assert "roster_published" in await _events(ctx)


async def test_roster_with_bad_signature_is_refused(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    v1 = await _current_roster(client, admin)
    forged = make_roster(
        admin.org_id, generate_signing_seed(), [admin.roster_entry()], clock, version=2, prev=v1
    )
    response = await client.put("/v1/org/roster", json=forged.to_json(), headers=admin.headers)
    assert response.status_code == 409
    assert await _current_roster(client, admin) == v1


@pytest.mark.parametrize("version", [1, 3])
async def test_roster_with_wrong_version_is_refused(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, version: int
) -> None:
    v1 = await _current_roster(client, admin)
    assert admin.org_seed is not None
    prev = v1 if version > 1 else None  # version 1 again: a fork of the current roster
    clock.advance(seconds=1)
    wrong = make_roster(
        admin.org_id, admin.org_seed, [admin.roster_entry()], clock, version=version, prev=prev
    )
    response = await client.put("/v1/org/roster", json=wrong.to_json(), headers=admin.headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


async def test_roster_with_wrong_prev_hash_is_refused(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    assert admin.org_seed is not None
    unchained = make_roster(admin.org_id, admin.org_seed, [admin.roster_entry()], clock, version=2, prev=None)
    response = await client.put("/v1/org/roster", json=unchained.to_json(), headers=admin.headers)
    assert response.status_code == 409


async def test_roster_of_another_org_is_refused(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    v1 = await _current_roster(client, admin)
    assert admin.org_seed is not None
    alien = make_roster(uuid.uuid4(), admin.org_seed, [admin.roster_entry()], clock, version=2, prev=v1)
    assert (
        await client.put("/v1/org/roster", json=alien.to_json(), headers=admin.headers)
    ).status_code == 409


async def test_malformed_roster_is_a_bad_request(client: httpx.AsyncClient, admin: Actor) -> None:
    response = await client.put(
        "/v1/org/roster", json={"body": b64e(b"{not json"), "sig": b64e(bytes(64))}, headers=admin.headers
    )
    assert response.status_code in (400, 409)
    assert set(response.json()) == {"error"}


# --- org key --------------------------------------------------------------------------------------


async def test_org_key_change_needs_the_old_keys_certificate(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    assert admin.org_seed is not None
    new_seed = generate_signing_seed()
    new_key = signing_public_key(new_seed)
    bare = await client.put("/v1/org/key", json={"org_key": b64e(new_key)}, headers=admin.headers)
    assert bare.status_code == 409
    wrong_cert = make_org_key_certificate(new_seed, new_key)  # signed by the new key, not the old one
    forged = await client.put(
        "/v1/org/key", json={"org_key": b64e(new_key), "certificate": b64e(wrong_cert)}, headers=admin.headers
    )
    assert forged.status_code == 409
    org = (await client.get("/v1/org", headers=admin.headers)).json()
    assert org["org_key"] == b64e(signing_public_key(admin.org_seed))
    cert = make_org_key_certificate(admin.org_seed, new_key)
    ok = await client.put(
        "/v1/org/key", json={"org_key": b64e(new_key), "certificate": b64e(cert)}, headers=admin.headers
    )
    assert ok.status_code == 204
    assert (await client.get("/v1/org", headers=admin.headers)).json()["org_key"] == b64e(new_key)
    assert "org_key_changed" in await _events(ctx)


async def test_org_key_changes_are_served_as_a_verifiable_chain(
    client: httpx.AsyncClient, admin: Actor, bob: Actor
) -> None:
    assert admin.org_seed is not None
    first = signing_public_key(admin.org_seed)
    assert (await client.get("/v1/org", headers=admin.headers)).json()["org_key_chain"] == []
    seeds = [admin.org_seed, generate_signing_seed(), generate_signing_seed()]
    for old, new in itertools.pairwise(seeds):
        cert = make_org_key_certificate(old, signing_public_key(new))
        body = {"org_key": b64e(signing_public_key(new)), "certificate": b64e(cert)}
        assert (await client.put("/v1/org/key", json=body, headers=admin.headers)).status_code == 204
    code = (await client.post("/v1/org/codes", json={"label": "A"}, headers=admin.headers)).json()["code"]
    for chain in (
        (await client.get("/v1/org", headers=bob.headers)).json()["org_key_chain"],
        (await client.get(f"/v1/join/{code}")).json()["org_key_chain"],
    ):
        assert [link["old_key"] for link in chain] == [b64e(first), b64e(signing_public_key(seeds[1]))]
        assert chain[-1]["new_key"] == b64e(signing_public_key(seeds[2]))
        pinned = first
        for link in chain:  # each link verifies from the key before it
            new_key = b64d(link["new_key"])
            verify_org_key_certificate(pinned, new_key, b64d(link["certificate"]))
            pinned = new_key


async def test_first_org_key_needs_no_certificate(
    client: httpx.AsyncClient, ctx: AppContext, clock: ManualClock
) -> None:
    _, invitation = await create_org_with_admin(ctx, "Later Key BV")
    first = await enrol(client, clock, invitation, username="first")  # enrolled without a key
    key = b64e(signing_public_key(generate_signing_seed()))
    assert (await client.put("/v1/org/key", json={"org_key": key}, headers=first.headers)).status_code == 204
    assert (await client.get("/v1/org", headers=first.headers)).json()["org_key"] == key


# --- roles and removal ----------------------------------------------------------------------------


async def test_non_admin_is_forbidden(
    client: httpx.AsyncClient, admin: Actor, bob: Actor, clock: ManualClock
) -> None:
    v1 = await _current_roster(client, admin)
    assert admin.org_seed is not None
    v2 = make_roster(admin.org_id, admin.org_seed, [admin.roster_entry()], clock, version=2, prev=v1)
    key = b64e(signing_public_key(generate_signing_seed()))
    article = {"title": "T", "body": "B", "language": "nl", "published": True}
    attempts = [
        ("PUT", "/v1/org/roster", v2.to_json()),
        ("PUT", "/v1/org/key", {"org_key": key}),
        ("POST", "/v1/org/invitations", {"role": "counsellor"}),
        ("DELETE", f"/v1/org/counsellors/{admin.counsellor_id}", None),
        ("POST", "/v1/org/codes", {"label": "x"}),
        ("POST", "/v1/org/articles", article),
    ]
    for method, path, body in attempts:
        response = await client.request(method, path, json=body, headers=bob.headers)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["code"] == "forbidden"
    # Reading is allowed.
    assert (await client.get("/v1/org/codes", headers=bob.headers)).status_code == 200
    assert (await client.get("/v1/org/articles", headers=bob.headers)).status_code == 200


async def test_removing_a_counsellor_kills_their_sessions(
    client: httpx.AsyncClient, admin: Actor, bob: Actor, ctx: AppContext
) -> None:
    response = await client.delete(f"/v1/org/counsellors/{bob.counsellor_id}", headers=admin.headers)
    assert response.status_code == 204
    assert (await client.get("/v1/me", headers=bob.headers)).status_code == 401
    org = (await client.get("/v1/org", headers=admin.headers)).json()
    assert [c["username"] for c in org["counsellors"]] == ["admin1"]
    again = await client.delete(f"/v1/org/counsellors/{bob.counsellor_id}", headers=admin.headers)
    assert again.status_code == 404
    assert "counsellor_removed" in await _events(ctx)


async def test_admin_invites_and_the_invitee_enrols(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    response = await client.post("/v1/org/invitations", json={"role": "admin"}, headers=admin.headers)
    assert response.status_code == 201
    invited = response.json()
    assert invited["expires_at"] == int(clock.now().timestamp()) + 7 * 86400
    second = await enrol(client, clock, invited["invitation"], username="second-admin")
    assert (await client.get("/v1/me", headers=second.headers)).json()["role"] == "admin"


# --- codes, join, articles ------------------------------------------------------------------------


async def test_codes_qr_payload_and_revocation(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    created = await client.post("/v1/org/codes", json={"label": "Poster hal"}, headers=admin.headers)
    assert created.status_code == 201
    code = created.json()
    qr = parse_qr_payload(code["qr_payload"])
    assert qr.org_code == code["code"] and qr.relay_url == "https://relay.example.nl"
    assert admin.org_seed is not None and qr.matches(signing_public_key(admin.org_seed))
    joined = await client.get(f"/v1/join/{code['code']}")
    assert joined.status_code == 200
    assert joined.json()["org_id"] == str(admin.org_id)
    assert joined.json()["org_name"] == "Gemeente Testdorp"
    listed = (await client.get("/v1/org/codes", headers=admin.headers)).json()["codes"]
    assert [c["code"] for c in listed] == [code["code"]]
    assert (await client.delete(f"/v1/org/codes/{code['code']}", headers=admin.headers)).status_code == 204
    assert (await client.get(f"/v1/join/{code['code']}")).status_code == 410
    assert (await client.get("/v1/articles", params={"org_code": code["code"]})).status_code == 410
    listed = (await client.get("/v1/org/codes", headers=admin.headers)).json()["codes"]
    assert listed[0]["revoked_at"] is not None and listed[0]["qr_payload"] is None
    assert {"code_created", "code_revoked"} <= set(await _events(ctx))
    assert (await client.get("/v1/join/NOSUCHCODE")).status_code == 404


async def test_articles_crud_and_public_list(client: httpx.AsyncClient, admin: Actor, bob: Actor) -> None:
    code = (await client.post("/v1/org/codes", json={"label": "p"}, headers=admin.headers)).json()["code"]
    draft = {"title": "Wat is ongewenst gedrag?", "body": "Uitleg.", "language": "nl", "published": False}
    created = await client.post("/v1/org/articles", json=draft, headers=admin.headers)
    assert created.status_code == 201
    article = created.json()
    public = (await client.get("/v1/articles", params={"org_code": code})).json()
    assert public == {"articles": []}  # unpublished
    updated = await client.put(
        f"/v1/org/articles/{article['id']}", json={**draft, "published": True}, headers=admin.headers
    )
    assert updated.status_code == 200 and updated.json()["published"] is True
    public = (await client.get("/v1/articles", params={"org_code": code})).json()["articles"]
    assert [a["title"] for a in public] == [draft["title"]]
    assert set(public[0]) == {"id", "title", "body", "language", "updated_at"}
    assert len((await client.get("/v1/org/articles", headers=bob.headers)).json()["articles"]) == 1
    assert (
        await client.delete(f"/v1/org/articles/{article['id']}", headers=admin.headers)
    ).status_code == 204
    assert (await client.get("/v1/articles", params={"org_code": code})).json() == {"articles": []}
    bad = await client.post("/v1/org/articles", json={**draft, "language": "de"}, headers=admin.headers)
    assert bad.status_code == 400


async def test_no_cross_org_access(
    client: httpx.AsyncClient, admin: Actor, bob: Actor, other_admin: Actor, clock: ManualClock
) -> None:
    """Every org endpoint answers 404 for another org's objects (never 403: no existence oracle)."""
    code = (await client.post("/v1/org/codes", json={"label": "p"}, headers=admin.headers)).json()["code"]
    article = (
        await client.post(
            "/v1/org/articles",
            json={"title": "t", "body": "b", "language": "en", "published": True},
            headers=admin.headers,
        )
    ).json()
    session_id = (await client.get("/v1/auth/sessions", headers=admin.headers)).json()["sessions"][0]["id"]
    edit = {"title": "hijacked", "body": "b", "language": "en", "published": True}
    attempts = [
        ("DELETE", f"/v1/org/counsellors/{bob.counsellor_id}", None),
        ("DELETE", f"/v1/org/codes/{code}", None),
        ("PUT", f"/v1/org/articles/{article['id']}", edit),
        ("DELETE", f"/v1/org/articles/{article['id']}", None),
        ("DELETE", f"/v1/auth/sessions/{session_id}", None),
    ]
    for method, path, body in attempts:
        response = await client.request(method, path, json=body, headers=other_admin.headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}
    # Reads show only the caller's own org.
    theirs = (await client.get("/v1/org", headers=other_admin.headers)).json()
    assert theirs["org_id"] == str(other_admin.org_id)
    assert [c["username"] for c in theirs["counsellors"]] == ["zoe"]
    assert (await client.get("/v1/org/codes", headers=other_admin.headers)).json() == {"codes": []}
    assert (await client.get("/v1/org/articles", headers=other_admin.headers)).json() == {"articles": []}
    # Nothing of the first org changed.
    assert (await client.get("/v1/me", headers=bob.headers)).status_code == 200
    assert (await client.get(f"/v1/join/{code}")).status_code == 200
    mine = (await client.get("/v1/org/articles", headers=admin.headers)).json()["articles"]
    assert [a["title"] for a in mine] == ["t"]
    # A roster signed with the other org's key for this org is refused too.
    v1 = await _current_roster(client, admin)
    assert other_admin.org_seed is not None
    cross = make_roster(admin.org_id, other_admin.org_seed, [], clock, version=2, prev=v1)
    assert (
        await client.put("/v1/org/roster", json=cross.to_json(), headers=other_admin.headers)
    ).status_code == 409


async def test_further_device_of_the_same_counsellor(client: httpx.AsyncClient, bob: Actor) -> None:
    from opgelucht_desk.protocol.keys import DeviceKeys
    from opgelucht_desk.protocol.roster import make_device_entry

    laptop = make_device_entry(bob.identity_seed, DeviceKeys.generate(), uuid.uuid4())
    added = await client.post("/v1/me/devices", json=laptop.to_json(), headers=bob.headers)
    assert added.status_code == 201, added.text
    devices = (await client.get("/v1/me", headers=bob.headers)).json()["devices"]
    assert devices == [bob.device_entry.to_json(), laptop.to_json()]
    again = await client.post("/v1/me/devices", json=laptop.to_json(), headers=bob.headers)
    assert again.status_code == 409
    stranger = make_device_entry(generate_signing_seed(), DeviceKeys.generate(), uuid.uuid4())
    refused = await client.post("/v1/me/devices", json=stranger.to_json(), headers=bob.headers)
    assert refused.status_code == 400
