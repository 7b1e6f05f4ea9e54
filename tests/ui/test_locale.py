"""The chosen language reaches Qt's own dialogs, and dates follow the system's region."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from opgelucht_desk.ui.i18n import Translations, ui_locale
from opgelucht_desk.ui.messages import problem_text
from ui.test_translations import I18N, ROOT, _tool

DECEMBER_FIRST = QDate(2026, 12, 1)
ENGLISH_DIALOG_TEXTS = {"&Look in:", "File &name:", "Files of &type:", "&Save", "&Open", "Cancel"}


def _short(locale: QLocale) -> str:
    return locale.toString(DECEMBER_FIRST, QLocale.FormatType.ShortFormat)


def test_the_file_dialog_speaks_dutch(qtbot: QtBot, qapp: QApplication, translations: Translations) -> None:
    for mode in (QFileDialog.AcceptMode.AcceptSave, QFileDialog.AcceptMode.AcceptOpen):
        dialog = QFileDialog(None, "Opslaan")
        qtbot.addWidget(dialog)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(mode)
        dialog.show()
        texts = {w.text() for w in dialog.findChildren(QLabel)} | {
            b.text() for b in dialog.findChildren(QPushButton)
        }
        assert not texts & ENGLISH_DIALOG_TEXTS, (
            f"English in the Dutch file dialog: {texts & ENGLISH_DIALOG_TEXTS}"
        )
        assert "Bestands&naam:" in texts


def test_english_on_a_dutch_system_writes_day_first_dates() -> None:
    assert _short(ui_locale("en", QLocale("nl_NL"))) == "01/12/2026", "not the US 12/1/26"
    assert _short(ui_locale("nl", QLocale("nl_NL"))) == "01-12-2026"
    assert ui_locale("nl", QLocale("nl_BE")).name() == "nl_BE", "the system's own Dutch (Belgium) is kept"
    assert ui_locale("en", QLocale("en_US")).name() == "en_US", "a US system keeps its own format"
    assert _short(ui_locale("en", QLocale("C"))) == "01/12/2026", "no region: British, not US"


def test_the_app_uses_the_chosen_language_with_the_system_region(translations: Translations) -> None:
    translations.switch("en")
    try:
        expected = ui_locale("en", QLocale.system())
        assert QLocale().name() == expected.name()
    finally:
        translations.switch("nl")


def test_compiled_qt_extra_translation_is_up_to_date(tmp_path: Path) -> None:
    compiled = tmp_path / "qtbase_extra_nl.qm"
    subprocess.run(
        [_tool("pyside6-lrelease"), "-silent", str(I18N / "qtbase_extra_nl.ts"), "-qm", str(compiled)],
        check=True,
        capture_output=True,
    )
    assert compiled.read_bytes() == (I18N / "qtbase_extra_nl.qm").read_bytes(), (
        "run scripts/update-translations.sh"
    )


def _core_problem_texts() -> list[str]:
    """Every conversation-level problem text the core writes (add_problem, flag, the summary's own),
    with the f-string parts filled in as the core fills them."""
    found = []
    written = re.compile(r'(?:add_problem|\.flag\([^,()]+,|problems\.append)\(?\s*f?"([^"]+)"')
    for source in sorted((ROOT / "opgelucht_desk" / "core").glob("*.py")):
        for literal in written.findall(source.read_text(encoding="utf-8")):
            found.append(
                literal.replace("{missing}", "2").replace(
                    "{removal.describe()}", "a device that was removed from the roster (version 3)"
                )
            )
    assert len(found) >= 8, found
    return found


def test_a_conversations_problems_are_shown_in_dutch(translations: Translations) -> None:
    """Issue 10 (English in the Dutch UI): under Xvfb a new counsellor's first conversation said
    "Verificatieprobleem in dit gesprek: older messages have not been shared with this computer yet",
    and a gap "2 message(s) from a sender are missing (gap)". Every problem text of the core is worded
    in the chosen language."""
    problems = _core_problem_texts()
    dutch = [problem_text(p) for p in problems]
    untranslated = [p for p, nl in zip(problems, dutch, strict=True) if nl == p or "{" in p]
    assert untranslated == [], f"shown in English in the Dutch UI: {untranslated}"
    joined = problem_text("; ".join(problems[:2]))
    assert joined == "; ".join(dutch[:2]), "several problems are each translated"
    assert problem_text("2 message(s) from a sender are missing (gap)") == (
        "2 berichten van een afzender ontbreken (gat)"
    )
    translations.switch("en")
    try:
        assert problem_text("1 message(s) from a sender are missing (gap)") == (
            "1 message from a sender is missing (gap)"
        )
    finally:
        translations.switch("nl")
