"""The real relay app (server/) on 127.0.0.1, run three ways for the tests:

- `served(app)`: uvicorn inside the test's own event loop, for relay tests over real HTTP (SSE).
- `RelayServer`: uvicorn in a thread with its own event loop, for the UI tests (the Qt event loop,
  qasync, must not also host the relay) and scripts. Its clock is a ManualClock starting now: the
  tests compute TOTP codes at the relay's time and move it forward between logins (the TOTP replay
  guard). Restartable with its data on the same port and directory.
- `RelayProcess`: a real `opgelucht-relay serve` subprocess (SQLite, or a PostgreSQL URL), which tests
  can kill (SIGKILL, no clean shutdown) or stop with SIGTERM, and start again on the same port and
  database.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

from kit.actors import create_org_with_admin
from opgelucht_relay.app import create_app
from opgelucht_relay.auth.totp import code_at
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.context import AppContext

T = TypeVar("T")
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    """The relay in a thread of this process (see the module docstring)."""

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


class RelayProcess:
    """The relay as an `opgelucht-relay serve` subprocess (see the module docstring)."""

    def __init__(self, directory: Path, *, database_url: str = "", serve_args: tuple[str, ...] = ()) -> None:
        self.directory = directory
        self.serve_args = serve_args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "OPG_RELAY_DATA_DIR": str(directory / "relay-data"),
            "OPG_RELAY_DATABASE_URL": database_url,
            "OPG_RELAY_HOST": "127.0.0.1",
            "OPG_RELAY_PORT": str(self.port),
            "OPG_RELAY_PUBLIC_URL": self.url,
            "OPG_RELAY_ARGON2_MEMORY_KIB": "256",
            "OPG_RELAY_ARGON2_TIME_COST": "1",
            "OPG_RELAY_LOG_LEVEL": "WARNING",
        }
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", "from opgelucht_relay.cli import main; main()", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout

    def create_org(self, name: str) -> str:
        """A new org; returns its one-time admin invitation."""
        found = re.search(r"admin invitation: (\S+)", self.cli("create-org", name))
        assert found, "create-org printed no invitation"
        return found.group(1)

    async def start(self) -> None:
        self.starts += 1
        log = (self.directory / f"relay-{self.starts}.log").open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from opgelucht_relay.cli import main; main()", "serve", *self.serve_args,
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        async with httpx.AsyncClient(base_url=self.url, timeout=2.0) as http:
            deadline = asyncio.get_running_loop().time() + START_TIMEOUT
            while True:
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if asyncio.get_running_loop().time() > deadline or self.proc.returncode is not None:
                    raise AssertionError("the relay did not start")
                await asyncio.sleep(0.05)  # polling the port: a process offers no readiness event

    def kill(self) -> None:
        """SIGKILL: the relay dies without any clean-up (as in a crash or power loss)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def terminate(self, within: float) -> int:
        """SIGTERM, as `systemctl stop` sends it; the exit status (AssertionError after ``within`` s)."""
        assert self.proc is not None and self.proc.returncode is None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), within)
        except TimeoutError:
            raise AssertionError(f"the relay was still running {within} s after SIGTERM") from None

    def log(self) -> str:
        """What the last started process wrote (stdout and stderr)."""
        return (self.directory / f"relay-{self.starts}.log").read_text(errors="replace")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self.proc = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()
