"""The Linux one-folder bundle: packaging/build-linux.sh builds it with the PyInstaller recipe, and the
bundle starts offscreen in a clean environment, shows its first window and exits 0 (--smoke-test), with
Qt's platform plugins, our translations and the pinned release keys inside and the relay and the
development keyrings left out."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SMOKE_TIMEOUT_S = 60

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("PyInstaller") is None, reason="needs the packaging extra (pyinstaller)"
    ),
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("dbus-run-session", "gnome-keyring-daemon")),
        reason="the smoke test needs a real Secret Service: apt-get install dbus-daemon gnome-keyring",
    ),
]


@pytest.fixture(scope="session")
def linux_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per test run by the same script a release uses (which smoke-tests it too)."""
    out = tmp_path_factory.mktemp("linux-bundle")
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DIST_DIR": str(out / "dist"),
        "WORK_DIR": str(out / "work"),
    }
    built = subprocess.run(
        [str(PACKAGING / "build-linux.sh")], env=env, capture_output=True, text=True, timeout=420, check=False
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "build-linux: OK" in built.stdout
    return out / "dist" / "opgelucht-desk"


@pytest.mark.timeout(600)
def test_bundle_starts_offscreen_and_exits_cleanly(linux_bundle: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [str(PACKAGING / "smoke-test-linux.sh"), str(linux_bundle), str(SMOKE_TIMEOUT_S)],
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S + 30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test: " in result.stdout
    assert "shown" in result.stdout
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < SMOKE_TIMEOUT_S


@pytest.mark.timeout(600)
def test_bundle_packs_archive_and_resources(linux_bundle: Path) -> None:
    archives = list(linux_bundle.parent.glob("opgelucht-desk-*-linux-x86_64.tar.gz"))
    assert len(archives) == 1
    internal = linux_bundle / "_internal"
    platforms = {p.name for p in (internal / "PySide6" / "Qt" / "plugins" / "platforms").iterdir()}
    assert {"libqoffscreen.so", "libqxcb.so", "libqwayland.so"} <= platforms
    ours = {p.name for p in (ROOT / "resources" / "i18n").glob("*.qm")}
    assert ours, "no compiled translations in resources/i18n"
    assert {p.name for p in (internal / "resources" / "i18n").iterdir()} == ours  # .qm only, no .ts sources
    assert (internal / "PySide6" / "Qt" / "translations" / "qtbase_nl.qm").is_file()
    assert (internal / "resources" / "style.qss").is_file()
    assert not list(internal.rglob("libgtk-3.so*"))  # the user's GTK, never the build machine's
    assert not list(internal.rglob("libqgtk3.so"))
    assert (internal / "opgelucht_desk" / "release_keys.json").read_bytes() == (
        ROOT / "opgelucht_desk" / "release_keys.json"
    ).read_bytes()


@pytest.mark.timeout(600)
def test_bundle_leaves_out_the_relay_and_development_keyrings(linux_bundle: Path) -> None:
    listing = subprocess.run(
        [
            str(Path(sys.executable).parent / "pyi-archive_viewer"),
            "--recursive",
            "--brief",
            str(linux_bundle / "opgelucht-desk"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert listing.returncode == 0, listing.stderr
    modules = {line.strip() for line in listing.stdout.splitlines()}
    assert "opgelucht_desk.preset" in modules
    assert "keyring.backends.SecretService" in modules
    top_level = {name.split(".")[0] for name in modules}
    for unwanted in ("opgelucht_relay", "fastapi", "uvicorn", "sqlalchemy", "keyrings", "pytest"):
        assert unwanted not in top_level, f"{unwanted} must not be in the desktop bundle"


@pytest.mark.timeout(600)
def test_bundle_menu_entry_points_into_the_installed_bundle(linux_bundle: Path) -> None:
    entry = linux_bundle / "opgelucht-desk.desktop"
    fields = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line)
    install_dir = Path("/opt/opgelucht-desk")  # where docs/install-it.md unpacks the archive
    assert (linux_bundle / Path(fields["Exec"]).relative_to(install_dir)).is_file()
    assert (linux_bundle / Path(fields["Icon"]).relative_to(install_dir)).is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout
        assert check.stdout.strip() == "", check.stdout
