"""The fixed statistics periods: calendar months ``YYYY-MM`` and ISO weeks ``YYYY-Www``. No ad-hoc ranges."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from opgelucht_relay.errors import BadRequest

# ASCII digits only (``\d`` would take other scripts' digits), matched in full (``$`` allows a newline).
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_WEEK = re.compile(r"([0-9]{4})-W(0[1-9]|[1-4][0-9]|5[0-3])")

# Statistics exist from the relay's first year on; the upper bound keeps every day a period's
# computations touch (the day after its end, the ISO weeks of a month) inside ``datetime.date``.
FIRST_YEAR = 2000
LAST_YEAR = 9998


class PeriodError(BadRequest):
    """Not a fixed period (400 ``bad_request`` with the message)."""


@dataclass(frozen=True)
class Period:
    name: str
    first: dt.date
    last: dt.date

    @property
    def is_week(self) -> bool:
        return "W" in self.name

    def enclosing_month(self) -> Period | None:
        """The calendar month that contains this whole ISO week, if there is one."""
        if not self.is_week or (self.first.year, self.first.month) != (self.last.year, self.last.month):
            return None
        return parse_period(f"{self.first.year:04d}-{self.first.month:02d}")

    def weeks_inside(self) -> list[Period]:
        """The ISO weeks lying entirely inside this month."""
        if self.is_week:
            return []
        weeks: list[Period] = []
        day = self.first
        while day <= self.last:
            year, week, _ = day.isocalendar()
            candidate = _week(year, week)
            if candidate.enclosing_month() == self and candidate not in weeks:
                weeks.append(candidate)
            day += dt.timedelta(days=1)
        return weeks

    def ended_before(self, today: dt.date) -> bool:
        return self.last < today


def parse_period(text: str) -> Period:
    """The period named by ``text``; ``PeriodError`` for anything else (never another exception)."""
    if m := _MONTH.fullmatch(text):
        year, month = _year(m.group(1)), int(m.group(2))
        first = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return Period(text, first, nxt - dt.timedelta(days=1))
    if m := _WEEK.fullmatch(text):
        year, week = _year(m.group(1)), int(m.group(2))
        try:
            return _week(year, week)
        except ValueError as exc:
            raise PeriodError(f"{text} is not an ISO week (that year has 52)") from exc
    raise PeriodError("period must be a calendar month YYYY-MM or an ISO week YYYY-Www")


def _week(year: int, week: int) -> Period:
    first = dt.date.fromisocalendar(year, week, 1)
    return Period(f"{year:04d}-W{week:02d}", first, first + dt.timedelta(days=6))


def _year(digits: str) -> int:
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"the year of a period lies between {FIRST_YEAR} and {LAST_YEAR}")
    return year


def device_active(period: Period, created: dt.date, last_seen: dt.date) -> bool:
    """A device counts for a period when it was registered by its end and last seen at or after its start.

    The relay keeps only the registration day and the last-seen day of a device, so this is the number of
    devices in use during the period. A device counted in an ISO week is counted in its enclosing month.
    """
    return created <= period.last and last_seen >= period.first
