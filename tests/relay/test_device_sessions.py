"""Issue 9 item 3, device removal: a counsellor session is bound to one of the counsellor's devices (a
signed login, the enrolment, or the device a further computer registers with it), and a roster that
drops a device ends that device's sessions and live streams within a second, on every instance; the
device cannot log in again. Real HTTP (uvicorn) on SQLite and PostgreSQL; a second instance on
PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor, create_invitation_for, enrol, login, login_body, make_roster, new_code
from kit.relay import served
from kit.reporter import RawReporter, seal
from kit.sse import next_event, wait_ready

from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.roster import (
    CounsellorEntry,
    DeviceEntry,
    SignedRoster,
    make_device_entry,
    parse_roster_body,
)
from opgelucht_relay.app import create_app
from opgelucht_relay.auth.totp import code_at
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext

ENDS_WITHIN = 1.0  # seconds: the promise of docs/api.md


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Further:
    """A further computer of a counsellor: its device, and the session that registered it."""

    token: str
    keys: DeviceKeys
    entry: DeviceEntry


async def further_computer(http: httpx.AsyncClient, clock: ManualClock, actor: Actor) -> Further:
    """As the desk's further-computer flow: log in without a device, register one signed by the
    identity key (the session is bound to it from then on)."""
    response = await login(http, clock, actor, device=False)
    assert response.status_code == 200, response.text
    token = str(response.json()["token"])
    keys = DeviceKeys.generate()
    entry = make_device_entry(actor.identity_seed, keys, uuid.uuid4())
    assert (await http.post("/v1/me/devices", json=entry.to_json(), headers=bearer(token))).status_code == 201
    return Further(token, keys, entry)


async def publish(
    http: httpx.AsyncClient, clock: ManualClock, admin: Actor, counsellors: list[CounsellorEntry]
) -> None:
    """The admin signs and publishes the next roster listing exactly ``counsellors``."""
    org = (await http.get("/v1/org", headers=admin.headers)).json()
    prev = SignedRoster.from_json(org["roster"])
    assert admin.org_seed is not None
    signed = make_roster(
        admin.org_id,
        admin.org_seed,
        counsellors,
        clock,
        version=parse_roster_body(prev.body).version + 1,
        prev=prev,
    )
    assert (await http.put("/v1/org/roster", json=signed.to_json(), headers=admin.headers)).status_code == 204


def entry_of(actor: Actor, *devices: DeviceEntry) -> CounsellorEntry:
    return CounsellorEntry(actor.counsellor_id, actor.display_name, actor.identity_key, devices)


async def next_change(lines: AsyncIterator[str]) -> dict[str, object]:
    """The next change event (past the roster's content-free resync)."""
    while True:
        event = await next_event(lines)
        if event:
            return event


async def current_session(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, object]:
    sessions = (await http.get("/v1/auth/sessions", headers=headers)).json()["sessions"]
    [current] = [s for s in sessions if s["current"]]
    return dict(current)


async def rest_of(lines: AsyncIterator[str]) -> list[str]:
    return [line async for line in lines]


async def ends_within_a_second(lines: AsyncIterator[str]) -> float:
    """The stream ends within ENDS_WITHIN seconds without another event; returns how long it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        rest = await asyncio.wait_for(rest_of(lines), ENDS_WITHIN)
    except TimeoutError:
        raise AssertionError(f"the stream was still open {ENDS_WITHIN} s after the roster") from None
    assert not any(line.startswith(("data:", "event: change")) for line in rest), rest
    return loop.time() - started


async def colleague_with_two_computers(
    http: httpx.AsyncClient, ctx: AppContext, clock: ManualClock, admin: Actor
) -> tuple[Actor, Further]:
    """Counsellor X: computer A (enrolled), computer B (added later); roster v2 lists both."""
    x = await enrol(http, clock, await create_invitation_for(ctx, admin.org_id), username="xander")
    b = await further_computer(http, clock, x)
    await publish(http, clock, admin, [admin.roster_entry(), entry_of(x, x.device_entry, b.entry)])
    return x, b


async def reporter_posts(reporter: RawReporter) -> None:
    conv = uuid.uuid4()
    envelope = seal(conv, reporter.keys, [reporter.keys.enc_pk], b"na de lijst")
    assert (await reporter.post(conv, envelope)).status_code == 201


async def test_a_roster_dropping_device_b_ends_its_stream_and_session_while_device_a_keeps_going(
    app: FastAPI, ctx: AppContext, clock: ManualClock, admin: Actor
) -> None:
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        x, b = await colleague_with_two_computers(http, ctx, clock, admin)
        reporter = RawReporter(http, clock, await new_code(http, admin))
        assert (await reporter.register()).status_code == 201
        async with (
            httpx.AsyncClient(base_url=url, timeout=10) as streams,
            streams.stream("GET", "/v1/inbox/events", headers=bearer(b.token)) as on_b,
            streams.stream("GET", "/v1/inbox/events", headers=x.headers) as on_a,
        ):
            b_lines, a_lines = on_b.aiter_lines(), on_a.aiter_lines()
            await asyncio.wait_for(wait_ready(b_lines), 10)
            await asyncio.wait_for(wait_ready(a_lines), 10)
            # Computer B is stolen: roster v3 lists X with computer A only.
            await publish(http, clock, admin, [admin.roster_entry(), entry_of(x, x.device_entry)])
            await ends_within_a_second(b_lines)
            # A's stream goes on and carries the next event.
            await reporter_posts(reporter)
            assert "cursor" in await asyncio.wait_for(next_change(a_lines), 10)
        # B's token is dead everywhere, the lean reply route included; A's session works.
        assert (await http.get("/v1/inbox/sync", headers=bearer(b.token))).status_code == 401
        reply = await http.post(
            f"/v1/inbox/conversations/{uuid.uuid4()}/messages",
            json={"envelope": "AAAA"},
            headers=bearer(b.token),
        )
        assert reply.status_code == 401
        assert (await http.get("/v1/inbox/events", headers=bearer(b.token))).status_code == 401
        assert (await http.get("/v1/inbox/sync", headers=x.headers)).status_code == 200
        # B cannot log in again, even with the right password, code and signature.
        clock.advance(seconds=30)
        code = code_at(x.totp_secret, clock.now())
        body = login_body(x, code, device_id=b.entry.device_id, sign_seed=b.keys.sign_seed)
        refused = await http.post("/v1/auth/login", json=body)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "device_removed"
        assert "removed from the organisation's list" in refused.json()["error"]["message"]
        # The relay no longer offers B for a roster (the admin's next roster would list it again).
        org = (await http.get("/v1/org", headers=admin.headers)).json()
        [listed] = [c for c in org["counsellors"] if c["counsellor_id"] == str(x.counsellor_id)]
        assert [d["device_id"] for d in listed["devices"]] == [str(x.device_id)]
        # X logs in on A as usual.
        assert (await login(http, clock, x)).status_code == 200


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_the_drop_ends_the_stream_held_by_another_instance(
    app: FastAPI, settings: Settings, ctx: AppContext, clock: ManualClock, admin: Actor
) -> None:
    """Two relay instances on one PostgreSQL database: B's stream is on the second, the roster goes to
    the first (the end travels over LISTEN/NOTIFY)."""
    second = create_app(settings, clock)
    async with (
        served(app) as url,
        served(second) as second_url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
        httpx.AsyncClient(base_url=second_url, timeout=10) as other,
    ):
        x, b = await colleague_with_two_computers(http, ctx, clock, admin)
        async with other.stream("GET", "/v1/inbox/events", headers=bearer(b.token)) as on_b:
            lines = on_b.aiter_lines()
            await asyncio.wait_for(wait_ready(lines), 10)
            await publish(http, clock, admin, [admin.roster_entry(), entry_of(x, x.device_entry)])
            await ends_within_a_second(lines)
        assert (await other.get("/v1/inbox/sync", headers=bearer(b.token))).status_code == 401


async def test_a_device_no_roster_listed_yet_keeps_working(
    app: FastAPI, ctx: AppContext, clock: ManualClock, admin: Actor
) -> None:
    """A new further computer waits for the admin: rosters that do not list it yet end nothing."""
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        x = await enrol(http, clock, await create_invitation_for(ctx, admin.org_id), username="xander")
        b = await further_computer(http, clock, x)
        async with http.stream("GET", "/v1/inbox/events", headers=bearer(b.token)) as on_b:
            lines = on_b.aiter_lines()
            await asyncio.wait_for(wait_ready(lines), 10)
            await publish(http, clock, admin, [admin.roster_entry(), entry_of(x, x.device_entry)])
            assert await asyncio.wait_for(next_event(lines), 10) == {}  # the resync: still open
        assert (await http.get("/v1/inbox/sync", headers=bearer(b.token))).status_code == 200
        assert (await login(http, clock, x)).status_code == 200
        clock.advance(seconds=30)
        relogin = login_body(
            x, code_at(x.totp_secret, clock.now()), device_id=b.entry.device_id, sign_seed=b.keys.sign_seed
        )
        assert (await http.post("/v1/auth/login", json=relogin)).status_code == 200


async def test_a_login_claiming_another_counsellors_device_is_refused(
    client: httpx.AsyncClient, ctx: AppContext, clock: ManualClock, admin: Actor
) -> None:
    x = await enrol(client, clock, await create_invitation_for(ctx, admin.org_id), username="xander")
    # X's password and code, the admin's device: signed with X's key, and with the admin's own key.
    for seed in (x.device_keys.sign_seed, admin.device_keys.sign_seed):
        clock.advance(seconds=30)
        body = login_body(x, code_at(x.totp_secret, clock.now()), device_id=admin.device_id, sign_seed=seed)
        response = await client.post("/v1/auth/login", json=body)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "device_unknown"
    # A device id nobody registered.
    clock.advance(seconds=30)
    body = login_body(x, code_at(x.totp_secret, clock.now()), device_id=uuid.uuid4())
    assert (await client.post("/v1/auth/login", json=body)).json()["error"]["code"] == "device_unknown"
    assert len((await client.get("/v1/auth/sessions", headers=x.headers)).json()["sessions"]) == 1


async def test_a_wrong_signature_is_refused(
    client: httpx.AsyncClient, clock: ManualClock, admin: Actor
) -> None:
    clock.advance(seconds=30)
    code = code_at(admin.totp_secret, clock.now())
    other_key = login_body(admin, code, sign_seed=DeviceKeys.generate().sign_seed)
    response = await client.post("/v1/auth/login", json=other_key)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "device_unknown")
    # A signature of this device over another code (one seen before) does not cover this one.
    clock.advance(seconds=30)
    code = code_at(admin.totp_secret, clock.now())
    stale = {**login_body(admin, code), "device_sig": login_body(admin, "000000")["device_sig"]}
    response = await client.post("/v1/auth/login", json=stale)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "device_unknown")
    # The device id without the signature (or the other way round) is a malformed request.
    clock.advance(seconds=30)
    bare = login_body(admin, code_at(admin.totp_secret, clock.now()))
    del bare["device_sig"]
    assert (await client.post("/v1/auth/login", json=bare)).status_code == 400


async def test_a_replayed_login_with_its_used_code_is_refused(
    client: httpx.AsyncClient, clock: ManualClock, admin: Actor
) -> None:
    clock.advance(seconds=30)
    body = login_body(admin, code_at(admin.totp_secret, clock.now()))
    assert (await client.post("/v1/auth/login", json=body)).status_code == 200
    replayed = await client.post("/v1/auth/login", json=body)
    assert (replayed.status_code, replayed.json()["error"]["code"]) == (401, "invalid_credentials")
    # Still refused later, when that code's time-step is long past.
    clock.advance(seconds=90)
    assert (await client.post("/v1/auth/login", json=body)).status_code == 401


async def test_a_session_without_a_device_may_only_register_one(
    app: FastAPI, clock: ManualClock, admin: Actor
) -> None:
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        response = await login(http, clock, admin, device=False)
        assert response.status_code == 200
        unbound = bearer(str(response.json()["token"]))
        # What the further-computer flow needs before its device exists.
        assert (await http.get("/v1/me", headers=unbound)).status_code == 200
        assert (await current_session(http, unbound))["device_id"] is None
        # Nothing else: no sync, no stream, no reply or note (the lean routes too), no org.
        conv = f"/v1/inbox/conversations/{uuid.uuid4()}"
        envelope = {"envelope": "AAAA"}
        refused = [
            await http.get("/v1/inbox/sync", headers=unbound),
            await http.get("/v1/inbox/events", headers=unbound),
            await http.get("/v1/org", headers=unbound),
            await http.post(f"{conv}/messages", json=envelope, headers=unbound),
            await http.post(f"{conv}/notes", json=envelope, headers=unbound),
            await http.post("/v1/inbox/wraps", json={"wraps": []}, headers=unbound),
            await http.post("/v1/org/codes", json={"label": "x"}, headers=unbound),
        ]
        for answer in refused:
            assert answer.status_code == 403, answer.request.url
            assert answer.json() == {
                "error": {
                    "code": "device_required",
                    "message": "This session is bound to no device: register this computer "
                    "(POST /v1/me/devices) first.",
                }
            }
        # Registering the computer's device binds the session to it: it syncs from then on.
        entry = make_device_entry(admin.identity_seed, DeviceKeys.generate(), uuid.uuid4())
        assert (await http.post("/v1/me/devices", json=entry.to_json(), headers=unbound)).status_code == 201
        assert (await http.get("/v1/inbox/sync", headers=unbound)).status_code == 200
        assert (await current_session(http, unbound))["device_id"] == str(entry.device_id)
        # A second device registered through a bound session leaves the binding as it is.
        another = make_device_entry(admin.identity_seed, DeviceKeys.generate(), uuid.uuid4())
        assert (await http.post("/v1/me/devices", json=another.to_json(), headers=unbound)).status_code == 201
        assert (await current_session(http, unbound))["device_id"] == str(entry.device_id)
        # An unbound session can sign out.
        response = await login(http, clock, admin, device=False)
        assert (
            await http.post("/v1/auth/logout", headers=bearer(response.json()["token"]))
        ).status_code == 204


async def test_the_enrolment_session_is_bound_to_the_device_it_registered(
    client: httpx.AsyncClient, admin: Actor
) -> None:
    [current] = (await client.get("/v1/auth/sessions", headers=admin.headers)).json()["sessions"]
    assert current["device_id"] == str(admin.device_id)
    assert (await client.get("/v1/inbox/sync", headers=admin.headers)).status_code == 200
