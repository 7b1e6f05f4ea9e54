"""Window-modal yes/no questions that do not block the event loop (the async work keeps running)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def ask(parent: QWidget, title: str, text: str, on_yes: Callable[[], None]) -> QMessageBox:
    """Show a question; `on_yes` runs only when the user chooses Yes. Returns the box (tests click it)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName("confirmBox")
    box.setDefaultButton(QMessageBox.StandardButton.No)

    def finished(result: int) -> None:
        if result == QMessageBox.StandardButton.Yes:
            on_yes()
        box.deleteLater()

    box.finished.connect(finished)
    box.open()
    return box
