"""The relay as a real `opgelucht-relay serve` subprocess on 127.0.0.1 (SQLite, or a PostgreSQL URL),
which tests can kill (SIGKILL, no clean shutdown) or stop with SIGTERM, and start again on the same port
and database."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RelayProcess:
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
            [sys.executable, "-c", "from server.cli import main; main()", *args],
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
            sys.executable, "-c", "from server.cli import main; main()", "serve", *self.serve_args,
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
