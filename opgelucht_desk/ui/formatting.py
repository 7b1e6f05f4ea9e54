"""Dates and times in the user's language."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale


def format_datetime(moment: datetime) -> str:
    """Short local date and time, e.g. `25-11-2026 14:03` in Dutch."""
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(local, QLocale.FormatType.ShortFormat)


def format_compact(moment: datetime, today: date | None = None) -> str:
    """Only the time for today, only the date before (as mail programs list messages)."""
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    if local.date() == (QDate.currentDate() if today is None else QDate(today.year, today.month, today.day)):
        return QLocale().toString(local.time(), QLocale.FormatType.ShortFormat)
    return QLocale().toString(local.date(), QLocale.FormatType.ShortFormat)


def format_safety_number(number: str, groups_per_line: int = 4) -> str:
    """The safety number's digit groups in short lines, easier to read aloud and compare."""
    groups = number.split()
    return "\n".join(
        " ".join(groups[i : i + groups_per_line]) for i in range(0, len(groups), groups_per_line)
    )
