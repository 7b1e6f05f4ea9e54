"""Fixtures of the desktop core tests: a real (encrypted file) keyring backend chosen explicitly, the
in-process relay (the relay engineers' fixtures, SQLite only here) and desks wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from keyrings.alt.file import EncryptedKeyring
from kit.actors import create_org_with_admin
from kit.reporter import Reporter
from relay.conftest import app, client, clock, ctx, db_url, settings, sqlite_template  # noqa: F401

from opgelucht_desk.core.desk import DeskConfig
from opgelucht_desk.core.keystore import TEST_KDF
from opgelucht_relay.clock import ManualClock, unix
from opgelucht_relay.context import AppContext
from opgelucht_reporter.client import ReporterClient

from .desks import EnrolledDesk, enrol_desk
from .tampering import TamperingTransport

RELAY_URL = "http://127.0.0.1:9"  # loopback: the reference reporter allows plain http only there


def make_keyring(directory: Path) -> EncryptedKeyring:
    """keyrings.alt's encrypted file keyring in ``directory``, unlocked programmatically."""
    backend = EncryptedKeyring()
    backend.file_path = str(directory / "keyring.cfg")
    backend.keyring_key = "keyring file password"
    return backend


@pytest.fixture
def backend() -> str:
    """The relay's database backend for the core tests: SQLite (the relay's own suite covers PostgreSQL)."""
    return "sqlite"


@pytest.fixture
def keyring_backend(tmp_path: Path) -> EncryptedKeyring:
    return make_keyring(tmp_path)


@pytest.fixture
def network(app: FastAPI) -> TamperingTransport:  # noqa: F811
    """The desks' network: the real in-process relay, which a test may make misbehave."""
    return TamperingTransport(httpx.ASGITransport(app=app))


@pytest.fixture
async def desk_config(
    network: TamperingTransport,
    clock: ManualClock,  # noqa: F811
    tmp_path: Path,
    keyring_backend: EncryptedKeyring,
) -> Callable[[str], DeskConfig]:
    """Configs of desks (one data dir each) that talk to the in-process relay."""
    transport = network

    def make(name: str) -> DeskConfig:
        return DeskConfig(
            data_dir=tmp_path / name,
            relay_url=RELAY_URL,
            keyring_backend=keyring_backend,
            kdf=TEST_KDF,
            transport=transport,
            clock=lambda: unix(clock.now()),
        )

    return make


@pytest.fixture
async def admin_desk(
    desk_config: Callable[[str], DeskConfig],
    ctx: AppContext,  # noqa: F811
    clock: ManualClock,  # noqa: F811
) -> AsyncIterator[EnrolledDesk]:
    """The org's first admin, enrolled through the facade (creates the org key and roster v1)."""
    _org_id, invitation = await create_org_with_admin(ctx, "Gemeente Testdorp")
    enrolled = await enrol_desk(desk_config("admin"), clock, invitation, "admin1", "Anna Admin")
    yield enrolled
    await enrolled.desk.close()


def make_reporter(app: FastAPI, clock: ManualClock, path: Path) -> Reporter:  # noqa: F811 - plain arguments
    """The reference reporter client on its own (untampered) connection to the in-process relay."""
    device = ReporterClient(path, transport=httpx.ASGITransport(app=app), clock=lambda: unix(clock.now()))
    return Reporter(device, RELAY_URL)


@pytest.fixture
async def reporter(
    admin_desk: EnrolledDesk,
    app: FastAPI,  # noqa: F811
    clock: ManualClock,  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[Reporter]:
    code = await admin_desk.desk.create_code("Afdeling A")
    device = make_reporter(app, clock, tmp_path / "reporter.json")
    await device.register(code.code)
    yield device
    await device.client.aclose()
