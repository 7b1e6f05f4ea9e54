"""Pieces the organisation administrator's tabs share: a read-only table, its items and selection, the
result line under the buttons, and the loader that re-reads one list."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
)

from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

T = TypeVar("T")


def make_table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab moves on to the next control; arrow keys move in the table
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def table_item(text: str, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def select_row_with(table: QTableWidget, value: object) -> None:
    """Select the row whose first cell holds `value` (the selection follows the item, not the row)."""
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) == value:
            table.selectRow(row)
            return
    table.clearSelection()


class Feedback(QLabel):
    """A line under the buttons: result texts, or errors in red."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.clear()  # a past result in the previous language would stay behind untranslated
        super().changeEvent(event)

    def ok(self, text: str) -> None:
        self.setObjectName("")
        self.setStyleSheet("")
        self.setText(text)

    def fail(self, exc: BaseException) -> None:
        self.warn(describe_error(exc))

    def warn(self, text: str) -> None:
        self.setObjectName("errorText")
        self.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.setText(text)


class ListLoader:
    """Re-reads one admin list. A quiet load (the page's poll) is skipped while one runs and keeps its
    errors to itself; a load the user asked for reports them on the tab's result line."""

    def __init__(self) -> None:
        self.running = False

    def load(
        self,
        fetch: Callable[[], Coroutine[Any, Any, T]],
        on_done: Callable[[T], None],
        feedback: Feedback,
        quiet: bool,
    ) -> None:
        if self.running and quiet:
            return
        self.running = True

        def done(result: T) -> None:
            self.running = False
            on_done(result)

        def failed(exc: BaseException) -> None:
            self.running = False
            if not quiet:
                feedback.fail(exc)

        spawn(fetch(), on_done=done, on_error=failed)
