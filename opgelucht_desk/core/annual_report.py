"""The annual report ("jaarverslag") from the case register: counts per category, type of help, month and
org code for a period of whole months, with small per-code cells suppressed, and its CSV export.

Pure and Qt-free (docs/case-register.md "The report"). Org-wide numbers are exact. Per org code, a cell
below ``K`` = 5 shows as "< 5" and the shared rules of :mod:`opgelucht_desk.disclosure` add complementary
cells, so that no subtraction from the exact total (or across cells) reveals a hidden one. The per-code
table exists for whole calendar years only: calendar years never overlap, so no subtraction across two
reports' periods reveals a cell either (an arbitrary period could be subtracted from another).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from opgelucht_desk.disclosure import K, decide
from opgelucht_desk.protocol.register import HELP_TYPES, CaseRecord

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
NO_VALUE = ""
"""The key of records without a category, type of help or org code."""


def _parse(month: str) -> tuple[int, int]:
    m = _MONTH_RE.fullmatch(month)
    if m is None:
        raise ValueError("a month is YYYY-MM")
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True)
class Period:
    """Whole months ``start`` … ``end`` (inclusive, ``YYYY-MM``)."""

    start: str
    end: str

    def __post_init__(self) -> None:
        if _parse(self.start) > _parse(self.end):
            raise ValueError("the period ends before it starts")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(f"{year:04d}-01", f"{year:04d}-12")

    @property
    def is_calendar_year(self) -> bool:
        return self.start[:4] == self.end[:4] and self.start[5:] == "01" and self.end[5:] == "12"

    def months(self) -> list[str]:
        (y, m), end = _parse(self.start), _parse(self.end)
        out = []
        while (y, m) <= end:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def __contains__(self, month: object) -> bool:
        return isinstance(month, str) and self.start <= month <= self.end


@dataclass(frozen=True)
class Cell:
    """A published number; ``value`` None: suppressed (fewer than K cases, or hidden to protect one)."""

    value: int | None

    @property
    def text(self) -> str:
        return f"< {K}" if self.value is None else str(self.value)


@dataclass(frozen=True)
class CodeRow:
    label: str  # the org code's label ("" for cases without one)
    cases: Cell
    closed: Cell


@dataclass(frozen=True)
class MonthRow:
    month: str
    opened: int
    closed: int


@dataclass(frozen=True)
class AnnualReport:
    period: Period
    cases: int  # opened in the period
    closed: int  # closed in the period
    by_category: list[tuple[str, int]]  # (category, cases opened), every category with cases
    by_help: list[tuple[str, int]]  # (type of help, cases opened), every type in HELP_TYPES order
    by_month: list[MonthRow]
    by_code: list[CodeRow] | None  # None: not a calendar year (see the module docstring)

    @property
    def suppressed(self) -> bool:
        """Some per-code cell shows "< 5" (the report then explains why)."""
        return any(r.cases.value is None or r.closed.value is None for r in self.by_code or [])


def _suppressed_cells(counts: dict[str, int]) -> dict[str, Cell]:
    decision = decide(counts)  # the relay's rules; the total is always published exactly here
    return {code: Cell(None if code in decision.suppressed else n) for code, n in counts.items()}


def build_report(records: Iterable[CaseRecord], period: Period, codes: Iterable[str] = ()) -> AnnualReport:
    """The report of ``period`` over the register's records. ``codes``: the org's code labels (listed in
    the per-code table even without cases)."""
    records = list(records)
    opened = [r for r in records if r.opened in period]
    closed = [r for r in records if r.closed is not None and r.closed in period]
    categories = Counter(r.category or NO_VALUE for r in opened)
    helps = Counter(r.help_type or NO_VALUE for r in opened)
    by_help = [(h, helps[h]) for h in HELP_TYPES]
    if helps[NO_VALUE]:
        by_help.append((NO_VALUE, helps[NO_VALUE]))
    opened_by_month = Counter(r.opened for r in opened)
    closed_by_month = Counter(r.closed for r in closed)
    by_month = [MonthRow(m, opened_by_month[m], closed_by_month[m]) for m in period.months()]
    by_code: list[CodeRow] | None = None
    if period.is_calendar_year:
        labels = sorted({*codes, *(r.org_code or NO_VALUE for r in [*opened, *closed])})
        case_counts = Counter(r.org_code or NO_VALUE for r in opened)
        closed_counts = Counter(r.org_code or NO_VALUE for r in closed)
        case_cells = _suppressed_cells({label: case_counts[label] for label in labels})
        closed_cells = _suppressed_cells({label: closed_counts[label] for label in labels})
        by_code = [CodeRow(label, case_cells[label], closed_cells[label]) for label in labels]
    return AnnualReport(
        period=period,
        cases=len(opened),
        closed=len(closed),
        by_category=sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])),
        by_help=by_help,
        by_month=by_month,
        by_code=by_code,
    )


def _cell(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (an org code's label is typed by an admin)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: AnnualReport) -> str:
    """The report as CSV: ``section,key,cases,closed`` (a suppressed cell is "< 5")."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "key", "cases", "closed"])
    w.writerow(["period", f"{report.period.start}..{report.period.end}", "", ""])
    w.writerow(["total", "", report.cases, report.closed])
    for key, n in report.by_category:
        w.writerow(["category", _cell(key), n, ""])
    for key, n in report.by_help:
        w.writerow(["help_type", key, n, ""])
    for row in report.by_month:
        w.writerow(["month", row.month, row.opened, row.closed])
    for code in report.by_code or []:
        w.writerow(["org_code", _cell(code.label), code.cases.text, code.closed.text])
    return out.getvalue()
