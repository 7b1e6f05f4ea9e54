"""Reporter device endpoints on both backends: registration, signed requests, posting, reading,
export and deletion (SECURITY-TESTS 19, 20, 21)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from kit.actors import Actor
from kit.reporter import RawReporter, seal

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings


def to_counsellors(admin: Actor, reporter: RawReporter) -> list[bytes]:
    return [admin.device_keys.enc_pk, reporter.keys.enc_pk]


async def test_registration_is_idempotent_and_keys_cannot_be_swapped(
    client: httpx.AsyncClient, clock: ManualClock, reporter: RawReporter
) -> None:
    again = await reporter.register()
    assert again.status_code == 200
    impostor = RawReporter(client, clock, reporter.org_code, device_id=reporter.device_id)
    response = await impostor.register()
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


async def test_registration_needs_a_valid_proof_and_a_known_code(
    client: httpx.AsyncClient, clock: ManualClock, code: str
) -> None:
    device = RawReporter(client, clock, code)
    other = RawReporter(client, clock, code)
    proof_by_other = await other.register()
    assert proof_by_other.status_code == 201
    body = {
        "org_code": code,
        "device_id": str(device.device_id),
        "enc_pk": b64e(device.keys.enc_pk),
        "sign_pk": b64e(device.keys.sign_pk),
        "proof": b64e(bytes(64)),
    }
    response = await client.post("/v1/devices", json=body)
    assert response.status_code == 401
    unknown = await RawReporter(client, clock, "NOPE-CODE").register()
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


async def test_post_is_idempotent_on_msg_id(admin: Actor, reporter: RawReporter) -> None:
    conv = uuid.uuid4()
    envelope = seal(conv, reporter.keys, to_counsellors(admin, reporter), b"hello")
    first = await reporter.post(conv, envelope)
    assert first.status_code == 201, first.text
    again = await reporter.post(conv, envelope)
    assert again.status_code == 200
    assert again.json() == first.json()
    msg_id = uuid.UUID(first.json()["msg_id"])
    other_bytes = seal(conv, reporter.keys, to_counsellors(admin, reporter), b"other", msg_id=msg_id)
    conflict = await reporter.post(conv, other_bytes)
    assert conflict.status_code == 409
    listed = await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")
    assert [m["seq"] for m in listed.json()["messages"]] == [1]
    assert b64d(listed.json()["messages"][0]["envelope"]) == envelope


async def test_messages_since_and_own_conversation_list(admin: Actor, reporter: RawReporter) -> None:
    conv = uuid.uuid4()
    for i in range(3):
        envelope = seal(conv, reporter.keys, to_counsellors(admin, reporter), b"m%d" % i, seq=i + 1)
        assert (await reporter.post(conv, envelope)).status_code == 201
    page = await reporter.call("GET", f"/v1/device/conversations/{conv}/messages?after=1&limit=1")
    assert page.status_code == 200
    assert [m["seq"] for m in page.json()["messages"]] == [2]
    assert page.json()["next_after"] == 2
    listing = await reporter.call("GET", "/v1/device/conversations")
    assert listing.json()["conversations"][0]["conv_id"] == str(conv)
    assert listing.json()["conversations"][0]["last_seq"] == 3


async def test_another_devices_conversation_is_not_found(
    client: httpx.AsyncClient, clock: ManualClock, admin: Actor, reporter: RawReporter
) -> None:
    conv = uuid.uuid4()
    assert (
        await reporter.post(conv, seal(conv, reporter.keys, to_counsellors(admin, reporter), b"x"))
    ).status_code == 201
    other = RawReporter(client, clock, reporter.org_code)
    assert (await other.register()).status_code == 201
    read = await other.call("GET", f"/v1/device/conversations/{conv}/messages")
    assert read.status_code == 404
    write = await other.post(conv, seal(conv, other.keys, [other.keys.enc_pk], b"y"))
    assert write.status_code == 404
    assert (await other.call("GET", "/v1/device/conversations")).json() == {"conversations": []}
    # 404 for a never-used id too: no existence oracle
    assert (await other.call("GET", f"/v1/device/conversations/{uuid.uuid4()}/messages")).status_code == 404


async def test_replayed_and_misdirected_signatures_are_refused(admin: Actor, reporter: RawReporter) -> None:
    path = "/v1/device/conversations"
    headers = reporter.sign("GET", path)
    assert (await reporter.call("GET", path, headers=headers)).status_code == 200
    replay = await reporter.call("GET", path, headers=headers)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "replayed_request"
    other_path = await reporter.call("GET", "/v1/device/export", headers=reporter.sign("GET", path))
    assert other_path.status_code == 401
    assert other_path.json()["error"]["code"] == "bad_signature"
    conv = uuid.uuid4()
    envelope = seal(conv, reporter.keys, to_counsellors(admin, reporter), b"x")
    post_path = f"/v1/device/conversations/{conv}/messages"
    signed_for_other_body = reporter.sign("POST", post_path, b'{"envelope": "AAAA"}')
    wrong_body = await reporter.call(
        "POST", post_path, {"envelope": b64e(envelope)}, headers=signed_for_other_body
    )
    assert wrong_body.status_code == 401
    unsigned = await reporter.client.get(path)
    assert unsigned.status_code == 401


async def test_clock_window_is_300_seconds(clock: ManualClock, reporter: RawReporter) -> None:
    path = "/v1/device/conversations"
    stale = reporter.sign("GET", path)
    clock.advance(seconds=301)
    response = await reporter.call("GET", path, headers=stale)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    fresh = reporter.sign("GET", path)
    clock.advance(seconds=299)
    assert (await reporter.call("GET", path, headers=fresh)).status_code == 200


async def test_malformed_and_oversized_bodies_get_clear_errors(admin: Actor, reporter: RawReporter) -> None:
    conv = uuid.uuid4()
    good = seal(conv, reporter.keys, to_counsellors(admin, reporter), b"x")
    path = f"/v1/device/conversations/{conv}/messages"
    cases = [
        ({"envelope": b64e(good[:50])}, 400),  # cut inside the first stanza
        ({"envelope": b64e(b"OPM1" + bytes(60))}, 400),
        ({"envelope": "not base64!"}, 400),
        ({"envelope": b64e(seal(uuid.uuid4(), reporter.keys, [reporter.keys.enc_pk], b"x"))}, 400),
        ({"wrong": "field"}, 400),
    ]
    for body, status in cases:
        response = await reporter.call("POST", path, body)
        assert response.status_code == status, (body, response.text)
        error = response.json()["error"]
        assert error["code"] in ("bad_envelope", "bad_request")
        assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()
    mismatch = await reporter.call(
        "POST", path, {"envelope": b64e(seal(uuid.uuid4(), reporter.keys, [reporter.keys.enc_pk], b"x"))}
    )
    assert mismatch.json()["error"]["code"] == "bad_envelope"
    huge = {"envelope": "A" * (1024 * 1024 + 8)}
    too_large = await reporter.call("POST", path, huge)
    assert too_large.status_code == 413
    assert too_large.json()["error"]["code"] == "too_large"
    assert (await reporter.call("GET", "/v1/device/conversations")).json() == {"conversations": []}


async def test_export_then_delete_everything_at_once(admin: Actor, reporter: RawReporter) -> None:
    conv = uuid.uuid4()
    envelope = seal(conv, reporter.keys, to_counsellors(admin, reporter), b"x")
    assert (await reporter.post(conv, envelope)).status_code == 201
    export = await reporter.call("GET", "/v1/device/export")
    assert export.status_code == 200
    data = export.json()
    assert data["device"]["device_id"] == str(reporter.device_id)
    assert data["device"]["sign_pk"] == b64e(reporter.keys.sign_pk)
    assert b64d(data["conversations"][0]["messages"][0]["envelope"]) == envelope
    deleted = await reporter.call("DELETE", "/v1/device")
    assert deleted.status_code == 204
    # the device is gone: its signature no longer opens anything, and the counsellors no longer see it
    assert (await reporter.call("GET", "/v1/device/export")).status_code == 401
    sync = await reporter.client.get("/v1/inbox/sync", headers=admin.headers)
    assert sync.json()["messages"] == []
    assert (await reporter.client.get("/v1/inbox/conversations", headers=admin.headers)).json()[
        "conversations"
    ] == []


async def test_concurrent_posts_are_all_stored_with_distinct_seqs_and_cursors(
    client: httpx.AsyncClient, clock: ManualClock, admin: Actor, code: str
) -> None:
    """More concurrent posts than the connection pool holds (5 + 10): none is lost, none waits forever."""
    reporters = [RawReporter(client, clock, code) for _ in range(4)]
    for device in reporters:
        assert (await device.register()).status_code == 201
    convs = {device.device_id: uuid.uuid4() for device in reporters}

    async def post(device: RawReporter, i: int) -> httpx.Response:
        conv = convs[device.device_id]
        return await device.post(conv, seal(conv, device.keys, [admin.device_keys.enc_pk], b"m", seq=i + 1))

    responses = await asyncio.wait_for(
        asyncio.gather(*(post(device, i) for i in range(10) for device in reporters)), 60
    )
    assert [r.status_code for r in responses] == [201] * 40
    stored = [r.json() for r in responses]
    assert len({s["cursor"] for s in stored}) == 40
    for conv in convs.values():
        assert sorted(s["seq"] for s in stored if s["conv_id"] == str(conv)) == list(range(1, 11))
    synced = (await client.get("/v1/inbox/sync?limit=1000", headers=admin.headers)).json()
    assert sorted(m["cursor"] for m in synced["messages"]) == sorted(s["cursor"] for s in stored)


async def test_a_nonce_used_on_one_relay_instance_is_refused_by_another(
    settings: Settings, clock: ManualClock, reporter: RawReporter
) -> None:
    """Two relay instances on one database agree on seen nonces (the nonce store is the database)."""
    path = "/v1/device/conversations"
    headers = reporter.sign("GET", path)
    assert (await reporter.call("GET", path, headers=headers)).status_code == 200
    second = create_app(settings, clock)
    async with (
        second.router.lifespan_context(second),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://relay-2.test") as other,
    ):
        replay = await other.get(path, headers=headers)
        assert replay.status_code == 401
        assert replay.json()["error"]["code"] == "replayed_request"
        assert (await other.get(path, headers=reporter.sign("GET", path))).status_code == 200
