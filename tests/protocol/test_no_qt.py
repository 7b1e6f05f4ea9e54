"""The protocol package must work where Qt is unavailable (the relay, the reporter CLI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_with_pyside6_blocked() -> None:
    code = (
        "import sys; sys.modules['PySide6'] = None\n"
        "import opgelucht_desk.protocol as p\n"
        "import opgelucht_desk.protocol.reporter, opgelucht_desk.protocol.cli\n"
        "import opgelucht_desk.protocol.vectors\n"
        "assert not any(m.startswith('PySide6') and sys.modules[m] is not None for m in sys.modules)\n"
        "print(p.TAG_MSG)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "opg/msg/v1"
