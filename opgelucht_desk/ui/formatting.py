"""Dates and times in the user's language."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, QLocale


def format_datetime(moment: datetime) -> str:
    """Short local date and time, e.g. `25-11-2026 14:03` in Dutch."""
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(local, QLocale.FormatType.ShortFormat)
