"""Enrolment: one-time invitations hashed at rest, 7-day expiry, password rules, TOTP, device keys."""

from __future__ import annotations

import uuid

import httpx
from kit.actors import Actor, create_invitation_for, create_org_with_admin, enrol, start_enrolment
from sqlalchemy import select

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.keys import DeviceKeys, generate_signing_seed, signing_public_key
from opgelucht_desk.protocol.roster import make_device_entry
from opgelucht_relay.auth.invitations import new_invitation
from opgelucht_relay.auth.totp import code_at
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.models import AuditEvent, Invitation


def _finish_body(started: dict[str, str], clock: ManualClock, **extra: object) -> dict[str, object]:
    identity_seed = generate_signing_seed()
    entry = make_device_entry(identity_seed, DeviceKeys.generate(), uuid.uuid4())
    body: dict[str, object] = {
        "enrolment_token": started["enrolment_token"],
        "totp_code": code_at(started["totp_secret"], clock.now()),
        "identity_key": b64e(signing_public_key(identity_seed)),
        "device": entry.to_json(),
    }
    body.update(extra)
    return body


async def test_invitation_is_hashed_at_rest_and_one_time(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    invitation = await create_invitation_for(ctx, admin.org_id)
    async with ctx.db.sessions() as db:
        dump = "\n".join(repr(r) for r in (await db.execute(select(Invitation.__table__))).all())
    assert invitation not in dump
    await start_enrolment(client, invitation, "carol")
    again = await client.post(
        "/v1/enrolment/start",
        json={"invitation": invitation, "username": "carol2", "display_name": "C", "password": "x" * 12},
    )
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "gone"


async def test_invitation_expires_after_seven_days(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    invitation = await create_invitation_for(ctx, admin.org_id)
    clock.advance(days=7, seconds=1)
    response = await client.post(
        "/v1/enrolment/start",
        json={"invitation": invitation, "username": "late", "display_name": "L", "password": "x" * 12},
    )
    assert response.status_code == 410


async def test_unknown_invitation_short_password_taken_username(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    base = {"username": "dave", "display_name": "Dave", "password": "long enough password"}
    unknown = await client.post("/v1/enrolment/start", json={**base, "invitation": new_invitation()})
    assert unknown.status_code == 404
    not_a_code = await client.post("/v1/enrolment/start", json={**base, "invitation": "nope"})
    assert not_a_code.status_code == 400
    invitation = await create_invitation_for(ctx, admin.org_id)
    short = await client.post(
        "/v1/enrolment/start", json={**base, "invitation": invitation, "password": "tiny-secret"}
    )
    assert short.status_code == 400
    assert "tiny-secret" not in short.text  # the error names the field, never echoes the value
    taken = await client.post(
        "/v1/enrolment/start", json={**base, "invitation": invitation, "username": "ADMIN1"}
    )
    assert taken.status_code == 409
    # A refused start does not use up the invitation.
    assert (
        await client.post("/v1/enrolment/start", json={**base, "invitation": invitation})
    ).status_code == 200


async def test_wrong_code_at_finish_and_too_many_tries(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    started = await start_enrolment(client, await create_invitation_for(ctx, admin.org_id), "erin")
    good = code_at(started["totp_secret"], clock.now())
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = await client.post(
            "/v1/enrolment/finish", json=_finish_body(started, clock, totp_code=wrong)
        )
        assert response.status_code == 401
    # After five wrong codes the enrolment token is dead, even with the right code.
    response = await client.post("/v1/enrolment/finish", json=_finish_body(started, clock))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_enrolment_token_expires(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    started = await start_enrolment(client, await create_invitation_for(ctx, admin.org_id), "fay")
    clock.advance(hours=1, seconds=1)
    response = await client.post("/v1/enrolment/finish", json=_finish_body(started, clock))
    assert response.status_code == 401


async def test_device_bundle_must_verify(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    started = await start_enrolment(client, await create_invitation_for(ctx, admin.org_id), "gus")
    body = _finish_body(started, clock)
    body["identity_key"] = b64e(signing_public_key(generate_signing_seed()))  # not the signer
    response = await client.post("/v1/enrolment/finish", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


async def test_counsellor_cannot_upload_org_key(
    client: httpx.AsyncClient, ctx: AppContext, clock: ManualClock
) -> None:
    org_id, _ = await create_org_with_admin(ctx, "Keyless BV")
    started = await start_enrolment(client, await create_invitation_for(ctx, org_id), "hank")
    body = _finish_body(started, clock, org_key=b64e(signing_public_key(generate_signing_seed())))
    assert (await client.post("/v1/enrolment/finish", json=body)).status_code == 403


async def test_second_admin_cannot_replace_org_key_at_enrolment(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    started = await start_enrolment(client, await create_invitation_for(ctx, admin.org_id, "admin"), "ivy")
    assert started["org_key"] is not None  # the desktop learns the key to verify against
    body = _finish_body(started, clock, org_key=b64e(signing_public_key(generate_signing_seed())))
    assert (await client.post("/v1/enrolment/finish", json=body)).status_code == 409


async def test_enrolment_is_audited_and_counsellor_listed(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    bob = await enrol(client, clock, await create_invitation_for(ctx, admin.org_id), username="bob")
    org = (await client.get("/v1/org", headers=admin.headers)).json()
    listed = {c["username"]: c for c in org["counsellors"]}
    assert set(listed) == {"admin1", "bob"}
    assert listed["bob"]["role"] == "counsellor"
    assert listed["bob"]["devices"] == [bob.device_entry.to_json()]
    async with ctx.db.sessions() as db:
        events = [e.event for e in (await db.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars()]
    assert events.count("enrolment_started") == 2
    assert events.count("enrolment_finished") == 2
    assert "roster_published" in events and "org_key_set" in events


async def test_unfinished_enrolment_is_purged_and_frees_the_username(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    from opgelucht_relay.jobs import run_job

    await start_enrolment(client, await create_invitation_for(ctx, admin.org_id), "jan")
    clock.advance(hours=2)
    await run_job(ctx, "purge_enrolments")
    # The same username can be enrolled again with a new invitation.
    await enrol(client, clock, await create_invitation_for(ctx, admin.org_id), username="jan")
    async with ctx.db.sessions() as db:
        events = [e.event for e in (await db.execute(select(AuditEvent))).scalars()]
    assert "enrolment_expired" in events


async def test_a_display_name_that_displays_as_something_else_is_refused(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    """Reporters choose a counsellor by name: a right-to-left override, a terminal escape or a newline
    would make a name show as another one, so such a name is a 400 naming the field (never the value),
    and the invitation stays usable."""
    invitation = await create_invitation_for(ctx, admin.org_id)
    base = {"invitation": invitation, "username": "erin", "password": "long enough password"}
    for name in ("Anouk\u202eseirV ed", "Anouk\x1b[8m", "Anouk\nde Vries", "Anouk\u2066x\u2069"):
        refused = await client.post("/v1/enrolment/start", json={**base, "display_name": name})
        assert refused.status_code == 400, name
        assert refused.json()["error"]["code"] == "bad_request"
        assert "display_name" in refused.text and "Anouk" not in refused.text
    persian = await client.post(
        "/v1/enrolment/start", json={**base, "display_name": "\u0645\u06cc\u200c\u0646\u0627"}
    )
    assert persian.status_code == 200  # a zero-width non-joiner is part of the name
