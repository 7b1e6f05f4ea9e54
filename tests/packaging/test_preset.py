"""The IT presets of the relay URL and the update check: environment, macOS managed preferences and the
Linux file parse, in order, and a broken preset is a clear error instead of a silent fallback."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from opgelucht_desk.preset import (
    ENV_VAR,
    UPDATE_URL_ENV_VAR,
    UPDATES_ENV_VAR,
    PresetError,
    RelayPreset,
    UpdatePreset,
    normalise_relay_url,
    relay_url_preset,
    update_preset,
)
from opgelucht_desk.update_check import DEFAULT_MANIFEST_URL, UpdatePolicy

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


def preset(tmp_path: Path, platform: str, environ: dict[str, str] | None = None) -> RelayPreset | None:
    return relay_url_preset(
        environ=environ or {},
        platform=platform,
        macos_plist=tmp_path / "nl.opgelucht.desk.plist",
        linux_config=tmp_path / "config.toml",
    )


def test_nothing_configured_gives_none(tmp_path: Path) -> None:
    for platform in ("linux", "darwin", "freebsd14"):
        assert preset(tmp_path, platform) is None


def test_environment_wins_over_the_system_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('relay_url = "https://file.example.nl"\n')
    found = preset(tmp_path, "linux", {ENV_VAR: " https://env.example.nl/ "})
    assert found == RelayPreset("https://env.example.nl", f"environment variable {ENV_VAR}")


def test_linux_toml_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '# set by IT\nrelay_url = "https://relay.zorg.example.nl:8443/opg/"\n'
    )
    found = preset(tmp_path, "linux")
    assert found is not None
    assert found.url == "https://relay.zorg.example.nl:8443/opg"
    assert found.source == str(tmp_path / "config.toml")


def test_linux_toml_without_the_key_is_no_preset(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("other = 1\n")
    assert preset(tmp_path, "linux") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("relay_url = https://x\n", "not valid TOML"),
        ("relay_url = 42\n", "must be a quoted string"),
        ('relay_url = "ftp://relay.example.nl"\n', "must look like https://"),
        ('relay_url = "http://relay.example.nl"\n', "must use https://"),
        ('relay_url = "https://user:pw@relay.example.nl"\n', "must not contain credentials"),
        ('relay_url = "https://relay.example.nl:99999"\n', "not a valid URL"),
        ('relay_url = ""\n', "must look like https://"),
    ],
)
def test_broken_linux_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "config.toml").write_text(content)
    with pytest.raises(PresetError, match=message) as info:
        preset(tmp_path, "linux")
    assert "config.toml" in str(info.value)


def test_unreadable_linux_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_bytes(b'relay_url = "\xff"')
    with pytest.raises(PresetError, match="cannot read"):
        preset(tmp_path, "linux")


@pytest.mark.parametrize("fmt", [plistlib.FMT_XML, plistlib.FMT_BINARY])
def test_macos_managed_preferences(tmp_path: Path, fmt: plistlib.PlistFormat) -> None:
    prefs = {"RelayUrl": "https://relay.example.nl", "PayloadType": "nl.opgelucht.desk"}
    (tmp_path / "nl.opgelucht.desk.plist").write_bytes(plistlib.dumps(prefs, fmt=fmt))
    assert preset(tmp_path, "darwin") == RelayPreset(
        "https://relay.example.nl", "managed preference nl.opgelucht.desk"
    )


def test_macos_plist_without_key_or_with_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "nl.opgelucht.desk.plist"
    path.write_bytes(plistlib.dumps({"Other": 1}))
    assert preset(tmp_path, "darwin") is None
    path.write_bytes(plistlib.dumps({"RelayUrl": ["https://a"]}))
    with pytest.raises(PresetError, match="must be a string"):
        preset(tmp_path, "darwin")
    path.write_bytes(b"garbage")
    with pytest.raises(PresetError, match="not a valid property list"):
        preset(tmp_path, "darwin")


def test_shipped_configuration_profile_sets_the_key_the_app_reads(tmp_path: Path) -> None:
    """The example .mobileconfig carries RelayUrl for nl.opgelucht.desk; what MDM writes, the app reads."""
    profile = plistlib.loads((PACKAGING / "macos" / "nl.opgelucht.desk.mobileconfig").read_bytes())
    assert profile["PayloadType"] == "Configuration"
    assert profile["PayloadScope"] == "System"
    (payload,) = profile["PayloadContent"]
    assert payload["PayloadType"] == "nl.opgelucht.desk"
    managed = {k: v for k, v in payload.items() if not k.startswith("Payload")}
    (tmp_path / "nl.opgelucht.desk.plist").write_bytes(plistlib.dumps(managed))
    found = preset(tmp_path, "darwin")
    assert found is not None
    assert found.url.startswith("https://")
    uuids = {profile["PayloadUUID"], payload["PayloadUUID"]}
    assert len(uuids) == 2


def test_http_only_for_this_computer() -> None:
    assert normalise_relay_url("http://127.0.0.1:8080/", "test") == "http://127.0.0.1:8080"
    assert normalise_relay_url("http://localhost:8080", "test") == "http://localhost:8080"
    with pytest.raises(PresetError, match="must use https"):
        normalise_relay_url("http://10.0.0.5:8080", "test")


def test_registry_is_not_consulted_off_windows(tmp_path: Path) -> None:
    # On Linux the Windows branch has no registry to read and answers "no preset" rather than crashing.
    assert preset(tmp_path, "win32") is None


def updates(tmp_path: Path, platform: str, environ: dict[str, str] | None = None) -> UpdatePreset:
    return update_preset(
        environ=environ or {},
        platform=platform,
        macos_plist=tmp_path / "nl.opgelucht.desk.plist",
        linux_config=tmp_path / "config.toml",
    )


def test_updates_default_to_on_at_the_builds_own_location(tmp_path: Path) -> None:
    for platform in ("linux", "darwin", "win32", "freebsd14"):
        assert updates(tmp_path, platform) == UpdatePreset(enabled=True, manifest_url=None, source=None)
    policy = UpdatePolicy.from_preset(lambda: updates(tmp_path, "linux"))
    assert policy.allowed and policy.manifest_url == DEFAULT_MANIFEST_URL


def test_linux_file_turns_updates_off_or_points_elsewhere(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('relay_url = "https://relay.example.nl"\nupdates = "off"\n')
    assert updates(tmp_path, "linux") == UpdatePreset(False, None, f"updates in {config}")
    config.write_text("updates = false\n")
    assert not updates(tmp_path, "linux").enabled
    config.write_text('update_url = "https://mirror.example.nl/desk/manifest.json"\nupdates = "On"\n')
    found = updates(tmp_path, "linux")
    assert (found.enabled, found.manifest_url) == (True, "https://mirror.example.nl/desk/manifest.json")
    policy = UpdatePolicy.from_preset(lambda: found)
    assert policy.manifest_url == "https://mirror.example.nl/desk/manifest.json"


def test_environment_wins_per_value(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('updates = "on"\nupdate_url = "https://file.example.nl/m.json"\n')
    found = updates(tmp_path, "linux", {UPDATES_ENV_VAR: "off"})
    assert found == UpdatePreset(
        False, "https://file.example.nl/m.json", f"environment variable {UPDATES_ENV_VAR}"
    )
    found = updates(tmp_path, "linux", {UPDATE_URL_ENV_VAR: "http://127.0.0.1:9/m.json"})
    assert (found.enabled, found.manifest_url) == (True, "http://127.0.0.1:9/m.json")


def test_macos_managed_preferences_turn_updates_off(tmp_path: Path) -> None:
    path = tmp_path / "nl.opgelucht.desk.plist"
    path.write_bytes(plistlib.dumps({"RelayUrl": "https://relay.example.nl", "Updates": False}))
    assert updates(tmp_path, "darwin") == UpdatePreset(
        False, None, "managed preference nl.opgelucht.desk Updates"
    )
    path.write_bytes(plistlib.dumps({"Updates": "off", "UpdateUrl": "https://mirror.example.nl/m.json"}))
    assert updates(tmp_path, "darwin").manifest_url == "https://mirror.example.nl/m.json"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('updates = "nee"\n', 'must be "on" or "off"'),
        ("updates = 2\n", 'must be "on" or "off"'),
        ('update_url = "http://mirror.example.nl/m.json"\n', "must use https"),
        ('update_url = "https://mirror.example.nl/m.json?user=x"\n', "must not contain"),
        ("update_url = 1\n", "must be a text value"),
    ],
)
def test_a_broken_update_preset_is_an_error_and_turns_the_check_off(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "config.toml").write_text(content)
    with pytest.raises(PresetError, match=message):
        updates(tmp_path, "linux")
    policy = UpdatePolicy.from_preset(lambda: updates(tmp_path, "linux"))
    assert not policy.allowed and policy.problem is not None and message.split()[0] in policy.problem
