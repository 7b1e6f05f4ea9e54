"""The wheel that `pip install opgelucht-desk[...]` installs (docs/operations.md, the Containerfile)
carries everything the code reads at run time: the relay's migrations and the pinned release keys.
The wheel is unpacked and imported on its own, ahead of the checkout's editable install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy, so that setuptools' build/ and egg-info never land in the shared checkout.
    source = out / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("opgelucht_desk", "opgelucht_reporter", "server", "resources"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    built = subprocess.run(
        [*pip_wheel, "-w", str(out), str(source)], capture_output=True, text=True, timeout=300, check=False
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("opgelucht_desk-*.whl")
    target = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def run_from_wheel(site: Path, code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=site.parent,
        env={**os.environ, "PYTHONPATH": str(site), **env},
    )


def test_relay_from_the_wheel_migrates_a_fresh_database(unpacked_wheel: Path, tmp_path: Path) -> None:
    code = (
        "import opgelucht_relay; from opgelucht_relay.cli import main; "
        "print(opgelucht_relay.__file__, flush=True); main()"
    )
    result = run_from_wheel(
        unpacked_wheel, code, "migrate", OPG_RELAY_DATA_DIR=str(tmp_path), OPG_RELAY_CONFIG=""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(unpacked_wheel))  # really the wheel's copy, not the checkout
    assert "database at revision" in result.stdout
    assert (tmp_path / "relay.db").is_file()


def test_app_from_the_wheel_has_its_release_keys(unpacked_wheel: Path) -> None:
    code = "import opgelucht_desk.updates as u; print(u.__file__); print(len(u.load_release_keys()))"
    result = run_from_wheel(unpacked_wheel, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(unpacked_wheel))


def test_desktop_resources_are_in_the_wheel(unpacked_wheel: Path) -> None:
    code = (
        "from opgelucht_desk.ui.resources import resource_dir, translations_dir; "
        "print(resource_dir()); print(sorted(p.name for p in translations_dir().glob('*.qm')))"
    )
    result = run_from_wheel(unpacked_wheel, code)
    assert result.returncode == 0, result.stderr
    where, qm_files = result.stdout.splitlines()
    assert where == str(unpacked_wheel / "opgelucht_desk" / "resources")  # the wheel's copy, not the checkout
    assert qm_files == "['opgelucht_en.qm', 'opgelucht_nl.qm', 'qtbase_extra_nl.qm']"
    assert (Path(where) / "style.qss").is_file()
    assert (Path(where) / "icons" / "opgelucht.png").is_file()


def test_the_reference_reporter_client_is_in_the_wheel(unpacked_wheel: Path) -> None:
    code = "import opgelucht_reporter.cli as c, opgelucht_reporter.client; print(c.__file__)"
    result = run_from_wheel(unpacked_wheel, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(unpacked_wheel))  # the wheel's copy, not the checkout
    (entry_points,) = unpacked_wheel.glob("opgelucht_desk-*.dist-info/entry_points.txt")
    assert "opgelucht-reporter = opgelucht_reporter.cli:main" in entry_points.read_text().splitlines()


def test_the_wheel_installs_only_import_packages_of_its_own(unpacked_wheel: Path) -> None:
    """No generic top-level name such as `server` that would collide with another project's."""
    packages = sorted(p.name for p in unpacked_wheel.iterdir() if (p / "__init__.py").is_file())
    assert packages == ["opgelucht_desk", "opgelucht_relay", "opgelucht_reporter"]
