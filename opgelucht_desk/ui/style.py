"""Application icon and style sheet; colours follow the OS light/dark palette."""

from __future__ import annotations

import re

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from opgelucht_desk.ui.resources import icon_path, resource_dir


def app_icon() -> QIcon:
    return QIcon(str(icon_path("opgelucht.svg")))


def style_sheet(base_points: float) -> str:
    """The style sheet with its relative font sizes (`font-size: 90%`) in points of `base_points`."""
    qss = (resource_dir() / "style.qss").read_text(encoding="utf-8")
    return re.sub(
        r"font-size:\s*(\d+)%", lambda m: f"font-size: {base_points * int(m.group(1)) / 100:.1f}pt", qss
    )


def apply_style(app: QApplication) -> None:
    """Install the icon and the small palette-based style sheet, sized to the application's font."""
    app.setWindowIcon(app_icon())
    base = app.font().pointSizeF()
    app.setStyleSheet(style_sheet(base if base > 0 else 10.0))
