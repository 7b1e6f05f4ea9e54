"""The release workflow and the platform recipes fit together: the YAML parses, every script it runs
exists and is executable, every secret it reads is documented, the update manifest covers known
platforms, the shell scripts are valid, and the macOS identifiers and entitlements are what the app and
the MDM profile expect."""

from __future__ import annotations

import plistlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from opgelucht_desk.preset import MACOS_DOMAIN
from opgelucht_desk.updates import PLATFORMS

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
PACKAGING = ROOT / "packaging"
SHELL_SCRIPTS = sorted(PACKAGING.rglob("*.sh"))


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def steps(job: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = workflow()["jobs"][job]["steps"]
    return result


def run_blocks() -> str:
    return "\n".join(step.get("run", "") for job in workflow()["jobs"] for step in steps(job))


def test_workflow_parses_and_builds_on_each_platform() -> None:
    data = workflow()
    triggers: dict[str, Any] = data["on"] if "on" in data else data[True]  # YAML 1.1: bare `on` is true
    assert triggers["push"]["tags"] == ["v*.*.*"]
    jobs = data["jobs"]
    assert jobs["windows"]["runs-on"] == "windows-latest"
    assert jobs["macos"]["runs-on"] == "macos-latest"
    assert jobs["linux"]["runs-on"].startswith("ubuntu-")
    assert set(jobs["publish"]["needs"]) == {"version", "linux", "windows", "macos"}
    assert data["permissions"] == {"contents": "read"}  # write only where the release is created
    assert jobs["publish"]["permissions"] == {"contents": "write"}
    for job in jobs.values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]


def test_every_script_the_workflow_runs_exists_and_is_executable() -> None:
    scripts = set(re.findall(r"(?:\./)?(packaging/[\w./-]+\.(?:sh|ps1|py))", run_blocks()))
    assert scripts, "the workflow runs no packaging script"
    for script in scripts:
        path = ROOT / script
        assert path.is_file(), script
        if path.suffix == ".sh":
            assert path.stat().st_mode & 0o111, f"{script} is not executable"
    assert {
        "packaging/build-linux.sh",
        "packaging/windows/build.ps1",
        "packaging/macos/build-app.sh",
        "packaging/macos/notarize.sh",
        "packaging/make-manifest.py",
    } <= scripts


def test_every_secret_is_documented() -> None:
    used = set(re.findall(r"secrets\.([A-Z0-9_]+)", WORKFLOW.read_text()))
    assert used
    readme = (PACKAGING / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    assert used == documented


def test_manifest_step_names_known_platforms_and_the_artefacts_the_jobs_upload() -> None:
    publish = "\n".join(step.get("run", "") for step in steps("publish"))
    pairs = re.findall(r'--artefact "([\w-]+)=dist/([^"]+)"', publish)
    assert {platform for platform, _ in pairs} <= PLATFORMS
    assert len(pairs) == 3
    uploads = [
        step["with"]["path"]
        for job in ("linux", "windows", "macos")
        for step in steps(job)
        if "upload-artifact" in step.get("uses", "")
    ]
    patterns = [p.strip().removeprefix("dist/") for block in uploads for p in block.split()]
    for _, name in pairs:
        concrete = name.replace("$v", "1.2.3")
        assert any(Path(concrete).match(pattern) for pattern in patterns), concrete
    assert "make-manifest.py verify" in publish


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: str(p.relative_to(PACKAGING)))
def test_shell_scripts_are_valid(script: Path) -> None:
    assert script.read_text().startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script.read_text()
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True, check=False).returncode == 0
    if shutil.which("shellcheck"):
        lint = subprocess.run(["shellcheck", "-x", str(script)], capture_output=True, text=True, check=False)
        assert lint.returncode == 0, lint.stdout


def test_macos_bundle_identifier_matches_the_managed_preference_domain() -> None:
    spec = (PACKAGING / "opgelucht-desk.spec").read_text()
    assert f'APP_ID = "{MACOS_DOMAIN}"' in spec
    profile = plistlib.loads((PACKAGING / "macos" / "nl.opgelucht.desk.mobileconfig").read_bytes())
    assert profile["PayloadContent"][0]["PayloadType"] == MACOS_DOMAIN


def test_hardened_runtime_entitlements_grant_no_exception() -> None:
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements  # the keys are listed explicitly so that a reviewer sees each is off
    assert all(value is False for value in entitlements.values())
    build = (PACKAGING / "macos" / "build-app.sh").read_text()
    assert "--options runtime" in build
    assert "--timestamp" in build


def test_macos_release_steps_sign_notarise_and_staple() -> None:
    notarize = (PACKAGING / "macos" / "notarize.sh").read_text()
    assert "notarytool submit" in notarize
    assert "--wait" in notarize
    assert "stapler staple" in notarize
    assert "spctl --assess" in notarize
    pkg = (PACKAGING / "macos" / "make-pkg.sh").read_text()
    assert "BundleIsRelocatable -bool NO" in pkg
    assert "pkgutil --check-signature" in pkg
