"""Issue 9 items 1, 2, 4, 5 and issue 10's invitation codes: what an outside attacker tries against login,
``/metrics``, enrolment and redirects (in-process, with real concurrency over the ASGI app)."""

from __future__ import annotations

import asyncio
import re
from collections import Counter as Tally
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor, create_invitation_for, login

from opgelucht_relay.app import create_app
from opgelucht_relay.auth.invitations import INVITATION_RE, new_invitation, parse_invitation
from opgelucht_relay.auth.totp import code_at
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.jobs import run_job
from opgelucht_relay.metrics import MetricsListener

WRONG = "not the password at all"


async def _attempt(client: httpx.AsyncClient, username: str, password: str, code: str) -> httpx.Response:
    return await client.post(
        "/v1/auth/login", json={"username": username, "password": password, "totp_code": code}
    )


def _statuses(responses: list[httpx.Response]) -> Tally[int]:
    return Tally(r.status_code for r in responses)


# --- Item 1: /metrics is no password oracle and not public ---------------------------------------------


async def test_login_outcomes_in_metrics_do_not_tell_the_failures_apart(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, ctx: AppContext
) -> None:
    clock.advance(seconds=30)
    good = code_at(admin.totp_secret, clock.now())
    wrong_code = f"{(int(good) + 1) % 1_000_000:06d}"
    await _attempt(client, "nobody-here", WRONG, good)  # unknown user
    await _attempt(client, admin.username, WRONG, good)  # wrong password
    await _attempt(client, admin.username, admin.password, wrong_code)  # right password, wrong code
    text = ctx.metrics.render().decode()
    logins = sorted(line for line in text.splitlines() if line.startswith("opg_logins_total"))
    assert logins == ['opg_logins_total{outcome="refused"} 3.0']


async def test_main_listener_answers_404_for_metrics(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    response = await client.get("/metrics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "opg_http_requests_total" not in response.text


async def test_metrics_listener_on_loopback_needs_the_token(
    client: httpx.AsyncClient, ctx: AppContext
) -> None:
    await client.get("/healthz")
    listener = MetricsListener.start("127.0.0.1", 0, ctx.metrics.registry, token="s3cret-scrape-token")
    try:
        base = f"http://127.0.0.1:{listener.port}"
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            assert (await http.get("/metrics")).status_code == 401
            assert (await http.get("/metrics", headers={"Authorization": "Bearer nope"})).status_code == 401
            ok = await http.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
            assert ok.status_code == 200
            assert 'opg_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in ok.text
            other = await http.get("/v1/me", headers={"Authorization": "Bearer s3cret-scrape-token"})
            assert other.status_code == 404
    finally:
        listener.stop()


def test_metrics_settings_default_to_off_on_loopback_and_refuse_an_open_port_without_token(
    tmp_path: Path,
) -> None:
    anywhere = "0.0.0.0"  # noqa: S104 - the setting under test
    settings = Settings.load(None, data_dir=tmp_path)
    assert settings.metrics_port == 0 and settings.metrics_host == "127.0.0.1"
    with pytest.raises(ValueError, match="metrics_token"):
        Settings.load(None, data_dir=tmp_path, metrics_host=anywhere, metrics_port=9464)
    Settings.load(None, data_dir=tmp_path, metrics_host=anywhere, metrics_port=9464, metrics_token="x" * 32)


# --- Item 2: throttles hold against parallel attempts, and across instances -----------------------------


async def test_parallel_wrong_passwords_for_one_account_are_throttled(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    before = ctx.passwords.verifications
    responses = await asyncio.gather(*(_attempt(client, admin.username, WRONG, "000000") for _ in range(30)))
    assert _statuses(list(responses)) == {401: 5, 429: 25}
    assert ctx.passwords.verifications == before + 5  # the others never reached argon2
    assert all(int(r.headers["Retry-After"]) >= 1 for r in responses if r.status_code == 429)


async def test_parallel_wrong_passwords_from_one_address_are_throttled(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    responses = await asyncio.gather(*(_attempt(client, f"user{i}", WRONG, "000000") for i in range(60)))
    assert _statuses(list(responses)) == {401: 20, 429: 40}


async def test_a_successful_login_does_not_count_against_the_address(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    for _ in range(25):
        clock.advance(seconds=30)
        assert (await login(client, clock, admin)).status_code == 200


@pytest.fixture
async def second_app(settings: Settings, clock: ManualClock) -> AsyncIterator[FastAPI]:
    """Another relay instance on the same database (as a second worker or host would be)."""
    application = create_app(settings, clock)
    async with application.router.lifespan_context(application):
        yield application


async def test_account_lockout_holds_across_instances(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, second_app: FastAPI
) -> None:
    transport = httpx.ASGITransport(app=second_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as other:
        for http in (client, other, client, other, client):
            assert (await _attempt(http, admin.username, WRONG, "000000")).status_code == 401
        clock.advance(seconds=1)
        code = code_at(admin.totp_secret, clock.now())
        for http in (client, other):
            locked = await _attempt(http, admin.username, admin.password, code)  # even the right ones
            assert locked.status_code == 429
            assert 1 <= int(locked.headers["Retry-After"]) <= 30


async def test_parallel_attempts_on_two_instances_share_one_limit(
    client: httpx.AsyncClient, admin: Actor, second_app: FastAPI
) -> None:
    transport = httpx.ASGITransport(app=second_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as other:
        responses = await asyncio.gather(
            *(_attempt(http, admin.username, WRONG, "000000") for http in (client, other) for _ in range(15))
        )
    assert _statuses(list(responses)) == {401: 5, 429: 25}


async def test_unknown_usernames_are_stored_only_as_hashes(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    canary = "CANARY-password-typed-as-username"
    await _attempt(client, canary, WRONG, "000000")
    async with ctx.db.engine.connect() as conn:
        rows = (await conn.exec_driver_sql("SELECT * FROM login_failures")).all()
    assert len(rows) == 1
    assert canary.encode() not in repr(rows).encode() and canary.casefold() not in repr(rows)


async def test_lockout_rows_are_forgotten_a_day_after_the_last_attempt(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, ctx: AppContext
) -> None:
    for _ in range(5):
        await _attempt(client, admin.username, WRONG, "000000")
    clock.advance(hours=23)
    await run_job(ctx, "purge_login_failures")
    assert await _lockout_rows(ctx) == 1  # still within the day: the next failure doubles the lock
    clock.advance(hours=2)
    await run_job(ctx, "purge_login_failures")
    assert await _lockout_rows(ctx) == 0


async def _lockout_rows(ctx: AppContext) -> int:
    async with ctx.db.engine.connect() as conn:
        return len((await conn.exec_driver_sql("SELECT key FROM login_failures")).all())


# --- Item 4: one invitation cannot probe usernames without bound ------------------------------------------


async def _start(client: httpx.AsyncClient, invitation: str, username: str) -> httpx.Response:
    return await client.post(
        "/v1/enrolment/start",
        json={
            "invitation": invitation,
            "username": username,
            "display_name": "Probe",
            "password": "correct horse battery staple",
        },
    )


async def test_an_invitation_answers_taken_at_most_five_times(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    invitation = await create_invitation_for(ctx, admin.org_id)
    for _ in range(5):
        taken = await _start(client, invitation, admin.username)
        assert taken.status_code == 409
    burnt = await _start(client, invitation, "a-free-username")  # even a free name: the invitation is burnt
    assert burnt.status_code == 410
    assert "new invitation" in burnt.json()["error"]["message"]


async def test_parallel_username_probes_are_bounded(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    invitation = await create_invitation_for(ctx, admin.org_id)
    responses = await asyncio.gather(*(_start(client, invitation, admin.username) for _ in range(20)))
    assert _statuses(list(responses)) == {409: 5, 410: 15}


# --- Item 5: no redirect built from the Host header -----------------------------------------------------


async def test_trailing_slash_does_not_reflect_a_hostile_host(
    client: httpx.AsyncClient, admin: Actor
) -> None:
    for path in ("/v1/me/", "/healthz/", "/v1/auth/login/"):
        response = await client.get(path, headers={"Host": "evil.example", **admin.headers})
        assert response.status_code == 404, path
        assert "location" not in response.headers
        assert "evil.example" not in response.text
        assert response.json()["error"]["code"] == "not_found"


# --- Issue 10: invitation codes a person can read out -----------------------------------------------------


async def test_invitations_are_grouped_crockford_codes_with_a_check_character(
    admin: Actor, ctx: AppContext
) -> None:
    invitation = await create_invitation_for(ctx, admin.org_id)
    assert INVITATION_RE.fullmatch(invitation), invitation
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{5}-){4}[0-9A-HJKMNP-TV-Z]{5}", invitation)
    assert not set(invitation) & set("ILOU")
    assert parse_invitation(invitation.lower().replace("-", " ")) == invitation.replace("-", "")


@pytest.mark.parametrize("sep", ["-", " ", "", " - "])
async def test_an_invitation_typed_in_any_case_and_grouping_enrols(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, sep: str
) -> None:
    invitation = await create_invitation_for(ctx, admin.org_id)
    typed = f" {sep.join(invitation.lower().split('-'))} "
    response = await _start(client, typed, "casual-typist")
    assert response.status_code == 200, response.text


async def test_a_mistyped_invitation_gets_a_clear_error(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext
) -> None:
    invitation = await create_invitation_for(ctx, admin.org_id)
    first = invitation[0]
    swapped = ("1" if first != "1" else "2") + invitation[1:]  # one character wrong
    response = await _start(client, swapped, "typo-user")
    assert response.status_code == 400
    assert "check" in response.json()["error"]["message"]
    assert (await _start(client, "XXXX-YYYY", "typo-user")).status_code == 400
    # The invitation itself still works after the typo.
    assert (await _start(client, invitation, "typo-user")).status_code == 200


def test_mistaken_letters_o_i_l_are_read_as_digits() -> None:
    # Crockford's decoding: O reads as 0, I and L as 1 (said or written alike).
    code = next(c for c in (new_invitation().replace("-", "") for _ in range(200)) if "0" in c or "1" in c)
    assert parse_invitation(code.replace("0", "o").replace("1", "l")) == code
    assert parse_invitation(code.replace("0", "O").replace("1", "I")) == code
    for bad in ("", code + "0", code[:-1], code.replace(code[3], "U")):
        with pytest.raises(ValueError):
            parse_invitation(bad)
