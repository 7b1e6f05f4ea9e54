"""Table model of the inbox and the delegate that draws the unread badge."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from opgelucht_desk.core.model import ConversationSummary
from opgelucht_desk.ui.formatting import format_compact, format_datetime
from opgelucht_desk.ui.labels import category_label, status_label
from opgelucht_desk.ui.messages import not_shared_title, problem_text, sharing_text

ConvIdRole = Qt.ItemDataRole.UserRole + 1
UnreadRole = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


# Above this many separate row moves, insertions or removals in one update (e.g. a search narrowing
# 10,000 rows to a few), one reset is cheaper than changing the rows one by one.
MAX_STEPS = 100


class Column(IntEnum):
    PSEUDONYM = 0
    LAST_ACTIVITY = 1
    UNREAD = 2
    STATUS = 3
    CATEGORY = 4
    DELETION = 5


class InboxModel(QAbstractTableModel):
    """One row per conversation, in the order the core returns them (latest activity first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ConversationSummary] = []
        # What the updates did, for tests and profiling (numbers only, never content).
        self.resets = 0
        self.rows_inserted = 0
        self.rows_removed = 0
        self.rows_moved = 0
        self.rows_updated = 0
        # Made once: PySide6 6.12's QFont.setBold() drops a reference to None on every call, so a
        # per-paint setBold() would eventually crash the interpreter.
        self._bold = QFont()
        self._bold.setBold(True)
        self._problem = QBrush(QColor("#b3261e"))

    def set_conversations(self, rows: Sequence[ConversationSummary]) -> None:
        """Replace every row (a model reset: views forget their selection)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()
        self.resets += 1

    def update_conversations(self, rows: Sequence[ConversationSummary]) -> None:
        """Bring the rows to `rows` in place: remove, move, insert and update only the rows that
        differ, so views keep their selection and scroll position (no reset)."""
        target = list(rows)
        wanted = {s.conv_id for s in target}
        present = {s.conv_id for s in self._rows}
        gone = [i for i, s in enumerate(self._rows) if s.conv_id not in wanted]
        if _runs(gone) + _runs([i for i, s in enumerate(target) if s.conv_id not in present]) > MAX_STEPS:
            self.set_conversations(target)
            return
        # 1. Rows that are gone, bottom up, in contiguous runs.
        while gone:
            last = gone.pop()
            first = last
            while gone and gone[-1] == first - 1:
                first = gone.pop()
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
            self.rows_removed += last - first + 1
        # 2. Walk the target order: move rows up into place, insert new runs, update changed rows.
        moves = 0
        position = 0
        while position < len(target):
            summary = target[position]
            if summary.conv_id not in present:
                end = position
                while end + 1 < len(target) and target[end + 1].conv_id not in present:
                    end += 1
                self.beginInsertRows(QModelIndex(), position, end)
                self._rows[position:position] = target[position : end + 1]
                self.endInsertRows()
                self.rows_inserted += end - position + 1
                position = end + 1
                continue
            if self._rows[position].conv_id != summary.conv_id:
                moves += 1
                if moves > MAX_STEPS:
                    self.set_conversations(target)
                    return
                source = self._find(summary.conv_id, position + 1)
                assert source is not None  # present, and not in the rows already in place
                self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), position)
                self._rows.insert(position, self._rows.pop(source))
                self.endMoveRows()
                self.rows_moved += 1
            if self._rows[position] != summary:
                self._rows[position] = summary
                self.dataChanged.emit(self.index(position, 0), self.index(position, len(Column) - 1))
                self.rows_updated += 1
            position += 1

    def clear(self) -> None:
        self.set_conversations([])

    def conversation(self, row: int) -> ConversationSummary:
        return self._rows[row]

    def row_of(self, conv_id: uuid.UUID) -> int | None:
        return self._find(conv_id)

    def _find(self, conv_id: uuid.UUID, start: int = 0) -> int | None:
        for row in range(start, len(self._rows)):
            if self._rows[row].conv_id == conv_id:
                return row
        return None

    def rows(self) -> list[ConversationSummary]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            Column.PSEUDONYM: QCoreApplication.translate("InboxModel", "Pseudonym"),
            Column.LAST_ACTIVITY: QCoreApplication.translate("InboxModel", "Last activity"),
            Column.UNREAD: QCoreApplication.translate("InboxModel", "Unread"),
            Column.STATUS: QCoreApplication.translate("InboxModel", "Status"),
            Column.CATEGORY: QCoreApplication.translate("InboxModel", "Category"),
            Column.DELETION: QCoreApplication.translate("InboxModel", "Deleted in"),
        }[Column(section)]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        summary = self._rows[index.row()]
        column = Column(index.column())
        if role == ConvIdRole:
            return summary.conv_id
        if role == UnreadRole:
            return summary.unread
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(summary, column, accessible=role == Qt.ItemDataRole.AccessibleTextRole)
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.LAST_ACTIVITY:
            return format_datetime(summary.last_activity)
        if role == Qt.ItemDataRole.ToolTipRole and summary.verification_problem:
            return QCoreApplication.translate("InboxModel", "Verification problem: %1").replace(
                "%1", problem_text(summary.verification_problem)
            )
        if role == Qt.ItemDataRole.ToolTipRole and summary.not_shared_yet:
            return sharing_text(summary)  # expected, not a problem: explained, not alarming
        if role == Qt.ItemDataRole.FontRole and summary.unread:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and summary.verification_problem:
            return self._problem
        if role == Qt.ItemDataRole.ForegroundRole and summary.waiting_for_share:
            return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)  # grey
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.UNREAD, Column.DELETION):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _text(self, summary: ConversationSummary, column: Column, *, accessible: bool) -> str:
        if column == Column.PSEUDONYM:
            name = not_shared_title() if summary.waiting_for_share else summary.pseudonym
            return f"⚠ {name}" if summary.verification_problem else name
        if column == Column.LAST_ACTIVITY:
            return format_compact(summary.last_activity)
        if column == Column.UNREAD:
            if accessible:
                return self.tr("%n unread", "", summary.unread)
            return str(summary.unread) if summary.unread else ""
        if column == Column.STATUS:
            return status_label(summary.status)
        if column == Column.CATEGORY:
            return category_label(summary.category)
        return self.days(summary.days_until_deletion)

    def days(self, count: int) -> str:
        return self.tr("%n days", "", count)


def _runs(indices: list[int]) -> int:
    """How many contiguous runs the ascending `indices` form."""
    return sum(1 for n, i in enumerate(indices) if n == 0 or indices[n - 1] != i - 1)


class UnreadBadgeDelegate(QStyledItemDelegate):
    """Draws the unread count as a rounded badge in the highlight colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        count = index.data(UnreadRole)
        if not isinstance(count, int) or count <= 0:
            super().paint(painter, option, index)
            return
        widget: QWidget | None = option.widget
        style = widget.style() if widget is not None else None
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, widget)
        rect: QRect = option.rect
        text = "99+" if count > 99 else str(count)
        metrics = option.fontMetrics
        width = max(metrics.horizontalAdvance(text) + 12, metrics.height() + 4)
        height = metrics.height() + 2
        badge = QRect(rect.center().x() - width // 2, rect.center().y() - height // 2, width, height)
        palette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.highlight())
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(palette.highlightedText().color())
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
