"""Inbox page: search, status and category filters, the conversation table and the conversation view."""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
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

from opgelucht_desk.core.model import Category, ConversationSummary, DeskState, Status
from opgelucht_desk.ui.conversation import ConversationView
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.inbox_model import Column, ConvIdRole, InboxModel, UnreadBadgeDelegate
from opgelucht_desk.ui.labels import category_label, status_label

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk

SEARCH_DELAY_MS = 150  # debounce typing; the search itself runs over the core's local decrypted data
# Change signals within this window give one refresh: the core's event and the view's own `changed`
# of one action arrive in consecutive event-loop turns, a few milliseconds apart.
REFRESH_DELAY_MS = 10


class InboxPage(Retranslating, QWidget):
    unread_changed = Signal(int)  # unread incoming messages over all conversations, after a refresh

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
        # Tab leaves the list for the conversation (Qt's default moves from column to column forever);
        # the arrow keys choose a conversation.
        self.table.setTabKeyNavigation(False)
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
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.refreshes = 0  # how often the list was brought up to date (tests count them)
        self._cleared = False  # emptied for locking: late change signals must not fill it again
        self.unread_total = 0
        self.conversation.changed.connect(self.request_refresh)
        self.conversation.read_failed.connect(self._read_failed)
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

    def request_refresh(self) -> None:
        """Refresh shortly, once: change signals that arrive together (the core's event and the view's
        own `changed`, or several events of one sync round) give one refresh."""
        if not self._cleared:
            self._refresh_timer.start()

    def refresh(self) -> None:
        """Bring the list up to date with the core and the current filters, now.

        One `conversations()` call gives both the rows and the unread total (a search adds the call
        that finds the matches). Rows are updated in place, so the selection and the scroll position
        stay; the open conversation appends what is new."""
        self._refresh_timer.stop()
        if self.desk.state != DeskState.UNLOCKED:
            return  # locking: this page is about to go, with everything it shows
        self.refreshes += 1
        everything = self.desk.conversations()
        query = self.search.text().strip()
        matches = {s.conv_id for s in self.desk.conversations(query)} if query else None
        status = self.status_filter.currentData()
        category = self.category_filter.currentData()
        open_id = self.conversation.conv_id
        opened: ConversationSummary | None = None
        shown: list[ConversationSummary] = []
        unread = 0
        for summary in everything:
            listed = (
                (not isinstance(status, Status) or summary.status == status)
                and (not isinstance(category, Category) or summary.category == category)
                and (matches is None or summary.conv_id in matches)
            )
            if listed and summary.conv_id == open_id:
                opened = summary
                if summary.unread:
                    # Shown, so marked read right away: list it read now rather than update it twice.
                    summary = dataclasses.replace(summary, unread=0)
            unread += summary.unread
            if listed:
                shown.append(summary)
        self._apply(shown)
        if opened is not None:
            self.conversation.show_conversation(opened)
        self.unread_total = unread
        self.unread_changed.emit(unread)

    def _apply(self, rows: list[ConversationSummary]) -> None:
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        try:
            self.model.update_conversations(rows)
            open_id = self.conversation.conv_id
            row = self.model.row_of(open_id) if open_id is not None else None
            if row is not None and not selection.isRowSelected(row):
                self.table.selectRow(row)
        finally:
            selection.blockSignals(False)
        self._update_count()

    def _read_failed(self, conv_id: uuid.UUID) -> None:
        """Marking read failed: list the open conversation with its unread count after all."""
        row = self.model.row_of(conv_id)
        summary = self.conversation.summary
        if row is None or summary is None or summary.conv_id != conv_id:
            self.request_refresh()  # no longer open: listed as the core has it
            return
        rows = self.model.rows()
        rows[row] = summary
        self._apply(rows)
        self.unread_total += summary.unread
        self.unread_changed.emit(self.unread_total)

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
        self._cleared = True
        self._refresh_timer.stop()
        self.conversation.clear()
        self.model.clear()
        self.search.clear()
