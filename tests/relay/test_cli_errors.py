"""Issue 9 item 6: every ``opgelucht-relay`` error is one line on stderr and exit code 2, no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from opgelucht_relay.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key in list(os.environ):
        if key.startswith("OPG_RELAY_"):
            monkeypatch.delenv(key)
    return {"OPG_RELAY_DATA_DIR": str(tmp_path / "data"), "OPG_RELAY_PUBLIC_URL": "https://relay.example.nl"}


def _fails_in_one_line(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(main, list(args), env=env)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"{args} raised {result.exception!r}"
    )
    assert result.exit_code == 2, (args, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), (args, result.stderr)
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "9999-W52", "2027-W53", "2026-13", "٢٠٢٦-01", "x"])
def test_stats_with_a_bad_period(env: dict[str, str], period: str) -> None:
    assert CliRunner().invoke(main, ["create-org", "Org A"], env=env).exit_code == 0
    assert "PERIOD" in _fails_in_one_line(env, "stats", "Org A", period)


def test_unknown_org_unfinished_period_and_bad_names(env: dict[str, str]) -> None:
    assert "organisation not found" in _fails_in_one_line(env, "stats", "Nope", "2026-01")
    assert "organisation not found" in _fails_in_one_line(env, "invite", "Nope")
    assert CliRunner().invoke(main, ["create-org", "Org A"], env=env).exit_code == 0
    assert "published once the period has ended" in _fails_in_one_line(env, "stats", "Org A", "9998-01")
    assert "NAME" in _fails_in_one_line(env, "create-org", " ")
    assert "--label" in _fails_in_one_line(env, "create-code", "Org A", "--label", " ")
    no_key = _fails_in_one_line(env, "create-code", "Org A", "--label", "x", "--qr-png", "q.png")
    assert "no org key" in no_key


@pytest.mark.parametrize(
    "args",
    [
        ["stats", "Org A"],  # a missing argument
        ["stats", "Org A", "2026-01", "extra"],  # one too many
        ["create-org"],
        ["no-such-command"],
        ["--no-such-option", "migrate"],  # the group's own options
        ["serve", "--port", "not-a-number"],
        ["serve", "--workers", "2"],  # a usage error raised by the command itself (SQLite)
    ],
)
def test_a_mistyped_command_line_is_one_line_pointing_to_help(env: dict[str, str], args: list[str]) -> None:
    line = _fails_in_one_line(env, *args)
    assert "--help" in line and "Usage:" not in line


@pytest.mark.parametrize(
    "name", ["Org\x1b[31mA", "Org\nA", "Org\u202eA", "Org\x7fA", "Org\ue000A", "Org\u2028A"]
)
def test_an_org_name_with_control_or_direction_characters_is_refused(env: dict[str, str], name: str) -> None:
    assert "NAME" in _fails_in_one_line(env, "create-org", name)
    assert "organisation not found" in _fails_in_one_line(env, "invite", name)


def test_a_persian_name_with_a_zero_width_non_joiner_is_a_name(env: dict[str, str]) -> None:
    assert (
        CliRunner()
        .invoke(main, ["create-org", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"], env=env)
        .exit_code
        == 0
    )


def test_database_unreachable(env: dict[str, str], tmp_path: Path) -> None:
    closed = {**env, "OPG_RELAY_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/nope"}
    for args in (["migrate"], ["purge"], ["feedback"], ["stats", "Org", "2026-01"], ["invite", "Org"]):
        assert "cannot reach the database" in _fails_in_one_line(closed, *args)
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    assert "database" in _fails_in_one_line({**env, "OPG_RELAY_DATA_DIR": str(not_a_dir / "sub")}, "purge")


def test_invalid_settings_name_the_field_not_the_value(env: dict[str, str], tmp_path: Path) -> None:
    line = _fails_in_one_line({**env, "OPG_RELAY_RETENTION_DAYS": "secret-canary-77"}, "purge")
    assert "retention_days" in line and "secret-canary-77" not in line
    bad = tmp_path / "bad.toml"
    bad.write_text("x = [\n")
    assert "invalid relay settings" in _fails_in_one_line(env, "--config", str(bad), "purge")
