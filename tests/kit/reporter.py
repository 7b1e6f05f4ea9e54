"""The scripted reporter device of the tests, at two levels.

`Reporter` is the reference reporter client (`opgelucht_reporter`, what the mobile app does) with the
few conveniences the desk and end-to-end tests need: one conversation, and every counsellor reply read
so far (each one verified by the client).

`RawReporter` is a reporter device at the level of single signed requests, for the relay tests: it
registers and posts what a test builds (`seal`), including requests the reference client never sends
(wrong signatures, replays, malformed bodies), and returns the relay's raw responses.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.envelope import ZERO_HASH, MessageType, seal_message
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.request_auth import register_proof, sign_request
from opgelucht_relay.clock import Clock, unix
from opgelucht_reporter.client import ReceivedMessage, ReporterClient

CANARY_TEXT = "KANARIE-bericht-5e1c"
CANARY_PSEUDONYM = "Kanarie-Pseudo-9b"


class Reporter:
    """The reference reporter client (the mobile app) with the few conveniences the tests need:
    one conversation, and every counsellor reply read so far."""

    def __init__(self, client: ReporterClient, relay_url: str) -> None:
        self.client = client
        self.relay_url = relay_url
        self.org_code = ""
        self._conv_id: uuid.UUID | None = None
        self._replies: list[ReceivedMessage] = []

    @property
    def conv_id(self) -> uuid.UUID:
        assert self._conv_id is not None, "say hello first"
        return self._conv_id

    async def register(self, org_code: str) -> None:
        self.org_code = org_code
        await self.client.join(org_code, relay_url=self.relay_url)

    async def hello(
        self, pseudonym: str = CANARY_PSEUDONYM, age: str | None = "25-34", gender: str | None = None
    ) -> None:
        self.client.set_profile(pseudonym, age_category=age, gender=gender)
        if self._conv_id is None:
            self._conv_id = await self.client.open_conversation()
        else:
            await self.client.rename(self._conv_id, pseudonym)

    async def text(self, text: str) -> uuid.UUID:
        stored = await self.client.say(self.conv_id, text)
        return uuid.UUID(str(stored["msg_id"]))

    async def replies(self) -> list[tuple[str, str | None]]:
        """(text, counsellor name) of every counsellor text so far; each verified by the client."""
        for m in await self.client.read(self.conv_id):
            if not m.from_me and m.msg_type == MessageType.TEXT:
                assert m.chain_ok and m.roster_matches
                self._replies.append(m)
        assert self.client.rejected == []
        return [(m.text, m.counsellor_name) for m in self._replies]


def seal(
    conv_id: uuid.UUID,
    sender: DeviceKeys,
    recipients: list[bytes],
    payload: bytes,
    *,
    seq: int = 1,
    msg_id: uuid.UUID | None = None,
    msg_type: MessageType = MessageType.TEXT,
) -> bytes:
    """An envelope for `RawReporter.post` (no roster: the relay does not check what it cannot read)."""
    return seal_message(
        conv_id=conv_id,
        msg_id=msg_id or uuid.uuid4(),
        roster_version=1,
        sender=sender,
        seq=seq,
        msg_type=msg_type,
        prev_hash=ZERO_HASH,
        roster_hash=ZERO_HASH,
        payload=payload,
        recipients=recipients,
    )


@dataclass
class RawReporter:
    """A reporter device that sends single signed requests and returns the relay's raw responses."""

    client: httpx.AsyncClient
    clock: Clock
    org_code: str
    keys: DeviceKeys = field(default_factory=DeviceKeys.generate)
    device_id: uuid.UUID = field(default_factory=uuid.uuid4)

    async def register(self) -> httpx.Response:
        proof = register_proof(
            self.device_id, self.keys.enc_pk, self.keys.sign_pk, self.org_code, self.keys.sign_seed
        )
        return await self.client.post(
            "/v1/devices",
            json={
                "org_code": self.org_code,
                "device_id": str(self.device_id),
                "enc_pk": b64e(self.keys.enc_pk),
                "sign_pk": b64e(self.keys.sign_pk),
                "proof": b64e(proof),
            },
        )

    def sign(self, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        return sign_request(
            self.device_id, self.keys.sign_seed, method, path, body, now=unix(self.clock.now())
        )

    async def call(
        self, method: str, path: str, payload: Any = None, *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        body = b"" if payload is None else json.dumps(payload).encode()
        signed = headers if headers is not None else self.sign(method, path, body)
        extra = {"Content-Type": "application/json"} if payload is not None else {}
        return await self.client.request(method, path, content=body, headers={**signed, **extra})

    async def post(self, conv_id: uuid.UUID, envelope: bytes) -> httpx.Response:
        return await self.call(
            "POST", f"/v1/device/conversations/{conv_id}/messages", {"envelope": b64e(envelope)}
        )
