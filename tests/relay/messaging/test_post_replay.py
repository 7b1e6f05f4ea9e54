"""A signed post's nonce is claimed in the message's own transaction (one commit per post). Whatever
the outcome, a second copy of the same signed request is refused (docs/api.md: each (device, nonce)
once), and two copies sent at once never both store (SECURITY-TESTS 20)."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
from kit.actors import Actor
from kit.reporter import RawReporter, seal

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_relay.clock import ManualClock


def signed_post(reporter: RawReporter, conv: uuid.UUID, payload: object) -> tuple[str, bytes, dict[str, str]]:
    path = f"/v1/device/conversations/{conv}/messages"
    body = json.dumps(payload).encode()
    headers = {**reporter.sign("POST", path, body), "Content-Type": "application/json"}
    return path, body, headers


async def send(reporter: RawReporter, request: tuple[str, bytes, dict[str, str]]) -> httpx.Response:
    path, body, headers = request
    return await reporter.client.post(path, content=body, headers=headers)


async def stored_seqs(reporter: RawReporter, conv: uuid.UUID) -> list[int]:
    listed = await reporter.call("GET", f"/v1/device/conversations/{conv}/messages")
    return [m["seq"] for m in listed.json()["messages"]] if listed.status_code == 200 else []


async def test_a_replayed_post_is_refused_and_stores_nothing(admin: Actor, reporter: RawReporter) -> None:
    conv = uuid.uuid4()
    request = signed_post(
        reporter, conv, {"envelope": b64e(seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x"))}
    )
    assert (await send(reporter, request)).status_code == 201
    replay = await send(reporter, request)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "replayed_request"
    assert await stored_seqs(reporter, conv) == [1]


async def test_replays_of_refused_posts_are_refused_too(
    client: httpx.AsyncClient, clock: ManualClock, admin: Actor, reporter: RawReporter
) -> None:
    """Posts whose transaction does not commit still use up their nonce: a body failing the schema, a bad
    envelope, another device's conversation, a reused msg_id with other bytes, an idempotent repeat."""
    taken = uuid.uuid4()
    envelope = seal(taken, reporter.keys, [admin.device_keys.enc_pk], b"first")
    assert (await reporter.post(taken, envelope)).status_code == 201
    other = RawReporter(client, clock, reporter.org_code)
    assert (await other.register()).status_code == 201
    conv = uuid.uuid4()
    msg_id = uuid.UUID(
        str(
            (await reporter.call("GET", f"/v1/device/conversations/{taken}/messages")).json()["messages"][0][
                "msg_id"
            ]
        )
    )
    cases = [
        (reporter, signed_post(reporter, conv, {"wrong": "field"}), 400),
        (reporter, signed_post(reporter, conv, {"envelope": b64e(b"OPM1" + bytes(60))}), 400),
        (
            other,
            signed_post(other, taken, {"envelope": b64e(seal(taken, other.keys, [other.keys.enc_pk], b"y"))}),
            404,
        ),
        (
            reporter,
            signed_post(
                reporter,
                taken,
                {"envelope": b64e(seal(taken, reporter.keys, [reporter.keys.enc_pk], b"z", msg_id=msg_id))},
            ),
            409,
        ),
        (reporter, signed_post(reporter, taken, {"envelope": b64e(envelope)}), 200),
    ]
    for device, request, status in cases:
        first = await send(device, request)
        assert first.status_code == status, (status, first.text)
        replay = await send(device, request)
        assert replay.status_code == 401, (status, replay.text)
        assert replay.json()["error"]["code"] == "replayed_request"
    assert await stored_seqs(reporter, taken) == [1]
    assert await stored_seqs(reporter, conv) == []


async def test_copies_of_one_post_sent_at_once_store_it_once(admin: Actor, reporter: RawReporter) -> None:
    conv = uuid.uuid4()
    request = signed_post(
        reporter, conv, {"envelope": b64e(seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"x"))}
    )
    responses = await asyncio.gather(*(send(reporter, request) for _ in range(6)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 401, 401, 401, 401, 401], [r.text for r in responses]
    assert await stored_seqs(reporter, conv) == [1]
