"""The protocol package must work where Qt is unavailable (the relay, the reporter CLI), and it is wire
format and crypto only: no HTTP client (httpx is the reference reporter client's, `opgelucht_reporter`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_EVERY_PROTOCOL_MODULE = (
    "import importlib, pkgutil\n"
    "import opgelucht_desk.protocol as p\n"
    "for m in pkgutil.iter_modules(p.__path__): importlib.import_module(f'{p.__name__}.{m.name}')\n"
)


def test_import_with_pyside6_blocked() -> None:
    code = (
        "import sys; sys.modules['PySide6'] = None\n"
        "import opgelucht_desk.protocol as p\n"
        "import opgelucht_reporter.client, opgelucht_reporter.cli\n"
        "assert not any(m.startswith('PySide6') and sys.modules[m] is not None for m in sys.modules)\n"
        "print(p.TAG_MSG)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "opg/msg/v1"


def test_protocol_imports_no_httpx() -> None:
    code = (
        "import sys; sys.modules['httpx'] = None\n"
        + IMPORT_EVERY_PROTOCOL_MODULE
        + "assert 'httpx' not in {m.split('.')[0] for m, v in sys.modules.items() if v is not None}\n"
        "print(p.TAG_MSG)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "opg/msg/v1"
