"""Statistics page: the organisation's aggregated, k ≥ 5 suppressed counts as charts, and CSV export."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, QLocale
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.model import StatsReport, StatsRow
from opgelucht_desk.ui.bar_chart import Bar, BarChart
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk

MONTHS_SHOWN = 12
WEEKS_SHOWN = 8


def recent_periods(today: date) -> list[str]:
    """Periods the relay publishes: the last complete calendar months (`YYYY-MM`), then ISO weeks
    (`YYYY-Www`) that ended before this month began (the relay publishes a week once its month ended)."""
    months: list[str] = []
    year, month = today.year, today.month
    for _ in range(MONTHS_SHOWN):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(f"{year:04d}-{month:02d}")
    first_of_month = today.replace(day=1)
    last_sunday = first_of_month - timedelta(days=first_of_month.isoweekday())
    weeks: list[str] = []
    for i in range(WEEKS_SHOWN):
        iso = (last_sunday - timedelta(weeks=i)).isocalendar()
        weeks.append(f"{iso.year:04d}-W{iso.week:02d}")
    return months + weeks


def running_month(today: date) -> str:
    """The month in progress: the relay publishes it once it is over."""
    return f"{today.year:04d}-{today.month:02d}"


def period_label(period: str, locale: QLocale, in_progress: str = "%1") -> str:
    """`2026-11` → "november 2026"; `2026-W48` → "week 48 (23 nov – 29 nov 2026)" in the user's language.
    `in_progress` (e.g. "%1 (in progress)") wraps the label of a period that is not over yet."""
    if "-W" in period:
        year, week = (int(part) for part in period.split("-W"))
        monday = date.fromisocalendar(year, week, 1)
        first = QDate(monday.year, monday.month, monday.day)
        last = first.addDays(6)
        text = QCoreApplication.translate("StatsPage", "week %1 (%2 – %3)")
        label = (
            text.replace("%1", str(week))
            .replace("%2", locale.toString(first, "d MMM"))
            .replace("%3", locale.toString(last, "d MMM yyyy"))
        )
    else:
        year, month = (int(part) for part in period.split("-"))
        label = f"{locale.standaloneMonthName(month, QLocale.FormatType.LongFormat)} {year}"
    return in_progress.replace("%1", label)


def write_csv(report: StatsReport, path: Path, suppressed_text: str) -> None:
    """One line per (code, kind, item); a suppressed code says so instead of numbers."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["period", "code", "devices", "kind", "item", "count"])
        for row in [*report.rows, report.total]:
            devices = suppressed_text if row.suppressed or row.devices is None else str(row.devices)
            if row.suppressed or not row.counts:
                writer.writerow([report.period, row.label, devices, "", "", ""])
                continue
            for kind, items in sorted(row.counts.items()):
                for item, count in sorted(items.items()):
                    writer.writerow([report.period, row.label, devices, kind, item, count])


class StatsPage(Retranslating, QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsPage")
        self.desk = desk
        self.report: StatsReport | None = None
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.period_label = QLabel()
        self.period = QComboBox()
        self.period_label.setBuddy(self.period)
        self._periods: list[str] = []
        self._running: str | None = None
        self.pending = QLabel()  # why the running period has no figures yet
        self.pending.setWordWrap(True)
        self.pending.hide()
        self.empty = QLabel()  # words instead of an empty table
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.export = QPushButton()
        self.export.setEnabled(False)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.chart_title = QLabel()
        self.chart = BarChart()
        self.table = QTableWidget()
        self.table.setTabKeyNavigation(False)  # Tab moves on; arrow keys move in the table
        top = QHBoxLayout()
        top.addWidget(self.period_label)
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.export)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(self.chart_title)
        content_layout.addWidget(self.chart)
        content_layout.addWidget(self.empty)
        content_layout.addWidget(self.table, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.explain)
        layout.addLayout(top)
        layout.addWidget(self.pending)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)
        self.period.currentIndexChanged.connect(lambda _i: self.load())
        self.export.clicked.connect(self._export_clicked)
        today = date.today()
        self.set_periods(recent_periods(today), running=running_month(today))
        self.retranslate()

    def set_periods(self, periods: list[str], running: str | None = None) -> None:
        """Offer `periods` (newest first); the first becomes the current one. `running`, the period in
        progress, is listed above them with the reason it has no figures yet."""
        self._periods, self._running = list(periods), running
        self._fill_periods(keep_choice=False)

    def _fill_periods(self, keep_choice: bool = True) -> None:
        chosen = self.period.currentData() if keep_choice else None
        self.period.blockSignals(True)
        self.period.clear()
        locale = QLocale()
        if self._running is not None:
            self.period.addItem(
                period_label(self._running, locale, self.tr("%1 (in progress)")), self._running
            )
        for period in self._periods:
            self.period.addItem(period_label(period, locale), period)
        index = self.period.findData(chosen) if chosen is not None else -1
        if index < 0:
            index = self.period.findData(self._periods[0]) if self._periods else 0
        self.period.setCurrentIndex(index)
        self.period.blockSignals(False)

    def current_period(self) -> str | None:
        data = self.period.currentData()
        return data if isinstance(data, str) else None

    def suppressed_text(self) -> str:
        return self.tr("fewer than 5 users")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Statistics"))
        self.explain.setText(
            self.tr(
                "Usage of the app per organisation code. Numbers are rounded to multiples of 5; codes "
                "used by fewer than 5 people are hidden so that nobody can be singled out."
            )
        )
        self.period_label.setText(self.tr("&Period:"))
        self.period.setAccessibleName(self.tr("Period"))
        self.export.setText(self.tr("&Export as CSV…"))
        self.export.setAccessibleName(self.tr("Export statistics as CSV"))
        self.chart_title.setText(self.tr("Active devices per code"))
        self.chart.setAccessibleName(self.tr("Chart of active devices per code"))
        self.table.setAccessibleName(self.tr("Counts per code"))
        self.empty.setText(
            self.tr(
                "No counts to show for this period: nobody used the app, or too few people to show "
                "anything without singling someone out."
            )
        )
        self._fill_periods()
        self._explain_pending()
        if self.report is not None:
            self._show(self.report)

    def _explain_pending(self) -> None:
        running = self._running is not None and self.current_period() == self._running
        if running and self._running is not None:
            year, month = (int(part) for part in self._running.split("-"))
            first = QDate(year, month, 1).addMonths(1)
            self.pending.setText(
                self.tr(
                    "%1 is not over yet. Its figures appear from %2 on, once the month has ended; a "
                    "published period never changes afterwards."
                )
                .replace("%1", period_label(self._running, QLocale()))
                .replace("%2", QLocale().toString(first, QLocale.FormatType.LongFormat))
            )
        self.pending.setVisible(running)

    def load(self) -> None:
        period = self.current_period()
        self.error.hide()
        self._explain_pending()
        if period is None or period == self._running:
            self.clear()
            return
        spawn(self.desk.stats(period), on_done=self._show, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def _show(self, report: StatsReport) -> None:
        self.report = report
        self.export.setEnabled(True)
        rows = [*report.rows, report.total]
        total_label = self.tr("All codes")
        labels = [*(r.label for r in report.rows), total_label]
        self.chart.set_bars(
            [Bar(label, None if r.suppressed else r.devices) for label, r in zip(labels, rows, strict=True)],
            self.suppressed_text(),
        )
        keys = sorted({(kind, item) for r in rows for kind, items in r.counts.items() for item in items})
        self.table.clear()
        self.table.setColumnCount(len(rows))
        self.table.setRowCount(len(keys))
        self.table.setHorizontalHeaderLabels(labels)
        self.table.setVerticalHeaderLabels([f"{kind}: {item}" for kind, item in keys])
        self.table.setVisible(bool(keys))
        self.empty.setVisible(not keys)
        for column, row in enumerate(rows):
            for line, (kind, item) in enumerate(keys):
                self.table.setItem(line, column, QTableWidgetItem(self._cell(row, kind, item)))
        self.table.resizeColumnsToContents()

    def _cell(self, row: StatsRow, kind: str, item: str) -> str:
        if row.suppressed:
            return self.suppressed_text()
        count = row.counts.get(kind, {}).get(item)
        # The relay leaves out counts below 5 (and rounds the rest): a missing cell is not zero.
        return self.tr("fewer than 5") if count is None else str(count)

    def _export_clicked(self) -> None:
        if self.report is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export statistics"), f"opgelucht-{self.report.period}.csv", "CSV (*.csv)"
        )
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> None:
        if self.report is not None:
            write_csv(self.report, path, self.suppressed_text())

    def clear(self) -> None:
        self.report = None
        self.chart.set_bars([], "")
        self.table.clear()
        self.table.setRowCount(0)
        self.empty.hide()
        self.export.setEnabled(False)
