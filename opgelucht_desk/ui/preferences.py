"""The counsellor's UI preferences (language, idle lock, notifications, update check); no secrets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from opgelucht_desk.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES

DEFAULT_IDLE_MINUTES = 5
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 60


class Preferences:
    """Stored as an INI file in the data directory, next to the core's files."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(data_dir / "ui-preferences.ini"), QSettings.Format.IniFormat)

    @property
    def language(self) -> str:
        value = str(self._settings.value("language", DEFAULT_LANGUAGE))
        return value if value in LANGUAGES else DEFAULT_LANGUAGE

    @language.setter
    def language(self, value: str) -> None:
        if value not in LANGUAGES:
            raise ValueError(f"unsupported language {value!r}")
        self._settings.setValue("language", value)
        self._settings.sync()

    @property
    def idle_minutes(self) -> int:
        try:
            value = int(str(self._settings.value("idle_minutes", DEFAULT_IDLE_MINUTES)))
        except ValueError:
            return DEFAULT_IDLE_MINUTES
        return min(max(value, MIN_IDLE_MINUTES), MAX_IDLE_MINUTES)

    @idle_minutes.setter
    def idle_minutes(self, value: int) -> None:
        if not MIN_IDLE_MINUTES <= value <= MAX_IDLE_MINUTES:
            raise ValueError(f"idle lock must be {MIN_IDLE_MINUTES}..{MAX_IDLE_MINUTES} minutes")
        self._settings.setValue("idle_minutes", value)
        self._settings.sync()

    @property
    def notifications(self) -> bool:
        return str(self._settings.value("notifications", "true")).lower() == "true"

    @notifications.setter
    def notifications(self, value: bool) -> None:
        self._settings.setValue("notifications", "true" if value else "false")
        self._settings.sync()

    @property
    def update_check(self) -> bool:
        """Check for updates automatically (on unless the user turned it off; IT's preset overrides)."""
        return str(self._settings.value("update_check", "true")).lower() == "true"

    @update_check.setter
    def update_check(self, value: bool) -> None:
        self._settings.setValue("update_check", "true" if value else "false")
        self._settings.sync()
