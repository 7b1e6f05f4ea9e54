"""A small bar chart drawn with QPainter (QtCharts is not part of PySide6-Essentials)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: suppressed, drawn hatched with `suppressed_text`


class BarChart(QWidget):
    """Horizontal bars, one per label; suppressed bars are hatched and say why instead of a number."""

    ROW_HEIGHT = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.suppressed_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_bars(self, bars: list[Bar], suppressed_text: str) -> None:
        self.bars = bars
        self.suppressed_text = suppressed_text
        described = [f"{b.label}: {suppressed_text if b.value is None else b.value}" for b in bars]
        self.setAccessibleDescription("; ".join(described))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, max(1, len(self.bars)) * self.ROW_HEIGHT + 12)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        metrics = painter.fontMetrics()
        label_width = min(
            max((metrics.horizontalAdvance(b.label) for b in self.bars), default=0) + 12, self.width() // 3
        )
        value_width = max(metrics.horizontalAdvance("00000") + 8, 48)
        bar_area = max(10.0, float(self.width() - label_width - value_width - 8))
        top_value = max((b.value for b in self.bars if b.value is not None), default=0) or 1
        for i, bar in enumerate(self.bars):
            y = 6 + i * self.ROW_HEIGHT
            row = QRectF(0, y, self.width(), self.ROW_HEIGHT - 6)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            label_rect = QRectF(0, y, label_width - 8, row.height())
            elided = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(label_rect.width()))
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, elided)
            if bar.value is None:
                rect = QRectF(label_width, y + 2, bar_area, row.height() - 4)
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine))
                painter.setBrush(QBrush(palette.color(QPalette.ColorRole.Mid), Qt.BrushStyle.BDiagPattern))
                painter.drawRoundedRect(rect, 3, 3)
                painter.setPen(palette.color(QPalette.ColorRole.WindowText))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.suppressed_text)
                continue
            width = bar_area * bar.value / top_value
            rect = QRectF(label_width, y + 2, max(width, 2.0), row.height() - 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            value_rect = QRectF(rect.right() + 6, y, value_width, row.height())
            painter.drawText(
                value_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, str(bar.value)
            )
        painter.end()
