"""TLS verification is on: the desk trusts the relay only through the system store or the CA bundle
IT configured (a throwaway CA from trustme; the real relay app served by uvicorn over TLS)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import trustme
import uvicorn
from fastapi import FastAPI
from kit.actors import create_org_with_admin

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import UntrustedCertificateError
from opgelucht_desk.core.model import DeskState
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext

from .desks import enrol_desk


@dataclasses.dataclass
class TlsRelay:
    url: str
    ca_bundle: Path


@pytest.fixture
async def tls_relay(app: FastAPI, tmp_path: Path) -> AsyncIterator[TlsRelay]:
    ca = trustme.CA()
    server_pem = tmp_path / "relay.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    ca_bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, lifespan="off", ssl_certfile=str(server_pem), ssl_keyfile=str(server_pem)
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no start-up event to wait on
        await asyncio.sleep(0.01)
    try:
        yield TlsRelay(f"https://127.0.0.1:{port}", ca_bundle)
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_relay_certificate_must_verify(
    tls_relay: TlsRelay,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    _org, invitation = await create_org_with_admin(ctx, "TLS BV")
    untrusting = dataclasses.replace(desk_config("no-ca"), relay_url=tls_relay.url, transport=None)
    desk = await Desk.open(untrusting)
    with pytest.raises(UntrustedCertificateError, match="not trusted"):
        await desk.enrol_start(tls_relay.url, invitation, "admin1", "Anna", "lange wachtzin voor de test")
    # The invitation was not spent: with IT's CA bundle the same enrolment succeeds.
    trusting = dataclasses.replace(
        untrusting, data_dir=untrusting.data_dir.with_name("ca"), ca_bundle=tls_relay.ca_bundle
    )
    enrolled = await enrol_desk(trusting, clock, invitation, "admin1", "Anna")
    assert enrolled.desk.state is DeskState.UNLOCKED
    await enrolled.desk.sync_now()
    await enrolled.desk.close()
