"""Session tokens: 256 bits, stored hashed, idle and absolute time-outs, logout, own sessions only."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
from kit.actors import Actor, create_invitation_for, enrol, login
from sqlalchemy import Result, delete, event, select
from sqlalchemy.orm import ORMExecuteState

from opgelucht_relay.auth.sessions import authenticate
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.jobs import run_job
from opgelucht_relay.models import Session


def _token_bytes(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


async def test_tokens_are_256_bit_and_stored_only_as_sha256(admin: Actor, ctx: AppContext) -> None:
    assert len(_token_bytes(admin.token)) == 32
    async with ctx.db.sessions() as db:
        rows = list((await db.execute(select(Session))).scalars())
        raw_dump = "\n".join(
            repr(row)
            for row in (await db.execute(select(Session.__table__))).all()  # every column
        )
    assert [row.token_hash for row in rows] == [hashlib.sha256(admin.token.encode()).digest()]
    assert admin.token not in raw_dump
    assert _token_bytes(admin.token).hex() not in raw_dump


async def test_logout_kills_the_token(client: httpx.AsyncClient, admin: Actor) -> None:
    assert (await client.post("/v1/auth/logout", headers=admin.headers)).status_code == 204
    after = await client.get("/v1/me", headers=admin.headers)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "unauthenticated"
    assert (await client.post("/v1/auth/logout", headers=admin.headers)).status_code == 401


async def test_idle_timeout(client: httpx.AsyncClient, admin: Actor, clock: ManualClock) -> None:
    clock.advance(minutes=29)
    assert (await client.get("/v1/me", headers=admin.headers)).status_code == 200
    clock.advance(minutes=29)  # used 29 min ago: still alive
    assert (await client.get("/v1/me", headers=admin.headers)).status_code == 200
    clock.advance(minutes=30, seconds=1)
    assert (await client.get("/v1/me", headers=admin.headers)).status_code == 401


async def test_absolute_timeout_despite_activity(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    for _ in range(12 * 3 - 1):  # every 20 minutes for just under 12 hours
        clock.advance(minutes=20)
        assert (await client.get("/v1/me", headers=admin.headers)).status_code == 200
    clock.advance(minutes=20)
    assert (await client.get("/v1/me", headers=admin.headers)).status_code == 401


async def test_purge_job_deletes_expired_sessions(admin: Actor, ctx: AppContext, clock: ManualClock) -> None:
    clock.advance(hours=1)
    await run_job(ctx, "purge_sessions")
    async with ctx.db.sessions() as db:
        assert list((await db.execute(select(Session))).scalars()) == []


async def test_list_and_revoke_own_sessions(
    client: httpx.AsyncClient, admin: Actor, clock: ManualClock
) -> None:
    second = (await login(client, clock, admin)).json()["token"]
    listed = (await client.get("/v1/auth/sessions", headers=admin.headers)).json()["sessions"]
    assert len(listed) == 2
    assert [s["current"] for s in listed] == [True, False]
    other_id = listed[1]["id"]
    assert (await client.delete(f"/v1/auth/sessions/{other_id}", headers=admin.headers)).status_code == 204
    assert (await client.get("/v1/me", headers={"Authorization": f"Bearer {second}"})).status_code == 401
    assert (await client.get("/v1/me", headers=admin.headers)).status_code == 200


async def test_cannot_revoke_another_counsellors_session(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    bob = await enrol(client, clock, await create_invitation_for(ctx, admin.org_id), username="bob")
    bobs = (await client.get("/v1/auth/sessions", headers=bob.headers)).json()["sessions"]
    response = await client.delete(f"/v1/auth/sessions/{bobs[0]['id']}", headers=admin.headers)
    assert response.status_code == 404
    assert (await client.get("/v1/me", headers=bob.headers)).status_code == 200


async def test_missing_or_garbage_token(client: httpx.AsyncClient, admin: Actor) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": f"Basic {admin.token}"}):
        response = await client.get("/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


async def test_an_expired_session_removed_concurrently_is_refused_without_a_stale_delete(
    admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    """Two requests with the same timed-out token: the other one deletes the row between our lookup and
    our delete. Zero deleted rows is expected then (no SAWarning, which pytest turns into an error)."""
    clock.advance(hours=13)  # past the absolute time-out

    async with ctx.db.sessions() as db:

        @event.listens_for(db.sync_session, "do_orm_execute")
        def concurrent_delete(state: ORMExecuteState) -> Result[Any] | None:
            if not state.is_select:
                return None
            found = state.invoke_statement().freeze()
            state.session.connection().execute(delete(Session))  # the other request's delete
            return found()

        assert await authenticate(db, admin.token, ctx.settings, clock.now()) is None
    async with ctx.db.sessions() as db:
        assert (await db.execute(select(Session))).first() is None
