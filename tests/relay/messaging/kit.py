"""A scripted reporter device for the relay tests, built on the protocol module only."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.envelope import ZERO_HASH, MessageType, seal_message
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_desk.protocol.request_auth import register_proof, sign_request
from relay.helpers import Actor
from server.clock import Clock, unix


async def new_code(client: httpx.AsyncClient, admin: Actor, label: str = "Afdeling A") -> str:
    response = await client.post("/v1/org/codes", json={"label": label}, headers=admin.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


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
class Reporter:
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


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Run the app on a free loopback port with uvicorn inside this event loop."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no start-up event to wait on)
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def next_event(lines: AsyncIterator[str]) -> dict[str, object]:
    """The next ``data:`` payload of a Server-Sent Events stream."""
    async for line in lines:
        if line.startswith("data: "):
            return dict(json.loads(line[len("data: ") :]))
    raise AssertionError("stream ended")


async def wait_ready(lines: AsyncIterator[str]) -> None:
    """Wait for the ``: ready`` comment: the subscription is active from then on."""
    async for line in lines:
        if line == ": ready":
            return
    raise AssertionError("stream ended")
