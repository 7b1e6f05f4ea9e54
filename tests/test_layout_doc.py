"""docs/layout.md lists every module of the three shipped packages (module → its one job)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "opgelucht_desk": ROOT / "opgelucht_desk",
    "opgelucht_reporter": ROOT / "opgelucht_reporter",
    "opgelucht_relay": ROOT / "server" / "opgelucht_relay",
}


def shipped_modules() -> set[str]:
    names: set[str] = set()
    for folder in PACKAGES.values():
        for path in folder.rglob("*.py"):
            if "versions" in path.parts:  # migrations: one per schema change, listed by alembic
                continue
            parts = list(path.relative_to(folder.parent).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            names.add(".".join(parts))
    return names


def test_every_module_has_a_row_in_the_layout_doc() -> None:
    listed = set(
        re.findall(r"^\| `([\w.]+)` \|", (ROOT / "docs" / "layout.md").read_text(encoding="utf-8"), re.M)
    )
    missing = sorted(shipped_modules() - listed)
    assert not missing, f"docs/layout.md lacks a row for: {', '.join(missing)}"
    gone = sorted(name for name in listed - shipped_modules() if name not in PACKAGES)
    assert not gone, f"docs/layout.md lists modules that no longer exist: {', '.join(gone)}"
