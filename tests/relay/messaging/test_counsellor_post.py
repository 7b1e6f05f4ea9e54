"""A counsellor's reply and note (the lean route, on SQLite one writer job that also checks the session):
the session's outcomes as a counsellor sees them, on both backends. 401 comes before the request's own
errors; an ended session stores nothing; a reply keeps the session alive (its idle time-out restarts)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
from kit.actors import Actor, create_org_with_admin, enrol_admin, login
from kit.reporter import RawReporter, seal

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext


async def _conversation(admin: Actor, reporter: RawReporter) -> uuid.UUID:
    conv = uuid.uuid4()
    opening = seal(conv, reporter.keys, [admin.device_keys.enc_pk, reporter.keys.enc_pk], b"report")
    assert (await reporter.post(conv, opening)).status_code == 201
    return conv


async def _reply(client: httpx.AsyncClient, admin: Actor, conv: uuid.UUID, **headers: str) -> httpx.Response:
    envelope = seal(conv, admin.device_keys, [admin.device_keys.enc_pk], b"answer")
    return await client.post(
        f"/v1/inbox/conversations/{conv}/messages",
        json={"envelope": b64e(envelope)},
        headers=headers or admin.headers,
    )


async def _seqs(reporter: RawReporter, conv: uuid.UUID) -> list[int]:
    listed = await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")
    return [m["seq"] for m in listed.json()["messages"]]


async def test_replies_keep_the_session_alive_and_an_idle_one_stores_nothing(
    client: httpx.AsyncClient, clock: ManualClock, admin: Actor, reporter: RawReporter
) -> None:
    conv = await _conversation(admin, reporter)
    for _ in range(3):  # 29 minutes between replies: each reply restarts the 30-minute idle time-out
        clock.advance(minutes=29)
        assert (await _reply(client, admin, conv)).status_code == 201
    clock.advance(seconds=10)  # within the touch granularity: answered without a write to the session
    assert (await _reply(client, admin, conv)).status_code == 201
    clock.advance(minutes=30, seconds=11)
    idle = await _reply(client, admin, conv)
    assert idle.status_code == 401
    assert idle.json()["error"]["code"] == "unauthenticated"
    assert await _seqs(reporter, conv) == [1, 2, 3, 4, 5]  # the refused reply took no seq
    assert (await client.get("/v1/me", headers=admin.headers)).status_code == 401  # and it stays ended


async def test_a_signed_out_session_cannot_post(
    client: httpx.AsyncClient, admin: Actor, reporter: RawReporter
) -> None:
    conv = await _conversation(admin, reporter)
    assert (await client.post("/v1/auth/logout", headers=admin.headers)).status_code == 204
    for path in ("messages", "notes"):
        envelope = seal(conv, admin.device_keys, [admin.device_keys.enc_pk], b"late")
        response = await client.post(
            f"/v1/inbox/conversations/{conv}/{path}", json={"envelope": b64e(envelope)}, headers=admin.headers
        )
        assert response.status_code == 401
    assert await _seqs(reporter, conv) == [1]


async def test_401_comes_before_the_requests_own_errors(
    client: httpx.AsyncClient, admin: Actor, reporter: RawReporter
) -> None:
    conv = await _conversation(admin, reporter)
    stranger = {"Authorization": "Bearer " + "x" * 43}
    bad_bodies = [{"envelope": 5}, {"envelope": "not base64!"}, {"envelope": b64e(b"not an envelope")}]
    for body in bad_bodies:
        refused = await client.post(f"/v1/inbox/conversations/{conv}/messages", json=body, headers=stranger)
        assert refused.status_code == 401, body
        answered = await client.post(
            f"/v1/inbox/conversations/{conv}/messages", json=body, headers=admin.headers
        )
        assert answered.status_code in (400, 422), body
    bad_path = await client.post(
        "/v1/inbox/conversations/not-a-uuid/messages", json={"envelope": "AAAA"}, headers=stranger
    )
    assert bad_path.status_code == 401
    assert await _seqs(reporter, conv) == [1]


async def test_lean_routes_are_counted_by_template_and_refuse_a_streamed_oversize_body(
    client: httpx.AsyncClient, admin: Actor, reporter: RawReporter, ctx: AppContext
) -> None:
    conv = await _conversation(admin, reporter)
    assert (await _reply(client, admin, conv)).status_code == 201
    assert (await _reply(client, admin, conv, Authorization="Bearer " + "y" * 43)).status_code == 401

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: only the streamed count stops it
        yield b'{"envelope": "'
        for _ in range(17):
            yield b"A" * 65536
        yield b'"}'

    streamed = await client.post(
        f"/v1/inbox/conversations/{conv}/messages",
        content=chunks(),
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "too_large"
    text = ctx.metrics.render().decode()
    route = 'route="/v1/inbox/conversations/{conv_id}/messages"'
    for status in (201, 401, 413):
        assert f'opg_http_requests_total{{method="POST",{route},status="{status}"}} 1.0' in text
    device_route = 'route="/v1/device/conversations/{conv_id}/messages"'
    assert f'opg_http_requests_total{{method="POST",{device_route},status="201"}} 1.0' in text
    assert str(conv) not in text


async def test_a_session_bound_to_no_device_stores_no_valid_reply_or_note(
    client: httpx.AsyncClient, clock: ManualClock, admin: Actor, reporter: RawReporter
) -> None:
    """A further computer's session before it registered its device: a well-formed reply or note to a
    real conversation (on SQLite checked inside the writer job) is 403 ``device_required`` and takes
    no seq, fresh session or not."""
    conv = await _conversation(admin, reporter)
    clock.advance(seconds=30)
    response = await login(client, clock, admin, device=False)
    unbound = {"Authorization": f"Bearer {response.json()['token']}"}
    for channel in ("messages", "notes"):
        envelope = seal(conv, admin.device_keys, [admin.device_keys.enc_pk], b"answer")
        refused = await client.post(
            f"/v1/inbox/conversations/{conv}/{channel}", json={"envelope": b64e(envelope)}, headers=unbound
        )
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "device_required")
    assert await _seqs(reporter, conv) == [1]
    assert (await _reply(client, admin, conv)).status_code == 201  # the bound session still replies


async def test_a_known_msg_id_posted_to_another_orgs_or_devices_conversation_is_a_404(
    client: httpx.AsyncClient,
    clock: ManualClock,
    ctx: AppContext,
    admin: Actor,
    reporter: RawReporter,
    code: str,
) -> None:
    """A counsellor of another organisation, or another device, re-posting the very bytes of a stored
    message (so its msg_id is taken there) learns nothing of that conversation: 404, as for any
    conversation that is not theirs, never the repost's answer with its seq and cursor (found by the
    canary test: the PostgreSQL batch answered the outsider as a repost, 201)."""
    conv = await _conversation(admin, reporter)
    envelope = seal(conv, admin.device_keys, [admin.device_keys.enc_pk], b"answer")
    body = {"envelope": b64e(envelope)}
    path = f"/v1/inbox/conversations/{conv}/messages"
    assert (await client.post(path, json=body, headers=admin.headers)).status_code == 201
    org_b, invitation_b = await create_org_with_admin(ctx, "Organisatie B")
    outsider = await enrol_admin(client, clock, org_b, invitation_b, username="outsider")
    refused = await client.post(path, json=body, headers=outsider.headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "not_found")
    assert "seq" not in refused.text and "cursor" not in refused.text
    # Another device of the same org code re-posting the reporter's opening into that conversation.
    other = RawReporter(client, clock, code)
    assert (await other.register()).status_code == 201
    listed = await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")
    opening = listed.json()["messages"][0]["envelope"]
    stolen = await other.call("POST", f"/v1/device/conversations/{conv}/messages", {"envelope": opening})
    assert stolen.status_code == 404, stolen.text
    assert await _seqs(reporter, conv) == [1, 2]  # nothing was added
