"""Where the shipped resources (translations, icons, style) live, in a checkout and in a bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    """The `resources/` directory: next to a PyInstaller bundle's files, or at the repository root."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def translations_dir() -> Path:
    return resource_dir() / "i18n"


def icon_path(name: str) -> Path:
    return resource_dir() / "icons" / name
