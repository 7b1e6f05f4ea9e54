"""The shipped translations are complete and the committed .qm files match their .ts sources."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
BIN = ROOT / ".venv" / "bin"
SOURCES = [ROOT / "opgelucht_desk" / "__main__.py", *sorted((ROOT / "opgelucht_desk" / "ui").glob("*.py"))]


def _tool(name: str) -> str:
    found = shutil.which(name) or (str(BIN / name) if (BIN / name).exists() else None)
    if found is None:
        pytest.fail(f"{name} not found: install PySide6-Essentials (it ships the Qt translation tools)")
    return found


def _unfinished(ts: Path) -> list[str]:
    missing = []
    for message in ET.parse(ts).getroot().iter("message"):  # noqa: S314 - our own file
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        forms = translation.findall("numerusform")
        texts = [f.text or "" for f in forms] if forms else [translation.text or ""]
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not all(
            t.strip() for t in texts
        ):
            missing.append(source)
    return missing


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_string_in_the_code_is_translated(language: str, tmp_path: Path) -> None:
    """lupdate on a copy finds no string in the code that the shipped .ts lacks or leaves unfinished."""
    copy = tmp_path / f"opgelucht_{language}.ts"
    shutil.copyfile(I18N / f"opgelucht_{language}.ts", copy)
    subprocess.run(
        [
            _tool("pyside6-lupdate"),
            "-no-obsolete",
            "-locations",
            "none",
            *map(str, SOURCES),
            "-ts",
            str(copy),
        ],
        check=True,
        capture_output=True,
    )
    assert _unfinished(copy) == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_compiled_qm_is_up_to_date(language: str, tmp_path: Path) -> None:
    compiled = tmp_path / f"opgelucht_{language}.qm"
    subprocess.run(
        [_tool("pyside6-lrelease"), "-silent", str(I18N / f"opgelucht_{language}.ts"), "-qm", str(compiled)],
        check=True,
        capture_output=True,
    )
    shipped = I18N / f"opgelucht_{language}.qm"
    assert compiled.read_bytes() == shipped.read_bytes(), "run scripts/update-translations.sh and commit"
