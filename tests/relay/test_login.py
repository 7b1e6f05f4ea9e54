"""Counsellor login: password + TOTP, replay guard, throttling, answers that leak nothing."""

from __future__ import annotations

import argon2
import httpx
from kit.actors import Actor, login
from sqlalchemy import select

from opgelucht_relay.auth.totp import code_at
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.models import AuditEvent, Counsellor


async def _audit_events(ctx: AppContext, event: str) -> list[AuditEvent]:
    async with ctx.db.sessions() as db:
        return list((await db.execute(select(AuditEvent).where(AuditEvent.event == event))).scalars())


async def _attempt(client: httpx.AsyncClient, username: str, password: str, code: str) -> httpx.Response:
    return await client.post(
        "/v1/auth/login", json={"username": username, "password": password, "totp_code": code}
    )


async def test_login_with_password_and_fresh_code(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, ctx: AppContext
) -> None:
    response = await login(client, clock, admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counsellor"]["counsellor_id"] == str(admin.counsellor_id)
    assert body["counsellor"]["role"] == "admin"
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == admin.username
    assert len(await _audit_events(ctx, "login")) == 1


async def test_wrong_password_and_unknown_user_answer_alike(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, ctx: AppContext
) -> None:
    clock.advance(seconds=30)
    code = code_at(admin.totp_secret, clock.now())
    before = ctx.passwords.verifications
    wrong_password = await _attempt(client, admin.username, "not the password at all", code)
    assert ctx.passwords.verifications == before + 1
    unknown_user = await _attempt(client, "nobody-here", "not the password at all", code)
    assert ctx.passwords.verifications == before + 2
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password.json()["error"]["code"] == "invalid_credentials"
    assert set(wrong_password.headers) == set(unknown_user.headers)
    # Both paths cost one argon2 verification with the same parameters (same time).
    async with ctx.db.sessions() as db:
        stored = (await db.execute(select(Counsellor.password_hash))).scalar_one()
    assert argon2.extract_parameters(stored) == ctx.passwords.parameters


async def test_wrong_totp_code_is_refused(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    clock.advance(seconds=30)
    good = code_at(admin.totp_secret, clock.now())
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = await _attempt(client, admin.username, admin.password, wrong)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


async def test_replayed_totp_code_is_refused_and_audited(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, ctx: AppContext
) -> None:
    first = await login(client, clock, admin)
    assert first.status_code == 200
    code = code_at(admin.totp_secret, clock.now())
    clock.advance(seconds=10)  # same 30 s step (or the next one): the code is still "valid"
    replay = await _attempt(client, admin.username, admin.password, code)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "invalid_credentials"
    replayed = await _audit_events(ctx, "login_totp_replayed")
    assert [e.fields["counsellor_id"] for e in replayed] == [str(admin.counsellor_id)]


async def test_older_code_within_window_is_refused_after_newer_one(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    clock.advance(seconds=60)
    older = code_at(admin.totp_secret, clock.now())
    clock.advance(seconds=30)
    newer = code_at(admin.totp_secret, clock.now())
    assert (await _attempt(client, admin.username, admin.password, newer)).status_code == 200
    # `older` is inside the ±1 step window but at a lower step than the last accepted one.
    assert (await _attempt(client, admin.username, admin.password, older)).status_code == 401


async def test_enrolment_code_cannot_log_in(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock, ctx: AppContext
) -> None:
    # The admin fixture enrolled at clock.now() with this very code.
    enrolment_code = code_at(admin.totp_secret, clock.now())
    response = await _attempt(client, admin.username, admin.password, enrolment_code)
    assert response.status_code == 401
    assert len(await _audit_events(ctx, "login_totp_replayed")) == 1


async def test_account_lockout_answers_429_with_retry_after(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    for _ in range(5):
        response = await _attempt(client, admin.username, "wrong password!!", "000000")
        assert response.status_code == 401
    clock.advance(seconds=1)
    code = code_at(admin.totp_secret, clock.now())
    locked = await _attempt(client, admin.username, admin.password, code)  # even the right credentials
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(locked.headers["Retry-After"]) <= 30
    clock.advance(seconds=31)
    assert (await login(client, clock, admin)).status_code == 200


async def test_backoff_doubles_on_further_failures(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    for _ in range(5):
        await _attempt(client, admin.username, "wrong password!!", "000000")
    clock.advance(seconds=31)
    assert (await _attempt(client, admin.username, "wrong password!!", "000000")).status_code == 401
    locked = await _attempt(client, admin.username, "wrong password!!", "000000")
    assert locked.status_code == 429
    assert 31 <= int(locked.headers["Retry-After"]) <= 60


async def test_unknown_users_are_locked_out_alike(client: httpx.AsyncClient, admin: Actor) -> None:
    for _ in range(5):
        assert (await _attempt(client, "ghost", "wrong password!!", "000000")).status_code == 401
    assert (await _attempt(client, "ghost", "wrong password!!", "000000")).status_code == 429


async def test_address_throttling_across_usernames(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    for i in range(20):
        response = await _attempt(client, f"user{i}", "wrong password!!", "000000")
        assert response.status_code == 401
    throttled = await login(client, clock, admin)  # another account, same address
    assert throttled.status_code == 429
    assert "Retry-After" in throttled.headers
    clock.advance(minutes=10)
    assert (await login(client, clock, admin)).status_code == 200


async def test_concurrent_logins_with_one_code_succeed_once(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    import asyncio

    clock.advance(seconds=30)
    code = code_at(admin.totp_secret, clock.now())
    results = await asyncio.gather(
        *(_attempt(client, admin.username, admin.password, code) for _ in range(4))
    )
    assert sorted(r.status_code for r in results) == [200, 401, 401, 401]
