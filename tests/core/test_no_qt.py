"""The desktop core must stay Qt-free (the UI is one client of it): importing every module of
opgelucht_desk.core in a fresh interpreter loads neither PySide6 nor qasync."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import opgelucht_desk.core

ROOT = Path(__file__).resolve().parents[2]


def test_every_core_module_imports_without_qt() -> None:
    modules = sorted(
        m.name for m in pkgutil.iter_modules(opgelucht_desk.core.__path__, "opgelucht_desk.core.")
    )
    assert "opgelucht_desk.core.desk" in modules and len(modules) > 10
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'))\n"
        "assert not loaded, loaded\n"
        "print(len(sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
