"""Application icon and style sheet; colours follow the OS light/dark palette."""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from opgelucht_desk.ui.resources import icon_path, resource_dir


def app_icon() -> QIcon:
    return QIcon(str(icon_path("opgelucht.svg")))


def apply_style(app: QApplication) -> None:
    """Install the icon and the small palette-based style sheet."""
    app.setWindowIcon(app_icon())
    app.setStyleSheet((resource_dir() / "style.qss").read_text(encoding="utf-8"))
