"""Language switching with Qt's translators; Dutch is the default, English the other choice.

Source strings in the code are English; `resources/i18n/opgelucht_<lang>.qm` translate them. Every
widget sets its texts in a `retranslate()` method that also runs on `QEvent.LanguageChange`, so a
switch takes effect at once without restarting.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

from opgelucht_desk.ui.resources import translations_dir

LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"


class Retranslating:
    """Mixin for a widget with a `retranslate()` method: runs it on `QEvent.LanguageChange`.

    List it before the Qt base class (`class LoginWindow(Retranslating, QWidget)`), so that its
    `changeEvent` is the one Qt calls and `super()` reaches the Qt class's own.
    """

    def retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)  # type: ignore[misc]  # the Qt base class follows in the MRO


def ui_locale(language: str, system: QLocale) -> QLocale:
    """The locale for dates and numbers: the system's own when it speaks the chosen language, else the
    chosen language with the system's region (English on a Dutch system writes 01/12/2026, not 12/1/26).
    A region Qt has no data for in that language falls back to the language's main region."""
    wanted = QLocale.Language.Dutch if language == "nl" else QLocale.Language.English
    if system.language() == wanted:
        return system
    combined = QLocale(wanted, system.territory())
    if combined.language() == wanted and combined.territory() == system.territory():
        return combined
    # Qt has no such pair: the language's main region, but never US dates for English in Europe.
    dutch = wanted == QLocale.Language.Dutch
    region = QLocale.Country.Netherlands if dutch else QLocale.Country.UnitedKingdom
    return QLocale(wanted, region)


class Translations:
    """Owns the installed translators; `switch()` replaces them and Qt retranslates every widget."""

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []
        self.language = DEFAULT_LANGUAGE

    def switch(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; choose one of {sorted(LANGUAGES)}")
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before choosing a language")
        self.uninstall()
        ours = QTranslator(app)
        if not ours.load(f"opgelucht_{language}", str(translations_dir())):
            raise FileNotFoundError(f"translation opgelucht_{language}.qm missing in {translations_dir()}")
        qt_own = QTranslator(app)  # standard dialogs and buttons (file dialog, OK, Cancel, …)
        if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt_own)
            self._installed.append(qt_own)
        qt_extra = QTranslator(app)  # what Qt's own translation leaves untranslated (shipped by us)
        if qt_extra.load(f"qtbase_extra_{language}", str(translations_dir())):
            app.installTranslator(qt_extra)
            self._installed.append(qt_extra)
        app.installTranslator(ours)
        self._installed.append(ours)
        QLocale.setDefault(ui_locale(language, QLocale.system()))
        self.language = language

    def uninstall(self) -> None:
        """Remove this object's translators (source language English remains)."""
        app = QCoreApplication.instance()
        for old in self._installed:
            if app is not None:
                app.removeTranslator(old)
            old.deleteLater()
        self._installed = []
