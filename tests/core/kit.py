"""Helpers of the core tests: enrol desks through their facade, and a scripted reporter device."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.model import EnrolmentChallenge
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_reporter.client import ReceivedMessage, ReporterClient
from server.auth.totp import code_at
from server.clock import ManualClock

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
