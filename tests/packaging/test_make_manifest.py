"""packaging/make-manifest.py end to end, as the release workflow and IT use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from opgelucht_desk.protocol import b64e, signing_public_key

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "make-manifest.py"


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_keygen_sign_verify_and_tamper(tmp_path: Path) -> None:
    secret = tmp_path / "release.secret"
    made = run("keygen", "--secret-out", secret)
    assert made.returncode == 0, made.stderr
    assert secret.stat().st_mode & 0o077 == 0  # only the owner can read the seed
    seed_b64 = secret.read_text().strip()
    public = made.stdout.rsplit(" ", 1)[1].strip()
    from opgelucht_desk.protocol import b64d

    assert public == b64e(signing_public_key(b64d(seed_b64)))

    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "OpgeluchtDesk-1.0.0.msi").write_bytes(b"msi" * 1000)
    (dist / "OpgeluchtDesk-1.0.0.pkg").write_bytes(b"pkg" * 1000)
    manifest = dist / "manifest.json"
    env = {"OPG_RELEASE_SIGNING_KEY": seed_b64}
    signed = run(
        "sign",
        "--version", "1.0.0",
        "--artefact", f"windows-x86_64={dist / 'OpgeluchtDesk-1.0.0.msi'}",
        "--artefact", f"macos-arm64={dist / 'OpgeluchtDesk-1.0.0.pkg'}",
        "--out", manifest,
        "--allow-unpinned-key",
        env=env,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr

    ok = run("verify", manifest, "--installed", "0.9.0", "--public-key", public, "--artefact-dir", dist)
    assert ok.returncode == 0, ok.stderr
    assert "manifest OK: version 1.0.0, 2 artefact(s)" in ok.stdout

    rollback = run("verify", manifest, "--installed", "1.0.0", "--public-key", public)
    assert rollback.returncode == 1
    assert "downgrade is refused" in rollback.stderr

    other = run("verify", manifest, "--installed", "0.9.0", "--public-key", b64e(bytes(32)))
    assert other.returncode == 1
    assert "not signed by the Opgelucht release key" in other.stderr

    (dist / "OpgeluchtDesk-1.0.0.pkg").write_bytes(b"PKG" * 1000)
    tampered = run("verify", manifest, "--installed", "0.9.0", "--public-key", public, "--artefact-dir", dist)
    assert tampered.returncode == 1
    assert "SHA-256 differs" in tampered.stderr


def test_sign_refuses_a_key_the_app_does_not_pin(tmp_path: Path) -> None:
    artefact = tmp_path / "a.msi"
    artefact.write_bytes(b"x")
    result = run(
        "sign", "--version", "1.0.0", "--artefact", f"windows-x86_64={artefact}",
        "--out", tmp_path / "m.json",
        env={"OPG_RELEASE_SIGNING_KEY": b64e(bytes(range(32)))},
    )  # fmt: skip
    assert result.returncode != 0
    assert "not pinned in opgelucht_desk/release_keys.json" in result.stderr
    assert not (tmp_path / "m.json").exists()


def test_sign_without_key_says_what_to_set(tmp_path: Path) -> None:
    result = run(
        "sign", "--version", "1.0.0", "--artefact", "linux-x86_64=x", "--out", tmp_path / "m.json",
        env={"OPG_RELEASE_SIGNING_KEY": ""},
    )  # fmt: skip
    assert result.returncode != 0
    assert "set OPG_RELEASE_SIGNING_KEY" in result.stderr
