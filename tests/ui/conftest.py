"""UI test fixtures: the Qt application with Opgelucht's style and translations, a qasync loop that
runs inside Qt's (so widgets can start coroutines and qtbot waits drive them), and a real relay."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from keyrings.alt.file import EncryptedKeyring
from kit.relay import RelayServer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.keystore import TEST_KDF
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.preferences import Preferences
from opgelucht_desk.ui.style import apply_style
from opgelucht_relay.clock import unix

T = TypeVar("T")
ASYNC_TIMEOUT_MS = 20_000


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[Translations]:
    """Dutch, like a fresh installation; restored to Dutch afterwards."""
    apply_style(qapp)
    t = Translations()
    t.switch("nl")
    yield t
    t.uninstall()


@pytest.fixture(scope="session")
def _session_qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """One qasync loop for the whole session, as the app has one (creating and closing a loop per test
    leaves Qt timers behind that can fire on deleted objects)."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    qapp.aboutToQuit.disconnect(loop._after_run_forever)
    asyncio.events._set_running_loop(None)
    yield loop
    loop._QEventLoop__is_running = False  # not loop.stop(): that would call QApplication.exit()
    loop.close()  # also shuts down the default executor's threads


@pytest.fixture
def qloop(_session_qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[asyncio.AbstractEventLoop]:
    """asyncio on Qt's event loop, 'already running': coroutines advance whenever Qt processes events
    (qtbot.waitUntil / waitSignal), exactly as in the app, where qasync drives both. Outside UI tests
    the loop is not the running one, so other async tests of the session are unaffected."""
    loop = _session_qloop
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=ASYNC_TIMEOUT_MS)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def run(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine on the Qt-driven loop to completion, processing Qt events meanwhile."""

    def runner(coro: Coroutine[Any, Any, T]) -> T:
        task = asyncio.ensure_future(coro)
        qtbot.waitUntil(task.done, timeout=ASYNC_TIMEOUT_MS)
        return task.result()

    return runner


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayServer]:
    """One real relay per test module (over HTTP on 127.0.0.1); each test makes its own organisation."""
    server = RelayServer(tmp_path_factory.mktemp("relay"))
    server.start()
    yield server
    server.stop()


def make_keyring(directory: Path) -> EncryptedKeyring:
    """keyrings.alt's encrypted file keyring, chosen explicitly and unlocked programmatically."""
    directory.mkdir(parents=True, exist_ok=True)
    backend = EncryptedKeyring()
    backend.file_path = str(directory / "keyring.cfg")
    backend.keyring_key = "keyring file password"
    return backend


@pytest.fixture
def desk_config(tmp_path: Path, relay: RelayServer) -> Callable[[str], DeskConfig]:
    """Config of a desk (own data dir and keyring) talking to the real relay over HTTP."""

    def make(name: str = "desk") -> DeskConfig:
        return DeskConfig(
            data_dir=tmp_path / name,
            relay_url=None,
            keyring_backend=make_keyring(tmp_path / name / "keyring"),
            kdf=TEST_KDF,
            clock=lambda: unix(relay.clock.now()),
            poll_interval=0.5,
        )

    return make


@pytest.fixture
def preferences(tmp_path: Path) -> Preferences:
    return Preferences(tmp_path / "prefs")


@pytest.fixture
def open_desk(
    run: Callable[[Coroutine[Any, Any, Any]], Any], desk_config: Callable[[str], DeskConfig]
) -> Iterator[Callable[[str], Desk]]:
    desks: list[Desk] = []

    def opener(name: str = "desk") -> Desk:
        desk: Desk = run(Desk.open(desk_config(name)))
        desks.append(desk)
        return desk

    yield opener
    for desk in desks:
        run(desk.close())


@pytest.fixture
def make_controller(
    qtbot: QtBot, preferences: Preferences, translations: Translations
) -> Iterator[Callable[..., Controller]]:
    """Controllers (the app's window manager) over real desks; their windows are destroyed afterwards."""
    made: list[Controller] = []

    def make(desk: Desk, prefs: Preferences | None = None) -> Controller:
        controller = Controller(desk, prefs or preferences, translations, None)
        controller.start()
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.close_windows()
    qtbot.waitUntil(lambda: not any(w.isVisible() for w in QApplication.topLevelWidgets()), timeout=5000)
