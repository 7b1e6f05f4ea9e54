"""The real relay app (server/), served by uvicorn on 127.0.0.1 in a thread, for the UI tests.

The UI's core talks real HTTP, and the Qt event loop (qasync) must not also host the relay, so the
relay gets its own thread and event loop. Its clock is a ManualClock starting now: the tests compute
TOTP codes at the relay's time and move it forward between logins (the TOTP replay guard).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from relay.helpers import create_org_with_admin

from server.app import create_app
from server.auth.totp import code_at
from server.clock import ManualClock
from server.config import Settings
from server.context import AppContext

T = TypeVar("T")
START_TIMEOUT = 30.0


class _Server(uvicorn.Server):
    """Signals when it accepts connections and remembers its loop (for DB set-up calls)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets)
        self.ready.set()


class RelayServer:
    def __init__(self, directory: Path, *, port: int = 0, clock: ManualClock | None = None) -> None:
        """A relay on `port` (0: any free one) keeping its database in `directory`; pass the `port`,
        `directory` and `clock` of a stopped relay to restart it with its data."""
        self.clock = clock or ManualClock(datetime.now(UTC).replace(microsecond=0))
        directory.mkdir(parents=True, exist_ok=True)
        settings = Settings.load(
            None,
            data_dir=directory,
            database_url=f"sqlite+aiosqlite:///{directory / 'relay.db'}",
            argon2_memory_kib=256,
            argon2_time_cost=1,
            run_jobs=False,
            public_url="http://127.0.0.1",
            # Exact statistics: the screens are tested here, the noise in tests/relay (a noised cell
            # could drop below the item threshold and make a screen's figures depend on chance).
            stats_noise=False,
        )
        self.app = create_app(settings, self.clock)
        self.ctx: AppContext = self.app.state.ctx
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port: int = self._socket.getsockname()[1]
        self.directory = directory
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="on", access_log=False, timeout_graceful_shutdown=1
        )
        self._server = _Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="relay", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        if not self._server.ready.wait(START_TIMEOUT):
            raise RuntimeError("the relay did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(START_TIMEOUT)
        self._socket.close()

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the relay's own loop (database set-up, as the ops CLI would)."""
        assert self._server.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._server.loop).result(START_TIMEOUT)

    def new_org(self, name: str = "Gemeente Testdorp") -> str:
        """A new organisation and its first (admin) invitation, as `opgelucht-relay create-org`."""
        _org_id, invitation = self.call(create_org_with_admin(self.ctx, name))
        return invitation

    def totp(self, secret: str) -> str:
        """The code an authenticator app shows now, for the relay's clock; each call moves time on 30 s
        first so that no code is ever a replay of the previous one."""
        self.clock.advance(seconds=30)
        return code_at(secret, self.clock.now())
