"""The first run and a day's work through the REAL entry point (issue 10, "close the hole").

`opgelucht_desk.__main__.main()` runs in its own process (offscreen Qt, a throwaway GNOME keyring on a
private D-Bus session, a fresh data directory) against a real `opgelucht-relay serve` process; the
driver (tests/e2e/desk_driver.py) types and clicks in the windows on screen as a person would. The pytest-qt
tests build the controller themselves, which is why they never saw that Qt's "quit on last window closed"
ended the app when the wizard's "Voltooien" closed it before the inbox existed.
"""

from __future__ import annotations

import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from kit.relay import RelayProcess

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("desk_driver.py")
TIMEOUT = 90.0  # the whole flow; it takes about 15 s on an idle machine
CANARIES = ("E2E-KANARIE", "Merel")
STAGES = [
    "wizard",
    "safety-number",
    "inbox",
    "received",
    "replied",
    "locked",
    "sent-while-locked",
    "unlocked",
    "received-while-locked",
    "closing",
    "exited 0",
]

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Relay:
    url: str
    invitation: str  # the first admin's one-time invitation
    org_code: str  # what the employee types (the poster's code)
    env: dict[str, str]  # the OPG_RELAY_* settings of the relay process (for its ops tools)


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    """`opgelucht-relay serve` as its own process on SQLite, with an org and an org code made by the
    ops CLI first, as ./scripts/start sets it up (the CLI migrates the new database)."""
    process = RelayProcess(tmp_path)
    invitation = process.create_org("Gemeente Eerste Start")
    found = re.search(
        r"org code: (\S+)", process.cli("create-code", "Gemeente Eerste Start", "--label", "Alle")
    )
    assert found, "create-code printed no code"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from opgelucht_relay.cli import main; main()", "serve"],
        env=process.env,
        stdout=(tmp_path / "relay.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{process.url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the relay did not start"
            time.sleep(0.05)  # polling the port: a process offers no readiness event
        yield Relay(process.url, invitation, found.group(1), process.env)
    finally:
        proc.kill()
        proc.wait(10)


def _lines(stream: object, out: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line.rstrip("\n"))
    out.put(None)


def test_enrol_receive_reply_lock_unlock_and_quit_through_the_real_entry_point(
    relay: Relay, tmp_path: Path
) -> None:
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: apt-get install dbus-daemon gnome-keyring")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    (tmp_path / "home").mkdir()
    keyring = 'printf e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'
    # The driver's arguments, then those of the app: the relay is typed in the wizard, not preset.
    command = [sys.executable, str(DRIVER), relay.url, relay.invitation, relay.org_code, str(tmp_path)]
    command += ["--", "--data-dir", str(tmp_path / "desk"), "--language", "nl"]
    proc = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", keyring, "sh", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    errors: list[str] = []
    err_reader = threading.Thread(target=lambda: errors.extend(proc.stderr or []), daemon=True)
    err_reader.start()
    stages: list[str] = []
    notifications: list[str] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"timed out after stages {stages}; stderr: {''.join(errors)[-3000:]}")
            if line is None:
                break
            if line.startswith("stage: "):
                stages.append(line.removeprefix("stage: "))
                if stages[-1] == "inbox":
                    # Blocker 1: "Voltooien" closed the wizard and with it the whole app.
                    assert proc.poll() is None, "the app exited when enrolment finished"
            elif line.startswith("notification: "):
                notifications.append(line.removeprefix("notification: "))
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    err_reader.join(5)
    stderr = "".join(errors)
    assert stages == STAGES, f"stages reached: {stages}; stderr: {stderr[-3000:]}"
    assert code == 0, stderr[-3000:]
    # Closing with × ends cleanly: no "Event loop stopped before Future completed", no deleted widgets.
    assert "Traceback" not in stderr and "RuntimeError" not in stderr, stderr[-3000:]
    # The new message gave a notification, and no notification carries content or a pseudonym.
    assert notifications and notifications[0] == "Opgelucht Desk | Nieuw bericht in een gesprek"
    assert not any(canary in n for n in notifications for canary in CANARIES), notifications
    # The data folder and the account profile are private to the user (issue 10, minor).
    data = tmp_path / "desk"
    assert (data.stat().st_mode & 0o777) == 0o700
    assert ((data / "account.json").stat().st_mode & 0o777) == 0o600
    # ./scripts/start shows the invitation only while it is unused: now it is used.
    first_run = tmp_path / "first-run.txt"
    first_run.write_text(f"admin invitation: {relay.invitation}\n", encoding="utf-8")
    checks = [sys.executable, str(ROOT / "scripts" / "start_checks.py"), "invitation-used", str(first_run)]
    assert subprocess.run(checks, env=relay.env, capture_output=True, timeout=60, check=False).returncode == 0
