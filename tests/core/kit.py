"""Helpers of the core tests: enrol desks through their facade, and a scripted reporter device."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.model import EnrolmentChallenge
from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.envelope import ZERO_HASH, MessageType, envelope_hash, open_message, seal_message
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.profile import Profile
from opgelucht_desk.protocol.request_auth import register_proof, sign_request
from opgelucht_desk.protocol.roster import Roster, RosterTracker, SignedRoster, roster_hash
from server.auth.totp import code_at
from server.clock import ManualClock, unix

PASSWORD = "lange wachtzin voor de test"
CANARY_TEXT = "KANARIE-bericht-5e1c"
CANARY_PSEUDONYM = "Kanarie-Pseudo-9b"


@dataclass
class EnrolledDesk:
    desk: Desk
    challenge: EnrolmentChallenge

    def totp(self, clock: ManualClock) -> str:
        """A fresh code: moves the relay clock one 30 s step on first (the last step is used up)."""
        clock.advance(seconds=30)
        return code_at(self.challenge.totp_secret, clock.now())


async def enrol_desk(
    config: DeskConfig, clock: ManualClock, invitation: str, username: str, display_name: str
) -> EnrolledDesk:
    desk = await Desk.open(config)
    assert config.relay_url is not None
    challenge = await desk.enrol_start(config.relay_url, invitation, username, display_name, PASSWORD)
    steps: list[float] = []
    await desk.enrol_finish(
        challenge, code_at(challenge.totp_secret, clock.now()), lambda f, _t: steps.append(f)
    )
    assert steps == sorted(steps) and steps[-1] == 1.0
    return EnrolledDesk(desk, challenge)


@dataclass
class ScriptedReporter:
    """The mobile app's part, on the protocol module: register with an org code, pin the org key,
    verify the roster, send HELLO and texts with a proper seq/prev_hash chain, read replies."""

    client: httpx.AsyncClient
    clock: ManualClock | Callable[[], int]
    org_code: str
    keys: DeviceKeys = field(default_factory=DeviceKeys.generate)
    device_id: uuid.UUID = field(default_factory=uuid.uuid4)
    conv_id: uuid.UUID = field(default_factory=uuid.uuid4)
    seq: int = 0
    prev: bytes = ZERO_HASH
    tracker: RosterTracker | None = None

    def now(self) -> int:
        return unix(self.clock.now()) if isinstance(self.clock, ManualClock) else self.clock()

    async def call(self, method: str, path: str, payload: Any = None) -> httpx.Response:
        body = b"" if payload is None else json.dumps(payload).encode()
        headers = sign_request(self.device_id, self.keys.sign_seed, method, path, body, now=self.now())
        if payload is not None:
            headers["Content-Type"] = "application/json"
        return await self.client.request(method, path, content=body, headers=headers)

    async def register(self) -> None:
        joined = await self.client.get(f"/v1/join/{self.org_code}")
        assert joined.status_code == 200, joined.text
        self.tracker = RosterTracker(b64d(joined.json()["org_key"]))
        proof = register_proof(
            self.device_id, self.keys.enc_pk, self.keys.sign_pk, self.org_code, self.keys.sign_seed
        )
        response = await self.client.post(
            "/v1/devices",
            json={
                "org_code": self.org_code,
                "device_id": str(self.device_id),
                "enc_pk": b64e(self.keys.enc_pk),
                "sign_pk": b64e(self.keys.sign_pk),
                "proof": b64e(proof),
            },
        )
        assert response.status_code in (200, 201), response.text

    async def roster(self) -> tuple[Roster, bytes]:
        assert self.tracker is not None
        response = await self.call("GET", "/v1/device/roster")
        assert response.status_code == 200, response.text
        signed = SignedRoster.from_json(response.json())
        return self.tracker.accept(signed, self.now()), roster_hash(signed)

    async def send(self, msg_type: MessageType, payload: bytes) -> uuid.UUID:
        roster, rhash = await self.roster()
        msg_id = uuid.uuid4()
        envelope = seal_message(
            conv_id=self.conv_id,
            msg_id=msg_id,
            roster_version=roster.version,
            sender=self.keys,
            seq=self.seq + 1,
            msg_type=msg_type,
            prev_hash=self.prev,
            roster_hash=rhash,
            payload=payload,
            recipients=[*roster.recipient_keys(), self.keys.enc_pk],
        )
        response = await self.call(
            "POST", f"/v1/device/conversations/{self.conv_id}/messages", {"envelope": b64e(envelope)}
        )
        assert response.status_code in (200, 201), response.text
        self.seq, self.prev = self.seq + 1, envelope_hash(envelope)
        return msg_id

    async def hello(
        self, pseudonym: str = CANARY_PSEUDONYM, age: str | None = "25-34", gender: str | None = None
    ) -> None:
        profile = Profile(pseudonym, age, gender, self.keys.enc_pk, self.keys.sign_pk)
        await self.send(MessageType.HELLO, profile.to_payload())

    async def text(self, text: str) -> uuid.UUID:
        return await self.send(MessageType.TEXT, text.encode())

    async def replies(self) -> list[tuple[str, bytes]]:
        """(text, sender sign pk) of every counsellor message in the chat, verified against the roster."""
        roster, _ = await self.roster()
        response = await self.call("GET", f"/v1/device/conversations/{self.conv_id}/messages?after=0")
        assert response.status_code == 200, response.text
        out = []
        for m in response.json()["messages"]:
            opened = open_message(b64d(m["envelope"]), keys=self.keys, expected_conv_id=self.conv_id)
            if opened.sender_sign_pk == self.keys.sign_pk:
                continue
            assert roster.device_by_sign_pk(opened.sender_sign_pk) is not None
            assert opened.msg_type == MessageType.TEXT
            out.append((opened.payload.decode(), opened.sender_sign_pk))
        return out


JsonRewrite = Callable[[Any], Any]


class TamperingTransport(httpx.AsyncBaseTransport):
    """A test double of the network only: forwards to the real relay and lets a test rewrite the JSON
    of chosen GET responses (``rewrites[path]``), as a malicious relay or network could."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.rewrites: dict[str, JsonRewrite] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        rewrite = self.rewrites.get(request.url.path)
        if rewrite is None or request.method != "GET" or response.status_code != 200:
            return response
        await response.aread()
        return httpx.Response(200, json=rewrite(json.loads(response.content)))

    async def aclose(self) -> None:
        await self.inner.aclose()
