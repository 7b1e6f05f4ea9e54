"""The ops CLI `opgelucht-relay` against a temp SQLite file, and `migrate` on PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from opgelucht_desk.protocol.keys import generate_signing_seed, signing_public_key
from opgelucht_desk.protocol.qr import parse_qr_payload
from opgelucht_relay.auth.invitations import INVITATION_RE
from opgelucht_relay.cli import main
from opgelucht_relay.migrate import head_revision
from relay.databases import pg_create_database, pg_drop_database, pg_url_for, run_async, unique_pg_name


def _run(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import os

    for key in list(os.environ):
        if key.startswith("OPG_RELAY_"):
            monkeypatch.delenv(key)
    return {"OPG_RELAY_DATA_DIR": str(tmp_path / "data"), "OPG_RELAY_PUBLIC_URL": "https://relay.example.nl"}


def test_migrate_creates_the_sqlite_database(env: dict[str, str], tmp_path: Path) -> None:
    result = _run(["migrate"], env)
    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in result.output
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "data" / "relay.db").execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert {"orgs", "counsellors", "sessions", "audit_events"} <= tables


def test_create_org_invite_and_codes(env: dict[str, str], tmp_path: Path) -> None:
    created = _run(["create-org", "Gemeente Voorbeeld"], env)
    assert created.exit_code == 0, created.output
    org_id = re.search(r"org id: ([0-9a-f-]{36})", created.output)
    invitation = re.search(r"admin invitation: (\S+)", created.output)
    assert org_id and invitation and INVITATION_RE.fullmatch(invitation.group(1))

    by_name = _run(["invite", "Gemeente Voorbeeld"], env)
    assert by_name.exit_code == 0 and "invitation: " in by_name.output
    admin = _run(["invite", org_id.group(1), "--admin"], env)
    assert admin.exit_code == 0
    db = sqlite3.connect(tmp_path / "data" / "relay.db")
    roles = sorted(r[0] for r in db.execute("SELECT role FROM invitations"))
    assert roles == ["admin", "admin", "counsellor"]
    stored = [r[0] for r in db.execute("SELECT token_hash FROM invitations")]
    assert all(isinstance(h, bytes) and len(h) == 32 for h in stored)  # hashes, not the invitations

    code = _run(["create-code", org_id.group(1), "--label", "Poster kantine"], env)
    assert code.exit_code == 0, code.output
    assert re.search(r"org code: [A-Z0-9]{10}", code.output)
    assert "qr payload" not in code.output  # no org key yet

    png = tmp_path / "join.png"
    refused = CliRunner().invoke(
        main, ["create-code", org_id.group(1), "--label", "x", "--qr-png", str(png)], env=env
    )
    assert refused.exit_code != 0
    assert "no org key" in refused.output
    assert not png.exists()

    org_key = signing_public_key(generate_signing_seed())
    db.execute("UPDATE orgs SET org_key = ?", (org_key,))
    db.commit()
    with_qr = _run(["create-code", org_id.group(1), "--label", "Intranet", "--qr-png", str(png)], env)
    assert with_qr.exit_code == 0, with_qr.output
    payload = re.search(r"qr payload: (\S+)", with_qr.output)
    assert payload is not None
    assert parse_qr_payload(payload.group(1)).matches(org_key)
    with Image.open(png) as image:
        assert image.size[0] > 100


def test_unknown_org_is_a_clear_error(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["invite", "Bestaat Niet"], env=env)
    assert result.exit_code != 0
    assert "organisation not found" in result.output


def test_bad_config_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "relay.toml"
    config.write_text("retention_days = 365\n")
    result = CliRunner().invoke(main, ["--config", str(config), "migrate"], env=env)
    assert result.exit_code != 0
    assert "invalid relay settings" in result.output


@pytest.mark.postgres
def test_migrate_on_postgresql(env: dict[str, str], pg_server: None) -> None:
    name = unique_pg_name()
    run_async(lambda: pg_create_database(name))
    try:
        result = _run(["migrate"], {**env, "OPG_RELAY_DATABASE_URL": pg_url_for(name)})
        assert result.exit_code == 0, result.output
        assert f"revision {head_revision()}" in result.output
        again = _run(["migrate"], {**env, "OPG_RELAY_DATABASE_URL": pg_url_for(name)})
        assert again.exit_code == 0
    finally:
        run_async(lambda: pg_drop_database(name))
