"""Render opgelucht.svg into the platform icon files the bundles use (opgelucht.ico, .icns, .png).

QT_QPA_PLATFORM=offscreen .venv/bin/python resources/icons/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(HERE / "opgelucht.svg")).render(painter)
    painter.end()
    return image


def main() -> None:
    _app = QGuiApplication([])
    for name, size in (("opgelucht.ico", 256), ("opgelucht.icns", 512), ("opgelucht.png", 256)):
        if not render(size).save(str(HERE / name)):  # the format follows the file name
            raise SystemExit(f"could not write {name}")
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
