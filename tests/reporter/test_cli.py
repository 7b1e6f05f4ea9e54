"""The `opgelucht-reporter` command line: clear errors without a relay or state (the relay flow itself is
covered through the same client in test_client_relay.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from opgelucht_reporter.cli import main


def test_commands_are_listed() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("join", "say", "read", "events", "feedback", "export", "forget"):
        assert command in result.output


def test_using_it_before_joining_gives_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    result = CliRunner().invoke(main, ["--state", str(state), "say", "hallo"])
    assert result.exit_code == 1
    assert "not joined yet" in result.output
    assert not state.exists()


def test_typed_code_needs_a_relay(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--state", str(tmp_path / "s.json"), "join", "ABCDEFGHJK"])
    assert result.exit_code == 1
    assert "relay URL" in result.output


def test_bad_qr_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--state", str(tmp_path / "s.json"), "join", "opgelucht://join?code=X"]
    )
    assert result.exit_code == 1
    assert "Error" in result.output
