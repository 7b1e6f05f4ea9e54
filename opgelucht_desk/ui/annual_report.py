"""The annual report page ("Jaarverslag"): the case register's figures for a year or any period of whole
months, live as tables and a chart, with PDF and CSV export (core/register.py, core/annual_report.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.annual_report import AnnualReport, Period
from opgelucht_desk.core.errors import DeskError
from opgelucht_desk.ui.bar_chart import Bar, BarChart
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.labels import category_key_label, help_label
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk

YEARS_SHOWN = 3
CUSTOM = "custom"


def _table() -> QTableWidget:
    table = QTableWidget()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab moves on; arrow keys move in the table
    table.verticalHeader().hide()
    table.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return table


def _fill(table: QTableWidget, header: list[str], rows: list[list[str]]) -> None:
    table.clear()
    table.setColumnCount(len(header))
    table.setRowCount(len(rows))
    table.setHorizontalHeaderLabels(header)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.setFixedHeight(
        table.horizontalHeader().height() + sum(table.rowHeight(i) for i in range(len(rows))) + 6
    )


class AnnualReportPage(Retranslating, QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annualReportPage")
        self.desk = desk
        config = getattr(desk, "config", None)  # the desk's clock (tests and demos move it)
        self.today = today or (datetime.fromtimestamp(config.now(), UTC).date() if config else date.today())
        self.report: AnnualReport | None = None
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.period_label = QLabel()
        self.period = QComboBox()
        self.period_label.setBuddy(self.period)
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit in (self.start, self.end):
            edit.setDisplayFormat("MM-yyyy")
            edit.setCalendarPopup(False)
        this_month = QDate(self.today.year, self.today.month, 1)
        self.start.setDate(this_month.addMonths(-5))  # "another period" starts as the last six months
        self.end.setDate(this_month)
        self.to_label = QLabel()
        self.refresh_button = QPushButton()
        self.export_pdf = QPushButton()
        self.export_csv = QPushButton()
        self.language = QComboBox()
        self.names = QCheckBox()
        # The register's retention: the org admin's choice (docs/case-register.md "Retention").
        self.retention_label = QLabel()
        self.retention = QSpinBox()
        self.retention.setRange(31, 3650)
        self.retention_label.setBuddy(self.retention)
        self.retention_save = QPushButton()
        account = getattr(desk, "account", None)
        self.is_admin = account is not None and account.role == "admin"
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("warningBanner")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.note = QLabel()  # why cells show "< 5", or why there is no per-code table
        self.note.setWordWrap(True)
        self.chart_title = QLabel()
        self.chart = BarChart()
        self.category_title, self.category_table = QLabel(), _table()
        self.help_title, self.help_table = QLabel(), _table()
        self.month_title, self.month_table = QLabel(), _table()
        self.code_title, self.code_table = QLabel(), _table()

        top = QHBoxLayout()
        top.addWidget(self.period_label)
        top.addWidget(self.period)
        top.addWidget(self.start)
        top.addWidget(self.to_label)
        top.addWidget(self.end)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        exports = QHBoxLayout()
        exports.addWidget(self.language)
        exports.addWidget(self.names)
        exports.addStretch(1)
        exports.addWidget(self.retention_label)
        exports.addWidget(self.retention)
        exports.addWidget(self.retention_save)
        for widget in (self.retention_label, self.retention, self.retention_save):
            widget.setVisible(self.is_admin)
        exports.addWidget(self.export_pdf)
        exports.addWidget(self.export_csv)
        content = QWidget()
        grid = QGridLayout(content)
        top_left = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        grid.addWidget(self.summary, 0, 0, 1, 2)
        grid.addWidget(self.code_title, 1, 0)
        grid.addWidget(self.code_table, 2, 0, top_left)
        grid.addWidget(self.note, 3, 0)
        grid.addWidget(self.help_title, 1, 1)
        grid.addWidget(self.help_table, 2, 1, 2, 1, top_left)
        grid.addWidget(self.chart_title, 4, 0, 1, 2)
        grid.addWidget(self.chart, 5, 0, 1, 2)
        grid.addWidget(self.category_title, 6, 0)
        grid.addWidget(self.category_table, 7, 0, top_left)
        grid.addWidget(self.month_title, 6, 1)
        grid.addWidget(self.month_table, 7, 1, top_left)
        grid.setRowStretch(8, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.explain)
        layout.addLayout(top)
        layout.addLayout(exports)
        layout.addWidget(self.problem)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)

        self.period.currentIndexChanged.connect(lambda _i: self._period_changed())
        self.start.dateChanged.connect(lambda _d: self.show_report())
        self.end.dateChanged.connect(lambda _d: self.show_report())
        self.refresh_button.clicked.connect(self.load)
        self.export_pdf.clicked.connect(self._export_pdf_clicked)
        self.export_csv.clicked.connect(self._export_csv_clicked)
        self.retention_save.clicked.connect(self.save_retention)
        self.retranslate()
        self._period_changed()

    # -- texts ---------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Annual report"))
        self.explain.setText(
            self.tr(
                "The case register counts every conversation without anything that identifies a person: "
                "the kind of report, the type of help, the months it was opened and closed, and the "
                "organisation code. It stays after the conversation is deleted (31 days), for the "
                "retention your organisation chose, and is shared encrypted with your colleagues."
            )
        )
        self.period_label.setText(self.tr("&Period:"))
        self.period.setAccessibleName(self.tr("Period of the report"))
        for edit, name in ((self.start, self.tr("First month")), (self.end, self.tr("Last month"))):
            edit.setAccessibleName(name)
            inner = edit.findChild(QLineEdit)
            if inner is not None:
                inner.setAccessibleName(name)
        self.to_label.setText(self.tr("to"))
        self.refresh_button.setText(self.tr("&Refresh"))
        self.export_pdf.setText(self.tr("Export as &PDF…"))
        self.export_pdf.setAccessibleName(self.tr("Export the annual report as PDF"))
        self.export_csv.setText(self.tr("Export as C&SV…"))
        self.export_csv.setAccessibleName(self.tr("Export the annual report as CSV"))
        self.names.setText(self.tr("Print the counsellors' names"))
        self.retention_label.setText(self.tr("Keep the register &for:"))
        self.retention.setSuffix(self.tr(" days"))
        self.retention.setAccessibleName(self.tr("Retention of the case register in days"))
        self.retention_save.setText(self.tr("Save retention"))
        chosen_language = self.language.currentData() or "nl"
        self.language.clear()
        self.language.addItem(self.tr("PDF in Dutch"), "nl")
        self.language.addItem(self.tr("PDF in English"), "en")
        self.language.setCurrentIndex(max(0, self.language.findData(chosen_language)))
        self.language.setAccessibleName(self.tr("Language of the PDF"))
        self.chart_title.setText(self.tr("Reports per kind"))
        self.chart.setAccessibleName(self.tr("Chart of reports per kind"))
        self.category_title.setText(self.tr("Per kind of report"))
        self.help_title.setText(self.tr("Per type of help"))
        self.month_title.setText(self.tr("Per month"))
        self.code_title.setText(self.tr("Per organisation code"))
        self.category_table.setAccessibleName(self.tr("Reports per kind"))
        self.help_table.setAccessibleName(self.tr("Reports per type of help"))
        self.month_table.setAccessibleName(self.tr("Reports per month"))
        self.code_table.setAccessibleName(self.tr("Reports per organisation code"))
        chosen = self.period.currentData()
        self.period.blockSignals(True)
        self.period.clear()
        for year in range(self.today.year, self.today.year - YEARS_SHOWN, -1):
            self.period.addItem(str(year), year)
        self.period.addItem(self.tr("Other period…"), CUSTOM)
        self.period.setCurrentIndex(max(0, self.period.findData(chosen)))
        self.period.blockSignals(False)
        if self.report is not None:
            self._show(self.report)

    # -- the period ----------------------------------------------------------------------------------
    def current_period(self) -> Period:
        data = self.period.currentData()
        if isinstance(data, int):
            return Period.year(data)
        first, last = self.start.date(), self.end.date()
        if (first.year(), first.month()) > (last.year(), last.month()):
            first, last = last, first
        return Period(f"{first.year():04d}-{first.month():02d}", f"{last.year():04d}-{last.month():02d}")

    def _period_changed(self) -> None:
        custom = self.period.currentData() == CUSTOM
        for widget in (self.start, self.to_label, self.end):
            widget.setVisible(custom)
        self.show_report()

    # -- loading and showing -------------------------------------------------------------------------
    def load(self) -> None:
        """Show the local register now, then refresh it from the relay (colleagues' cases)."""
        self.show_report()
        self.error.hide()
        spawn(self.desk.register().sync(), on_done=lambda _r: self.show_report(), on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def show_report(self) -> None:
        try:
            register = self.desk.register()
        except DeskError:  # locked: nothing to show
            return
        if not self.retention.hasFocus():
            self.retention.setValue(register.retention_days)
        problems = register.problems
        self.problem.setVisible(bool(problems))
        if problems:
            self.problem.setText(
                self.tr(
                    "%n register entries from the relay failed verification and were refused; the "
                    "report uses the last verified ones. Tell your organisation's administrator.",
                    "",
                    len(problems),
                )
            )
        self._show(register.report(self.current_period()))

    def _show(self, report: AnnualReport) -> None:
        self.report = report
        locale = QLocale()
        self.summary.setText(
            self.tr("%1 reports in this period, %2 closed in this period.")
            .replace("%1", str(report.cases))
            .replace("%2", str(report.closed))
        )
        self.chart.set_bars(
            [Bar(category_key_label(k), n) for k, n in report.by_category], self.tr("fewer than 5")
        )
        reports, closed, total = self.tr("Reports"), self.tr("Closed"), self.tr("Total")
        _fill(
            self.category_table,
            [self.tr("Kind"), reports],
            [[category_key_label(k), str(n)] for k, n in report.by_category] + [[total, str(report.cases)]],
        )
        _fill(
            self.help_table,
            [self.tr("Help"), reports],
            [[help_label(k), str(n)] for k, n in report.by_help] + [[total, str(report.cases)]],
        )
        _fill(
            self.month_table,
            [self.tr("Month"), self.tr("New"), closed],
            [
                [
                    f"{locale.standaloneMonthName(int(r.month[5:]))} {r.month[:4]}",
                    str(r.opened),
                    str(r.closed),
                ]
                for r in report.by_month
            ]
            + [[total, str(report.cases), str(report.closed)]],
        )
        if report.by_code is None:
            self.code_table.hide()
            self.note.setText(
                self.tr(
                    "The numbers per organisation code appear for a whole calendar year only, so that "
                    "subtracting two periods reveals no small numbers."
                )
            )
        else:
            self.code_table.show()
            _fill(
                self.code_table,
                [self.tr("Code"), reports, closed],
                [[r.label or self.tr("(none)"), r.cases.text, r.closed.text] for r in report.by_code]
                + [[total, str(report.cases), str(report.closed)]],
            )
            self.note.setText(
                self.tr(
                    "Numbers below 5 per organisation code show as \u201c< 5\u201d, and where needed "
                    "one more code is hidden, so that nobody can recognise a small group or work it out "
                    "from the total. The totals are exact."
                )
                if report.suppressed
                else ""
            )
        self.note.setVisible(bool(self.note.text()))

    # -- export --------------------------------------------------------------------------------------
    def _file_name(self, suffix: str) -> str:
        p = self.current_period()
        name = p.start[:4] if p.is_calendar_year else f"{p.start}-{p.end}"
        return f"jaarverslag-{name}.{suffix}"

    def _export_pdf_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the annual report"), self._file_name("pdf"), "PDF (*.pdf)"
        )
        if path:
            self.save_pdf(Path(path))

    def _export_csv_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the annual report"), self._file_name("csv"), "CSV (*.csv)"
        )
        if path:
            self.save_csv(Path(path))

    def save_pdf(self, path: Path) -> None:
        language = str(self.language.currentData() or "nl")
        work = self.desk.register().save_pdf(path, self.current_period(), language, self.names.isChecked())
        spawn(work, on_error=self._failed)

    def save_csv(self, path: Path) -> None:
        spawn(self.desk.register().save_csv(path, self.current_period()), on_error=self._failed)

    def save_retention(self) -> None:
        """Set the register's retention (admins only: the relay refuses anyone else)."""
        work = self.desk.register().set_retention_days(self.retention.value())
        spawn(work, on_done=lambda _r: self.show_report(), on_error=self._failed)

    def clear(self) -> None:
        self.report = None
        self.chart.set_bars([], "")
        for table in (self.category_table, self.help_table, self.month_table, self.code_table):
            table.clear()
            table.setRowCount(0)
