"""The ops data commands against a real SQLite database file (the CLI opens it like production)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from opgelucht_relay.cli import main


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"OPG_RELAY_DATA_DIR": str(tmp_path), "OPG_RELAY_DATABASE_URL": ""}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_purge_feedback_and_stats_commands(tmp_path: Path) -> None:
    code, out = run(tmp_path, "purge")
    assert code == 0 and "messages: 0" in out
    code, out = run(tmp_path, "feedback")
    assert code == 0 and out == ""
    code, out = run(tmp_path, "create-org", "Testorg")
    assert code == 0, out
    code, out = run(tmp_path, "stats", "Testorg", "2026-W44")
    assert code == 0, out
    report = json.loads(out)
    assert report["period"] == "2026-W44" and report["total"]["devices"] == 0 and report["codes"] == []
    code, out = run(tmp_path, "stats", "Testorg", "last-week")
    assert code != 0 and "YYYY-MM" in out
