"""./scripts/start's checks (issue 10, major 4 and minors): the one `apt-get install` line naming exactly
the libraries Qt's xcb plugin lacks, and the first-run invitation shown only while it is unused."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from kit.relay import RelayProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "scripts" / "start_checks.py"

# `ldd libqxcb.so` of PySide6 6.11 on a fresh Debian 12 desktop: Qt itself said only
# "xcb-cursor0 or libxcb-cursor0 is needed", which was installed.
FRESH_DEBIAN_LDD = """\
\tlinux-vdso.so.1 (0x00007ffd4e7f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007fa2ad000000)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007fa2acb17000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007fa2acb10000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007fa2abff8000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-render-util.so.0 => /lib/x86_64-linux-gnu/libxcb-render-util.so.0 (0x00007fa2ab400000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
"""


def run_checks(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECKS), *args],
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_missing_qt_libraries_are_named_with_one_install_line(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "ldd").write_text(f"#!/bin/sh\ncat <<'EOF'\n{FRESH_DEBIAN_LDD}EOF\n")
    (fake / "ldd").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    result = run_checks("qt-libs", env=env)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    install = [line.strip() for line in lines if "apt-get install" in line]
    assert install == [f"{'' if os.geteuid() == 0 else 'sudo '}apt-get install libxcb-icccm4 libxcb-keysyms1"]
    assert "cursor" not in result.stderr  # not the library Qt's own message names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_with_every_library_there_the_check_is_silent(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    present = FRESH_DEBIAN_LDD.replace("=> not found", "=> /lib/x86_64-linux-gnu/found.so (0x1)")
    (fake / "ldd").write_text(f"#!/bin/sh\ncat <<'EOF'\n{present}EOF\n")
    (fake / "ldd").chmod(0o755)
    result = run_checks("qt-libs", env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"})
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_debian_package_names_follow_the_library_names() -> None:
    sys.path.insert(0, str(CHECKS.parent))
    try:
        from start_checks import debian_package  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(CHECKS.parent))
    assert debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert debian_package("libxcb-render-util.so.0") == "libxcb-render-util0"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert debian_package("libX11-xcb.so.1") == "libx11-xcb1"
    assert debian_package("libEGL.so.1") == "libegl1"
    assert debian_package("libdbus-1.so.3") == "libdbus-1-3"
    assert debian_package("libglib-2.0.so.0") == "libglib2.0-0"


@pytest.mark.slow
def test_the_invitation_counts_as_unused_until_an_enrolment_starts_with_it(tmp_path: Path) -> None:
    relay = RelayProcess(tmp_path)
    invitation = relay.create_org("Gemeente Uitnodiging")
    first_run = tmp_path / "first-run.txt"
    first_run.write_text(f"org id: x\nadmin invitation: {invitation}\norg code: ABCDEFGHJK\n")
    assert run_checks("invitation-used", str(first_run), env=relay.env).returncode == 1
    other = tmp_path / "other.txt"
    other.write_text(f"admin invitation: {invitation[:-2]}xx\n")
    assert run_checks("invitation-used", str(other), env=relay.env).returncode == 1


def _start(workdir: Path, port: int) -> list[str]:
    """Run ./scripts/start without a display (only the relay starts) until it says so; its output."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env = {k: v for k, v in env.items() if not k.startswith("OPG_RELAY_")} | {"OPG_RELAY_PORT": str(port)}
    proc = subprocess.Popen(
        ["bash", str(workdir / "scripts" / "start")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("== No display"):
                break
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    return lines


@pytest.mark.slow
def test_start_installs_once_and_shows_the_invitation_last(tmp_path: Path) -> None:
    """Issue 10 (minor): ./scripts/start ran pip on every start and buried the invitation in pip and log
    noise. Checked on a copy of the scripts with a .venv whose python records pip instead of running it."""
    work = tmp_path / "app"
    (work / "scripts").mkdir(parents=True)
    for name in ("scripts/start", "scripts/start_checks.py", "pyproject.toml", "setup.py"):
        shutil.copy2(ROOT / name, work / name)
    venv = work / ".venv" / "bin"
    venv.mkdir(parents=True)
    pip_log = tmp_path / "pip.log"
    (venv / "python").write_text(
        f'#!/bin/sh\nif [ "$1" = -m ] && [ "$2" = pip ]; then echo "$*" >> {pip_log}; exit 0; fi\n'
        f'exec {sys.executable} "$@"\n'
    )
    (venv / "opgelucht-desk").write_text("#!/bin/sh\nexit 0\n")
    (venv / "opgelucht-relay").write_text(
        f'#!/bin/sh\nexec {sys.executable} -c "from opgelucht_relay.cli import main; main()" "$@"\n'
    )
    for tool in venv.iterdir():
        tool.chmod(0o755)
    port = free_port()

    first = _start(work, port)
    assert pip_log.read_text().count("install") == 2, "first start: pip upgraded and the app installed"
    box = [i for i, line in enumerate(first) if "Invitation code:" in line]
    assert box, first
    assert not any("pip" in line.lower() or '"level"' in line for line in first[box[0] :]), first
    assert not any("Traceback" in line for line in first), first
    # After the invitation, only the box's end and the "no display" note (nothing scrolls it away).
    assert first[-1].startswith("== No display") and len(first) - box[0] <= 8, first

    second = _start(work, port)
    assert pip_log.read_text().count("install") == 2, "the second start ran pip again"
    assert not any("Installing" in line for line in second), second
    (work / "pyproject.toml").write_text((work / "pyproject.toml").read_text() + "\n# changed\n")
    _start(work, port)
    assert pip_log.read_text().count("install") == 4, "a changed pyproject.toml installs again"
