"""`opgelucht-desk` start-up: the packaging smoke test and a clear error without a secure keyring."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }


def test_smoke_test_shows_the_enrolment_window_with_a_real_keyring(tmp_path: Path) -> None:
    """As packaging/smoke-test-linux.sh does for the bundle: a throwaway GNOME keyring on a private
    D-Bus session, a fresh data directory, so the first window is the enrolment wizard."""
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: apt-get install dbus-daemon gnome-keyring")
    script = 'printf smoke | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'
    result = subprocess.run(
        [
            "dbus-run-session",
            "--",
            "sh",
            "-c",
            script,
            "sh",
            sys.executable,
            "-m",
            "opgelucht_desk",
            "--smoke-test",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "smoke test: EnrolmentWizard shown" in result.stdout


def test_without_a_secure_keyring_the_app_names_the_fix_and_exits(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    result = subprocess.run(
        [sys.executable, "-m", "opgelucht_desk", "--smoke-test", "--data-dir", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3
    assert "cannot store its keys safely" in result.stderr
    assert "Traceback" not in result.stderr
    assert not os.path.exists(tmp_path / "data" / "account.json")


def test_the_app_and_the_core_use_one_data_directory(tmp_path: Path) -> None:
    """The UI's default data directory is the core's default_data_dir(), whatever platformdirs says."""
    from opgelucht_desk.__main__ import parse_args
    from opgelucht_desk.core.desk import default_data_dir

    assert parse_args([]).data_dir == default_data_dir()
    assert default_data_dir().name == "Opgelucht Desk"  # where earlier versions of the app kept it
    assert parse_args(["--data-dir", str(tmp_path)]).data_dir == tmp_path
