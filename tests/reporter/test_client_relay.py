"""The reference reporter client against the real in-process relay (SQLite): join, hello, messages,
replies, events, feedback, export and deletion, as the mobile app would do them."""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor, create_org_with_admin, enrol_admin, login, make_roster

from opgelucht_desk.protocol import (
    DeviceKeys,
    MessageType,
    Profile,
    RosterError,
    SignedRoster,
    b64d,
    b64e,
    make_device_entry,
    open_message,
    roster_hash,
    safety_number,
    seal_message,
    verify_roster,
)
from opgelucht_desk.protocol.roster import CounsellorEntry
from opgelucht_relay.app import create_app
from opgelucht_relay.clock import ManualClock, unix
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext
from opgelucht_relay.db import Database
from opgelucht_relay.migrate import upgrade
from opgelucht_reporter.client import ReporterClient, ReporterError

PUBLIC_URL = "https://relay.example.nl"
CANARY_TEXT = "canary-text-7f3a9c"
CANARY_NAME = "Canary-Pseudo-51"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def relay(tmp_path: Path, clock: ManualClock) -> AsyncIterator[FastAPI]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'relay.db'}"
    db = Database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()
    settings = Settings.load(
        None,
        data_dir=tmp_path / "relay-data",
        database_url=url,
        argon2_memory_kib=256,
        argon2_time_cost=1,
        run_jobs=False,
        public_url=PUBLIC_URL,
    )
    application = create_app(settings, clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def transport(relay: FastAPI) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=relay)


@pytest.fixture
async def staff(transport: httpx.ASGITransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        yield http


@pytest.fixture
async def admin(relay: FastAPI, staff: httpx.AsyncClient, clock: ManualClock) -> Actor:
    ctx: AppContext = relay.state.ctx
    org_id, invitation = await create_org_with_admin(ctx, "Gemeente Testdorp")
    return await enrol_admin(staff, clock, org_id, invitation, username="anna")


@pytest.fixture
async def code(staff: httpx.AsyncClient, admin: Actor) -> dict[str, str]:
    response = await staff.post("/v1/org/codes", json={"label": "poster"}, headers=admin.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def reporter_at(path: Path, transport: httpx.AsyncBaseTransport, clock: ManualClock) -> ReporterClient:
    return ReporterClient(path, transport=transport, clock=lambda: unix(clock.now()))


async def current_roster(staff: httpx.AsyncClient, admin: Actor) -> SignedRoster:
    org = (await staff.get("/v1/org", headers=admin.headers)).json()
    return SignedRoster.from_json(org["roster"])


async def staff_reply(
    staff: httpx.AsyncClient,
    admin: Actor,
    sender: DeviceKeys,
    conv_id: uuid.UUID,
    reporter_pk: bytes,
    text: str,
    *,
    seq: int = 1,
    prev_hash: bytes = bytes(32),
) -> httpx.Response:
    signed = await current_roster(staff, admin)
    roster = verify_roster(
        signed, b64d((await staff.get("/v1/org", headers=admin.headers)).json()["org_key"]), now=0
    )
    envelope = seal_message(
        conv_id=conv_id,
        msg_id=uuid.uuid4(),
        roster_version=roster.version,
        sender=sender,
        seq=seq,
        msg_type=MessageType.TEXT,
        prev_hash=prev_hash,
        roster_hash=roster_hash(signed),
        payload=text.encode(),
        recipients=[*roster.recipient_keys(), reporter_pk],
    )
    return await staff.post(
        f"/v1/inbox/conversations/{conv_id}/messages",
        json={"envelope": b64e(envelope)},
        headers=admin.headers,
    )


async def test_full_reporter_flow(
    tmp_path: Path,
    transport: httpx.ASGITransport,
    staff: httpx.AsyncClient,
    admin: Actor,
    code: dict[str, str],
    clock: ManualClock,
) -> None:
    state = tmp_path / "phone" / "state.json"
    async with reporter_at(state, transport, clock) as reporter:
        joined = await reporter.join(code["qr_payload"])
        assert joined.pinned_by_qr and joined.org_name == "Gemeente Testdorp"
        assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
        reporter.set_profile(CANARY_NAME, age_category="25-34", gender="anders")
        conv_id = await reporter.open_conversation()
        stored = await reporter.say(conv_id, CANARY_TEXT)
        assert stored["seq"] == 2

        # The counsellor's desktop sees a HELLO and the text, both signed by the reporter's pinned key.
        sync = (await staff.get("/v1/inbox/sync?after=0", headers=admin.headers)).json()
        opened = [
            open_message(b64d(m["envelope"]), keys=admin.device_keys, expected_conv_id=conv_id)
            for m in sync["messages"]
        ]
        profile = Profile.from_payload(opened[0].payload)
        assert (profile.pseudonym, profile.age_category, profile.gender) == (CANARY_NAME, "25-34", "anders")
        assert profile.reporter_sign_pk == opened[1].sender_sign_pk == reporter.keys.sign_pk
        assert opened[1].payload == CANARY_TEXT.encode()
        assert (opened[1].seq, opened[1].prev_hash) == (2, opened[0].envelope_hash)

        reply = await staff_reply(staff, admin, admin.device_keys, conv_id, reporter.keys.enc_pk, "Dank je.")
        assert reply.status_code == 201, reply.text
        messages = await reporter.read(conv_id)
        assert [(m.from_me, m.text, m.counsellor_name) for m in messages] == [
            (True, CANARY_NAME, None),
            (True, CANARY_TEXT, None),
            (False, "Dank je.", "Anna"),
        ]
        assert all(m.chain_ok and m.roster_matches for m in messages)
        assert await reporter.read(conv_id) == []  # nothing twice
        assert reporter.rejected == []
        assert CANARY_TEXT not in repr(messages) and CANARY_NAME not in repr(messages)

    # The relay's database never holds the plaintext.
    database = (tmp_path / "relay.db").read_bytes()
    assert CANARY_TEXT.encode() not in database and CANARY_NAME.encode() not in database

    # A restarted app picks up its state and continues the chain.
    async with reporter_at(state, transport, clock) as again:
        assert again.conversation_ids() == [conv_id]
        assert (await again.say(conv_id, "nog iets"))["seq"] == 4


async def test_reply_from_a_device_outside_the_roster_is_rejected(
    tmp_path: Path,
    transport: httpx.ASGITransport,
    staff: httpx.AsyncClient,
    admin: Actor,
    code: dict[str, str],
    clock: ManualClock,
) -> None:
    async with reporter_at(tmp_path / "s.json", transport, clock) as reporter:
        await reporter.join(code["qr_payload"])
        reporter.set_profile("Merel")
        conv_id = await reporter.open_conversation()
        rogue = DeviceKeys.generate()  # a key the org never signed (e.g. planted by a compromised relay)
        response = await staff_reply(staff, admin, rogue, conv_id, reporter.keys.enc_pk, "vals")
        assert response.status_code == 201
        messages = await reporter.read(conv_id)
        assert [m.from_me for m in messages] == [True]
        assert [r.reason for r in reporter.rejected] == ["unknown_sender"]


async def test_duplicates_are_shown_once_and_gaps_are_flagged(
    tmp_path: Path,
    transport: httpx.ASGITransport,
    staff: httpx.AsyncClient,
    admin: Actor,
    code: dict[str, str],
    clock: ManualClock,
) -> None:
    """SECURITY-TESTS 4 on the reporter's side: a second message with the same (sender, seq) is not
    shown; a message whose prev_hash does not continue the sender's chain is shown with chain_ok False."""
    async with reporter_at(tmp_path / "s.json", transport, clock) as reporter:
        await reporter.join(code["qr_payload"])
        reporter.set_profile("Merel")
        conv_id = await reporter.open_conversation()
        key = reporter.keys.enc_pk
        for text, seq in [("eerste", 1), ("andere eerste", 1), ("derde, tweede ontbreekt", 3)]:
            response = await staff_reply(staff, admin, admin.device_keys, conv_id, key, text, seq=seq)
            assert response.status_code == 201, response.text
        messages = [(m.text, m.chain_ok) for m in await reporter.read(conv_id) if not m.from_me]
        assert messages == [("eerste", True), ("derde, tweede ontbreekt", False)]


async def test_new_roster_device_becomes_a_recipient(
    tmp_path: Path,
    transport: httpx.ASGITransport,
    staff: httpx.AsyncClient,
    admin: Actor,
    code: dict[str, str],
    clock: ManualClock,
) -> None:
    async with reporter_at(tmp_path / "s.json", transport, clock) as reporter:
        await reporter.join(code["qr_payload"])
        reporter.set_profile("Merel")
        conv_id = await reporter.open_conversation()
        laptop = DeviceKeys.generate()
        entry = make_device_entry(admin.identity_seed, laptop, uuid.uuid4())
        v1 = await current_roster(staff, admin)
        me = CounsellorEntry(
            admin.counsellor_id, admin.display_name, admin.identity_key, (admin.device_entry, entry)
        )
        assert admin.org_seed is not None
        v2 = make_roster(admin.org_id, admin.org_seed, [me], clock, version=2, prev=v1)
        assert (
            await staff.post("/v1/me/devices", json=entry.to_json(), headers=admin.headers)
        ).status_code == 201
        assert (
            await staff.put("/v1/org/roster", json=v2.to_json(), headers=admin.headers)
        ).status_code == 204
        clock.advance(days=15)  # v1 and v2 both expire; the reporter must fetch a fresh roster to send
        with pytest.raises(RosterError) as info:
            await reporter.say(conv_id, "na de vakantie")
        assert info.value.kind == "expired"
        relogin = await login(staff, clock, admin)
        assert relogin.status_code == 200, relogin.text
        admin.token = relogin.json()["token"]
        v3 = make_roster(admin.org_id, admin.org_seed, [me], clock, version=3, prev=v2)
        assert (
            await staff.put("/v1/org/roster", json=v3.to_json(), headers=admin.headers)
        ).status_code == 204
        await reporter.say(conv_id, "na de vakantie")
        assert reporter.roster is not None and reporter.roster.version == 3
        sync = (await staff.get("/v1/inbox/sync?after=0", headers=admin.headers)).json()
        last = b64d(sync["messages"][-1]["envelope"])
        assert open_message(last, keys=laptop, expected_conv_id=conv_id).payload == b"na de vakantie"


async def test_qr_pin_mismatch_refuses_to_join(
    tmp_path: Path, transport: httpx.ASGITransport, admin: Actor, code: dict[str, str], clock: ManualClock
) -> None:
    fake_fp = "0" * 32
    tampered = code["qr_payload"].rsplit("fp=", 1)[0] + "fp=" + fake_fp
    async with reporter_at(tmp_path / "s.json", transport, clock) as reporter:
        with pytest.raises(ReporterError, match="does not match"):
            await reporter.join(tampered)
    assert not (tmp_path / "s.json").exists()


async def test_typed_code_trusts_on_first_use_and_shows_the_safety_number(
    tmp_path: Path,
    transport: httpx.ASGITransport,
    staff: httpx.AsyncClient,
    admin: Actor,
    code: dict[str, str],
    clock: ManualClock,
) -> None:
    org_key = b64d((await staff.get("/v1/org", headers=admin.headers)).json()["org_key"])
    async with reporter_at(tmp_path / "s.json", transport, clock) as reporter:
        with pytest.raises(ReporterError):
            await reporter.join(code["code"])  # no relay URL
        joined = await reporter.join(" " + code["code"].lower() + " ", relay_url=PUBLIC_URL)
        assert not joined.pinned_by_qr
        assert joined.safety_number == safety_number(org_key)


async def test_events_feedback_export_and_forget(
    tmp_path: Path, transport: httpx.ASGITransport, code: dict[str, str], clock: ManualClock
) -> None:
    state = tmp_path / "s.json"
    async with reporter_at(state, transport, clock) as reporter:
        await reporter.join(code["qr_payload"])
        reporter.set_profile("Merel")
        conv_id = await reporter.open_conversation()
        await reporter.say(conv_id, "export mij")
        assert await reporter.send_events([("screen", "home", 1), ("topic", "pesten", 2)]) == 2
        assert isinstance(await reporter.send_feedback("Duidelijke app"), uuid.UUID)
        exported = await reporter.export()
        assert exported["relay"]["device"]["device_id"] == str(reporter.device_id)
        assert [d["text"] for d in exported["decrypted"] if d["type"] == "text"] == ["export mij"]
        device_id, keys = reporter.device_id, reporter.keys
        await reporter.forget()
        assert not state.exists() and not reporter.joined
    # The relay no longer knows the device: its signed requests are refused.
    from opgelucht_desk.protocol import sign_request

    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        headers = sign_request(
            device_id, keys.sign_seed, "GET", "/v1/device/export", b"", now=unix(clock.now())
        )
        assert (await http.get("/v1/device/export", headers=headers)).status_code in {401, 404}


class FlakyNetwork(httpx.AsyncBaseTransport):
    """The real relay behind a network that drops the next message post after the relay stored it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.drop_next_post_response = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if (
            self.drop_next_post_response
            and request.method == "POST"
            and request.url.path.endswith("/messages")
        ):
            self.drop_next_post_response = False
            raise httpx.ReadError("connection lost", request=request)
        return response


async def test_lost_response_is_retried_without_duplicates(
    tmp_path: Path,
    transport: httpx.ASGITransport,
    staff: httpx.AsyncClient,
    admin: Actor,
    code: dict[str, str],
    clock: ManualClock,
) -> None:
    network = FlakyNetwork(transport)
    async with reporter_at(tmp_path / "s.json", network, clock) as reporter:
        await reporter.join(code["qr_payload"])
        reporter.set_profile("Merel")
        conv_id = await reporter.open_conversation()
        network.drop_next_post_response = True
        with pytest.raises(ReporterError, match="not reachable"):
            await reporter.say(conv_id, "eerste")
    async with reporter_at(tmp_path / "s.json", network, clock) as restarted:
        assert await restarted.flush() == 1  # the saved envelope is posted again: the relay answers 200
        await restarted.say(conv_id, "tweede")
        texts = [m.text for m in await restarted.read(conv_id)]
    assert texts == ["Merel", "eerste", "tweede"]
    sync = (await staff.get("/v1/inbox/sync?after=0", headers=admin.headers)).json()
    assert len(sync["messages"]) == 3


async def test_joining_with_an_expired_roster_works_but_sending_waits_for_a_fresh_one(
    tmp_path: Path, transport: httpx.ASGITransport, code: dict[str, str], clock: ManualClock
) -> None:
    clock.advance(days=15)
    async with reporter_at(tmp_path / "s.json", transport, clock) as reporter:
        await reporter.join(code["qr_payload"])
        reporter.set_profile("Merel")
        with pytest.raises(RosterError) as info:
            await reporter.open_conversation()
        assert info.value.kind == "expired"
        assert reporter.conversation_ids() == []


class RosterSwap(httpx.AsyncBaseTransport):
    """The relay, except that a test can make it serve another signed roster to the reporter."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.serve: SignedRoster | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.serve is not None and request.url.path == "/v1/device/roster":
            return httpx.Response(200, json=self.serve.to_json())
        return await self.inner.handle_async_request(request)


async def test_every_send_is_sealed_to_the_newest_roster_and_a_refused_one_blocks_it(
    tmp_path: Path,
    transport: httpx.ASGITransport,
    staff: httpx.AsyncClient,
    admin: Actor,
    code: dict[str, str],
    clock: ManualClock,
) -> None:
    network = RosterSwap(transport)
    async with reporter_at(tmp_path / "s.json", network, clock) as reporter:
        await reporter.join(code["qr_payload"])
        reporter.set_profile("Merel")
        conv_id = await reporter.open_conversation()
        # The admin lists a new computer; the reporter does not read or list counsellors in between.
        laptop = DeviceKeys.generate()
        entry = make_device_entry(admin.identity_seed, laptop, uuid.uuid4())
        v1 = await current_roster(staff, admin)
        me = CounsellorEntry(
            admin.counsellor_id, admin.display_name, admin.identity_key, (admin.device_entry, entry)
        )
        assert admin.org_seed is not None
        v2 = make_roster(admin.org_id, admin.org_seed, [me], clock, version=2, prev=v1)
        assert (
            await staff.post("/v1/me/devices", json=entry.to_json(), headers=admin.headers)
        ).status_code == 201
        assert (
            await staff.put("/v1/org/roster", json=v2.to_json(), headers=admin.headers)
        ).status_code == 204
        await reporter.say(conv_id, "na de nieuwe lijst")
        sync = (await staff.get("/v1/inbox/sync?after=0", headers=admin.headers)).json()
        last = b64d(sync["messages"][-1]["envelope"])
        assert open_message(last, keys=laptop, expected_conv_id=conv_id).payload == b"na de nieuwe lijst"
        # A relay that serves an older roster, or one the org key did not sign, stops the send before
        # anything is sealed.
        seq = reporter.state.conversations[str(conv_id)].seq
        forged = make_roster(admin.org_id, DeviceKeys.generate().sign_seed, [me], clock, version=3, prev=v2)
        for served, kind in ((v1, "rollback"), (forged, "bad_signature")):
            network.serve = served
            with pytest.raises(RosterError) as info:
                await reporter.say(conv_id, "niet naar een oude lijst")
            assert info.value.kind == kind
            assert reporter.state.conversations[str(conv_id)].seq == seq and reporter.pending() == 0
        network.serve = None
        await reporter.say(conv_id, "weer gewoon")
        assert reporter.roster is not None and reporter.roster.version == 2
