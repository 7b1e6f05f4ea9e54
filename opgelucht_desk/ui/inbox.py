"""Inbox page: search, status and category filters, the conversation table and the conversation view."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.model import Category, Status
from opgelucht_desk.ui.conversation import ConversationView
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.inbox_model import Column, ConvIdRole, InboxModel, UnreadBadgeDelegate
from opgelucht_desk.ui.labels import category_label, status_label

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk

SEARCH_DELAY_MS = 150  # debounce typing; the search itself runs over the core's local decrypted data


class InboxPage(Retranslating, QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxPage")
        self.desk = desk
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.category_filter = QComboBox()
        self.count = QLabel()
        self.model = InboxModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(Column.UNREAD, UnreadBadgeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.PSEUDONYM, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.conversation = ConversationView(desk)

        filters = QHBoxLayout()
        filters.addWidget(self.status_filter)
        filters.addWidget(self.category_filter)
        self.left = left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.conversation)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.setTabOrder(self.search, self.status_filter)
        self.setTabOrder(self.status_filter, self.category_filter)
        self.setTabOrder(self.category_filter, self.table)
        self.setTabOrder(self.table, self.conversation.status)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.status_filter.activated.connect(self.refresh)
        self.category_filter.activated.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.conversation.changed.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search conversations (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search conversations"))
        self.status_filter.setAccessibleName(self.tr("Filter by status"))
        self.category_filter.setAccessibleName(self.tr("Filter by category"))
        self.table.setAccessibleName(self.tr("Conversations"))
        status, category = self.status_filter.currentData(), self.category_filter.currentData()
        self.status_filter.clear()
        self.status_filter.addItem(self.tr("All statuses"), None)
        for s in Status:
            self.status_filter.addItem(status_label(s), s)
        self.category_filter.clear()
        self.category_filter.addItem(self.tr("All categories"), None)
        for c in Category:
            self.category_filter.addItem(category_label(c), c)
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(status)))
        self.category_filter.setCurrentIndex(max(0, self.category_filter.findData(category)))
        self._update_count()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        self._size_columns()

    def _size_columns(self) -> None:
        """Fixed widths from the header texts and typical contents (measuring 10,000 rows is too slow)."""
        metrics = self.table.fontMetrics()
        samples = {
            Column.LAST_ACTIVITY: "00-00-0000",
            Column.UNREAD: "000",
            Column.STATUS: max((status_label(s) for s in Status), key=len),
            Column.CATEGORY: category_label(Category.SEKSUELE_INTIMIDATIE),
            Column.DELETION: self.model.days(31),
        }
        for column, sample in samples.items():
            header = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(metrics.horizontalAdvance(header), metrics.horizontalAdvance(sample)) + 24
            self.table.setColumnWidth(column, width)
        # Room for every column plus a readable pseudonym, so the list needs no horizontal scrolling.
        needed = sum(self.table.columnWidth(c) for c in samples) + metrics.horizontalAdvance("M" * 10) + 30
        self.left.setMinimumWidth(min(needed, 640))

    def refresh(self) -> None:
        """Reload the list from the core with the current filters, keeping the selection."""
        selected = self.conversation.conv_id
        status = self.status_filter.currentData()
        category = self.category_filter.currentData()
        rows = self.desk.conversations(
            self.search.text().strip(),
            status if isinstance(status, Status) else None,
            category if isinstance(category, Category) else None,
        )
        self.table.selectionModel().blockSignals(True)
        self.model.set_conversations(rows)
        self.table.selectionModel().blockSignals(False)
        self._update_count()
        row = self.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
            self.conversation.show_conversation(self.model.conversation(row))

    def select(self, conv_id: uuid.UUID) -> bool:
        row = self.model.row_of(conv_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _update_count(self) -> None:
        self.count.setText(self.tr("%n conversations", "", self.model.rowCount()))

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.conversation.show_conversation(None)
            return
        conv_id = rows[0].data(ConvIdRole)
        row = self.model.row_of(conv_id) if isinstance(conv_id, uuid.UUID) else None
        self.conversation.show_conversation(self.model.conversation(row) if row is not None else None)

    def clear(self) -> None:
        """Drop every decrypted thing this page shows."""
        self.conversation.clear()
        self.model.clear()
        self.search.clear()
