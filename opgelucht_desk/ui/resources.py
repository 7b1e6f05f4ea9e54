"""Where the shipped resources (translations, icons, style) live, in a checkout and in a bundle."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def resource_dir() -> Path:
    """The `resources/` directory: in a PyInstaller bundle, in an installed wheel (where it ships as the
    package `opgelucht_desk.resources`, see setup.py), or at the root of a checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    spec = importlib.util.find_spec("opgelucht_desk.resources")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parents[2] / "resources"


def translations_dir() -> Path:
    return resource_dir() / "i18n"


def icon_path(name: str) -> Path:
    return resource_dir() / "icons" / name
