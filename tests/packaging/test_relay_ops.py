"""Relay operations files: the systemd unit and the Containerfile run the real console script, the example
config loads with the relay's own loader, and the unit's two commands (migrate, then serve) bring up a
relay whose container health check passes."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from opgelucht_relay.cli import main as relay_cli
from opgelucht_relay.config import Settings

ROOT = Path(__file__).resolve().parents[2]
RELAY = ROOT / "packaging" / "relay"
UNIT = RELAY / "opgelucht-relay.service"
CONTAINERFILE = RELAY / "Containerfile"
EXAMPLE = RELAY / "relay.example.toml"
VENV_BIN = Path(sys.executable).parent
SCRIPTS: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def unit_entries(text: str) -> dict[str, list[str]]:
    """`Key=value` lines of a unit file (keys may repeat), ignoring sections and comments."""
    entries: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        entries.setdefault(key, []).append(value)
    return entries


def resolve(argv: list[str]) -> list[str]:
    """A unit/container command with its installed console script replaced by the one in this venv."""
    script = Path(argv[0]).name
    assert script in SCRIPTS, f"{script} is not a console script of this project"
    local = VENV_BIN / script
    assert local.is_file(), f"{local} missing: pip install -e '.[relay]' first"
    return [str(local), *argv[1:]]


def containerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined."""
    joined = CONTAINERFILE.read_text().replace("\\\n", " ")
    result = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def instruction(name: str) -> str:
    values = [args for word, args in containerfile_instructions() if word == name]
    assert len(values) == 1, f"expected one {name}, found {len(values)}"
    return values[0]


def test_unit_runs_migrate_then_serve_of_the_real_cli() -> None:
    entries = unit_entries(UNIT.read_text())
    (pre,) = entries["ExecStartPre"]
    (start,) = entries["ExecStart"]
    assert shlex.split(pre)[1:] == ["migrate"]
    assert shlex.split(start)[1:] == ["serve"]
    assert SCRIPTS[Path(shlex.split(start)[0]).name] == "opgelucht_relay.cli:main"
    for command in (pre, start):
        argv = resolve(shlex.split(command))
        helped = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=60, check=False)
        assert helped.returncode == 0, helped.stderr
        assert argv[-1] in relay_cli.commands


def test_unit_is_hardened() -> None:
    entries = unit_entries(UNIT.read_text())
    expected = {
        "User": "opgelucht-relay",
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "StateDirectory": "opgelucht-relay",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
    }
    for key, value in expected.items():
        assert entries.get(key) == [value], key
    sysusers = (RELAY / "opgelucht-relay.sysusers").read_text().splitlines()
    declared = [shlex.split(line) for line in sysusers if line.strip() and not line.startswith("#")]
    assert [
        "u",
        "opgelucht-relay",
        "-",
        "Opgelucht relay",
        "/var/lib/opgelucht-relay",
        "/usr/sbin/nologin",
    ] in declared
    config = dict(v.split("=", 1) for v in entries["Environment"])
    assert config["OPG_RELAY_DATA_DIR"] == "/var/lib/" + entries["StateDirectory"][0]
    assert config["OPG_RELAY_CONFIG"].startswith("/etc/" + entries["ConfigurationDirectory"][0] + "/")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    installed = shlex.split(unit_entries(UNIT.read_text())["ExecStart"][0])[0]
    local = tmp_path / UNIT.name
    local.write_text(UNIT.read_text().replace(installed, resolve([installed])[0]))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(local)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # warnings (unknown keys, bad values) fail too


def test_containerfile_runs_the_relay_console_script_as_non_root() -> None:
    assert instruction("FROM") == "python:3.11-slim"
    assert json.loads(instruction("ENTRYPOINT")) == ["opgelucht-relay"]
    assert SCRIPTS["opgelucht-relay"] == "opgelucht_relay.cli:main"
    cmd = json.loads(instruction("CMD"))
    assert cmd == ["serve"]
    assert cmd[0] in relay_cli.commands
    assert '".[relay,postgres]"' in instruction("RUN")
    user = instruction("USER").split(":")[0]
    assert user not in {"root", "0"}
    env = dict(shlex.split(pair)[0].split("=", 1) for pair in instruction("ENV").split())
    assert json.loads(instruction("VOLUME")) == [env["OPG_RELAY_DATA_DIR"]]
    assert "/healthz" in instruction("HEALTHCHECK")


def test_example_config_loads_with_the_relay_loader() -> None:
    settings = Settings.load(EXAMPLE)
    assert settings.retention_days == 31
    assert settings.public_url.startswith("https://")
    assert settings.auto_migrate is False  # the unit migrates in ExecStartPre
    assert settings.db_url.startswith("sqlite+aiosqlite:///")
    documented = set(tomllib.loads(EXAMPLE.read_text()))
    assert documented <= set(Settings.model_fields)  # (the loader also forbids unknown keys)
    assert {"data_dir", "database_url", "public_url", "retention_days", "auto_migrate"} <= documented


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def relay_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPG_RELAY_")}
    env.update(
        OPG_RELAY_CONFIG=str(EXAMPLE),
        OPG_RELAY_DATA_DIR=str(tmp_path / "state"),
        OPG_RELAY_PORT=str(free_port()),
        OPG_RELAY_ARGON2_MEMORY_KIB="19456",
    )
    return env


@pytest.fixture
def running_relay(relay_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The unit's ExecStartPre and ExecStart, run as systemd would (environment from the unit)."""
    entries = unit_entries(UNIT.read_text())
    migrate = subprocess.run(
        resolve(shlex.split(entries["ExecStartPre"][0])),
        env=relay_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert "database at revision" in migrate.stdout
    server = subprocess.Popen(
        resolve(shlex.split(entries["ExecStart"][0])),
        env=relay_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        log: list[str] = []
        for line in server.stderr:  # the structured log says when the server listens
            log.append(line)
            if "Application startup complete" in line:
                break
        else:
            pytest.fail("relay exited before start-up:\n" + "".join(log))
        # Keep reading the log so the relay never blocks on a full pipe.
        drain = threading.Thread(target=log.extend, args=(server.stderr,), daemon=True)
        drain.start()
        yield relay_env
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def healthcheck(env: dict[str, str]) -> int:
    """Run the Containerfile's HEALTHCHECK command (exec form) against this machine."""
    command = instruction("HEALTHCHECK").split("CMD", 1)[1].strip()
    argv = json.loads(command)
    assert argv[0] == "python"
    return subprocess.run(
        [sys.executable, *argv[1:]], env=env, capture_output=True, timeout=30, check=False
    ).returncode


@pytest.mark.slow
def test_unit_commands_start_a_relay_passing_the_container_healthcheck(running_relay: dict[str, str]) -> None:
    assert healthcheck(running_relay) == 0
    assert (Path(running_relay["OPG_RELAY_DATA_DIR"]) / "relay.db").is_file()


def test_healthcheck_fails_without_a_relay(relay_env: dict[str, str]) -> None:
    assert healthcheck(relay_env) != 0


def test_backup_commands_in_the_operations_guide_name_the_message_tables() -> None:
    """The content-free backups of docs/operations.md drop exactly the tables that hold message content."""
    from opgelucht_relay.db import Base

    guide = (ROOT / "docs" / "operations.md").read_text()
    deleted = set(re.findall(r"DELETE FROM (\w+);", guide))
    excluded = set(re.findall(r"--exclude-table-data=(\w+)", guide))
    assert deleted == excluded == {"messages", "extra_wraps"}
    assert deleted <= set(Base.metadata.tables)
