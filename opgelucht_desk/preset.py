"""Settings preset by IT: the relay URL and the update check, each read from the first place that has it
(Qt-free).

Order (first match wins):

1. environment variable ``OPGELUCHT_RELAY_URL`` (tests, portable use),
2. Windows registry value ``RelayUrl`` under ``Software\\Opgelucht\\Desk``, first ``HKEY_LOCAL_MACHINE``
   (written by the MSI property ``RELAY_URL``), then ``HKEY_CURRENT_USER``; an empty value is "not set",
3. macOS managed preferences: key ``RelayUrl`` in ``/Library/Managed Preferences/nl.opgelucht.desk.plist``
   (pushed by an MDM configuration profile for the domain ``nl.opgelucht.desk``),
4. Linux: ``relay_url = "https://…"`` in ``/etc/opgelucht-desk/config.toml``.

A source that is present but unusable (unreadable file, wrong type, not an https URL) raises
`PresetError` naming the source and the fix, instead of silently falling through to a later source:
IT set it on purpose and must learn that it does not work. No source at all gives ``None``; the login
window then asks for the URL.

The update check (`update_preset`, docs/install-it.md) reads two more values from the same places, each
on its own (environment first, then the system's source): ``Updates`` = ``off``/``on`` (registry also
REG_DWORD 0/1, plist and TOML also a boolean) and ``UpdateUrl`` = the signed manifest's https URL
(``OPGELUCHT_UPDATES``/``OPGELUCHT_UPDATE_URL``; in the Linux file ``updates`` and ``update_url``).
"""

from __future__ import annotations

import os
import plistlib
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ENV_VAR = "OPGELUCHT_RELAY_URL"
REGISTRY_KEY = r"Software\Opgelucht\Desk"
REGISTRY_VALUE = "RelayUrl"
MACOS_DOMAIN = "nl.opgelucht.desk"
MACOS_KEY = "RelayUrl"
MACOS_MANAGED_PLIST = Path("/Library/Managed Preferences") / f"{MACOS_DOMAIN}.plist"
LINUX_CONFIG = Path("/etc/opgelucht-desk/config.toml")
LINUX_KEY = "relay_url"
UPDATES_ENV_VAR = "OPGELUCHT_UPDATES"
UPDATE_URL_ENV_VAR = "OPGELUCHT_UPDATE_URL"
UPDATES_VALUE = "Updates"  # registry value and macOS key
UPDATE_URL_VALUE = "UpdateUrl"
LINUX_UPDATES_KEY = "updates"
LINUX_UPDATE_URL_KEY = "update_url"

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class PresetError(Exception):
    """An IT preset exists but cannot be used; the message names the source and what is wrong."""


@dataclass(frozen=True)
class RelayPreset:
    """A preset relay URL and where it came from (shown as "set by your IT department: <source>")."""

    url: str
    source: str


@dataclass(frozen=True)
class UpdatePreset:
    """What IT preset for the update check: on or off, another manifest URL, and where that came from."""

    enabled: bool = True
    manifest_url: str | None = None  # None: the build's own release location
    source: str | None = None  # where the switch (or else the URL) was set; None: nothing preset


def relay_url_preset(
    *,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    macos_plist: Path = MACOS_MANAGED_PLIST,
    linux_config: Path = LINUX_CONFIG,
) -> RelayPreset | None:
    """The IT-preset relay URL, or ``None`` when no source sets one.

    The keyword arguments exist for tests; the app calls ``relay_url_preset()``.
    """
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR, "").strip()
    if value:
        return RelayPreset(normalise_relay_url(value, ENV_VAR), f"environment variable {ENV_VAR}")

    system = sys.platform if platform is None else platform
    if system == "win32":
        return _from_registry()
    if system == "darwin":
        return read_macos_plist(macos_plist)
    if system.startswith("linux"):
        return read_linux_config(linux_config)
    return None


def read_macos_plist(path: Path) -> RelayPreset | None:
    """The ``RelayUrl`` of a managed-preferences plist (binary or XML), or ``None`` without one."""
    prefs = _load_plist(path)
    if prefs is None or MACOS_KEY not in prefs:
        return None
    value = prefs[MACOS_KEY]
    if not isinstance(value, str):
        raise PresetError(f"{MACOS_KEY} in {path} must be a string, not {type(value).__name__}")
    return RelayPreset(normalise_relay_url(value, str(path)), f"managed preference {MACOS_DOMAIN}")


def read_linux_config(path: Path) -> RelayPreset | None:
    """The ``relay_url`` of the system-wide TOML file, or ``None`` without one."""
    config = _load_toml(path)
    if config is None or LINUX_KEY not in config:
        return None
    value = config[LINUX_KEY]
    if not isinstance(value, str):
        raise PresetError(f'{LINUX_KEY} in {path} must be a quoted string, e.g. relay_url = "https://…"')
    return RelayPreset(normalise_relay_url(value, str(path)), str(path))


def normalise_relay_url(value: str, source: str) -> str:
    """``value`` as a relay base URL (``https://host[:port][/path]`` without trailing slash).

    Plain http is accepted only for a relay on this computer (development); a preset must never send a
    counsellor's traffic unencrypted over a network.
    """
    return _https_url(value, source, "relay URL", "https://relay.example.nl").rstrip("/")


def normalise_update_url(value: str, source: str) -> str:
    """``value`` as the URL of the signed update manifest (the same rules as the relay URL)."""
    return _https_url(value, source, "update URL", "https://updates.example.nl/manifest.json")


def update_preset(
    *,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    macos_plist: Path = MACOS_MANAGED_PLIST,
    linux_config: Path = LINUX_CONFIG,
) -> UpdatePreset:
    """IT's update settings; each value from the environment first, then from the system's source.

    Raises `PresetError` for a value that is set but unusable (the app then does not check at all).
    The keyword arguments exist for tests; the app calls ``update_preset()``.
    """
    env = os.environ if environ is None else environ
    found: dict[str, tuple[object, str]] = {}
    for key, var in (("switch", UPDATES_ENV_VAR), ("url", UPDATE_URL_ENV_VAR)):
        value = env.get(var, "").strip()
        if value:
            found[key] = (value, f"environment variable {var}")
    system = sys.platform if platform is None else platform
    if system == "win32":
        system_values = _update_values_from_registry()
    elif system == "darwin":
        prefs = _load_plist(macos_plist) or {}
        where = f"managed preference {MACOS_DOMAIN}"
        system_values = {
            key: (prefs[name], f"{where} {name}")
            for key, name in (("switch", UPDATES_VALUE), ("url", UPDATE_URL_VALUE))
            if name in prefs
        }
    elif system.startswith("linux"):
        config = _load_toml(linux_config) or {}
        system_values = {
            key: (config[name], f"{name} in {linux_config}")
            for key, name in (("switch", LINUX_UPDATES_KEY), ("url", LINUX_UPDATE_URL_KEY))
            if name in config
        }
    else:
        system_values = {}
    for key, entry in system_values.items():
        found.setdefault(key, entry)
    enabled, url, source = True, None, None
    if "url" in found:
        raw, source = found["url"]
        if not isinstance(raw, str):
            raise PresetError(f"{source} must be a text value (an https:// URL)")
        url = normalise_update_url(raw, source)
    if "switch" in found:
        raw, source = found["switch"]
        enabled = _switch(raw, source)
    return UpdatePreset(enabled=enabled, manifest_url=url, source=source)


def _switch(value: object, source: str) -> bool:
    """``on``/``off`` (any case), a boolean, or the numbers 1/0 (a registry DWORD)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value.strip().lower() in {"on", "off"}:
        return value.strip().lower() == "on"
    raise PresetError(f'{source} must be "on" or "off", got {value!r}')


def _https_url(value: str, source: str, what: str, example: str) -> str:
    text = value.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise PresetError(f"{what} from {source} is not a valid URL: {text!r}") from exc
    if not host or parts.scheme not in {"https", "http"}:
        raise PresetError(f"{what} from {source} must look like {example}, got {text!r}")
    if parts.scheme == "http" and host not in _LOOPBACK_HOSTS:
        raise PresetError(f"{what} from {source} must use https:// (http only for localhost), got {text!r}")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise PresetError(f"{what} from {source} must not contain credentials, a query or a fragment")
    return text


def _load_plist(path: Path) -> dict[str, object] | None:
    """A managed-preferences plist as a dict; ``None`` when there is none (or it is not a dict)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PresetError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        prefs = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, TypeError) as exc:
        raise PresetError(
            f"{path} is not a valid property list; reinstall the configuration profile"
        ) from exc
    return prefs if isinstance(prefs, dict) else None


def _load_toml(path: Path) -> dict[str, object] | None:
    """The system-wide TOML file as a dict; ``None`` when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PresetError(f"cannot read {path}: {exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{path} is not valid TOML: {exc}") from exc


def _update_values_from_registry() -> dict[str, tuple[object, str]]:
    """``Updates`` and ``UpdateUrl`` from HKLM, then HKCU (Windows only); empty values count as unset."""
    if sys.platform != "win32":
        return {}
    import winreg

    found: dict[str, tuple[object, str]] = {}
    for key, name in (("switch", UPDATES_VALUE), ("url", UPDATE_URL_VALUE)):
        for hive, hive_name in ((winreg.HKEY_LOCAL_MACHINE, "HKLM"), (winreg.HKEY_CURRENT_USER, "HKCU")):
            where = f"{hive_name}\\{REGISTRY_KEY}\\{name}"
            try:
                with winreg.OpenKey(hive, REGISTRY_KEY) as handle:
                    value, kind = winreg.QueryValueEx(handle, name)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise PresetError(f"cannot read {where}: {exc}") from exc
            if kind not in (winreg.REG_SZ, winreg.REG_EXPAND_SZ, winreg.REG_DWORD):
                raise PresetError(f"{where} must be a string (REG_SZ) or a number (REG_DWORD)")
            if isinstance(value, str) and not value.strip():
                continue
            found[key] = (value, where)
            break
    return found


def _from_registry() -> RelayPreset | None:
    """``RelayUrl`` from HKLM, then HKCU (Windows only)."""
    if sys.platform != "win32":
        return None
    import winreg

    for hive, hive_name in ((winreg.HKEY_LOCAL_MACHINE, "HKLM"), (winreg.HKEY_CURRENT_USER, "HKCU")):
        where = f"{hive_name}\\{REGISTRY_KEY}\\{REGISTRY_VALUE}"
        try:
            with winreg.OpenKey(hive, REGISTRY_KEY) as key:
                value, kind = winreg.QueryValueEx(key, REGISTRY_VALUE)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise PresetError(f"cannot read {where}: {exc}") from exc
        if kind not in (winreg.REG_SZ, winreg.REG_EXPAND_SZ) or not isinstance(value, str):
            raise PresetError(f"{where} must be a string value (REG_SZ)")
        if not value.strip():
            continue  # the MSI writes an empty value when installed without RELAY_URL
        return RelayPreset(normalise_relay_url(value, where), where)
    return None
