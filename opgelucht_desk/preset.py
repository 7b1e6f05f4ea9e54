"""The relay URL preset by IT, read from the first place that has one (Qt-free).

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

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class PresetError(Exception):
    """An IT preset exists but cannot be used; the message names the source and what is wrong."""


@dataclass(frozen=True)
class RelayPreset:
    """A preset relay URL and where it came from (shown as "set by your IT department: <source>")."""

    url: str
    source: str


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
    if not isinstance(prefs, dict) or MACOS_KEY not in prefs:
        return None
    value = prefs[MACOS_KEY]
    if not isinstance(value, str):
        raise PresetError(f"{MACOS_KEY} in {path} must be a string, not {type(value).__name__}")
    return RelayPreset(normalise_relay_url(value, str(path)), f"managed preference {MACOS_DOMAIN}")


def read_linux_config(path: Path) -> RelayPreset | None:
    """The ``relay_url`` of the system-wide TOML file, or ``None`` without one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PresetError(f"cannot read {path}: {exc}") from exc
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{path} is not valid TOML: {exc}") from exc
    if LINUX_KEY not in config:
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
    text = value.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise PresetError(f"relay URL from {source} is not a valid URL: {text!r}") from exc
    if not host or parts.scheme not in {"https", "http"}:
        raise PresetError(f"relay URL from {source} must look like https://relay.example.nl, got {text!r}")
    if parts.scheme == "http" and host not in _LOOPBACK_HOSTS:
        raise PresetError(
            f"relay URL from {source} must use https:// (http only for localhost), got {text!r}"
        )
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise PresetError(f"relay URL from {source} must not contain credentials, a query or a fragment")
    return text.rstrip("/")


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
