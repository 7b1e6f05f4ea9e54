"""Settings: defaults, TOML file, environment overrides, and production argon2 costs."""

from __future__ import annotations

from pathlib import Path

import argon2
import pytest
from pydantic import ValidationError

from opgelucht_relay.auth.passwords import PasswordHasher
from opgelucht_relay.config import ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_TIME_COST, Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("OPG_RELAY_"):
            monkeypatch.delenv(key)


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.load(None, data_dir=tmp_path)
    assert settings.retention_days == 31
    assert settings.session_idle_minutes == 30 and settings.session_absolute_hours == 12
    assert settings.invitation_days == 7
    assert settings.db_url == f"sqlite+aiosqlite:///{tmp_path / 'relay.db'}"
    assert settings.max_body_bytes == 64 * 1024 and settings.max_message_body_bytes == 1024 * 1024


def test_production_argon2_profile_meets_the_minimum() -> None:
    params = PasswordHasher.from_settings(Settings.load(None)).parameters
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19 * 1024 == ARGON2_MIN_MEMORY_KIB
    assert params.time_cost >= 2 == ARGON2_MIN_TIME_COST


def test_toml_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "relay.toml"
    config.write_text('port = 9000\nretention_days = 14\npublic_url = "https://relay.example.org"\n')
    settings = Settings.load(config)
    assert (settings.port, settings.retention_days) == (9000, 14)
    monkeypatch.setenv("OPG_RELAY_PORT", "9100")
    monkeypatch.setenv("OPG_RELAY_CONFIG", str(config))
    settings = Settings.load()
    assert settings.port == 9100  # the environment wins over the file
    assert settings.public_url == "https://relay.example.org"


def test_invalid_settings_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "relay.toml"
    config.write_text("retention_days = 90\n")  # the 31-day promise cannot be configured away
    with pytest.raises(ValidationError):
        Settings.load(config)
    config.write_text("no_such_setting = 1\n")
    with pytest.raises(ValidationError):
        Settings.load(config)
    config.write_text('public_url = "http://relay.example.nl"\n')  # plain http only on loopback
    with pytest.raises(ValidationError):
        Settings.load(config)
    with pytest.raises(FileNotFoundError):
        Settings.load(tmp_path / "missing.toml")
