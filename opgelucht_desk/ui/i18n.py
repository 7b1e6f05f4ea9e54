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
        qt_own = QTranslator(app)  # standard dialog buttons (OK, Cancel, …)
        if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt_own)
            self._installed.append(qt_own)
        app.installTranslator(ours)
        self._installed.append(ours)
        QLocale.setDefault(QLocale(QLocale.Language.Dutch if language == "nl" else QLocale.Language.English))
        self.language = language

    def uninstall(self) -> None:
        """Remove this object's translators (source language English remains)."""
        app = QCoreApplication.instance()
        for old in self._installed:
            if app is not None:
                app.removeTranslator(old)
            old.deleteLater()
        self._installed = []
