"""Org admin views, statistics with suppression, and live language switching, against a real relay."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

from kit.relay import RelayServer
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.enrolment import EnrolmentWizard
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.preferences import Preferences
from opgelucht_desk.ui.stats import period_label, recent_periods, running_month
from ui.flows import TIMEOUT_MS, create_code, enrol, log_in, new_reporter, type_into

Run = Callable[[Coroutine[Any, Any, Any]], Any]
INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QSpinBox, QAbstractItemView)


def _qt_internal(control: QWidget, root: QWidget) -> bool:
    """Parts Qt builds inside a control (headers, popups, a spin box's editor, a clear button)."""
    if isinstance(control, QHeaderView) or control.window() is not root.window():
        return True
    parent = control.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, INTERACTIVE):
            return True
        parent = parent.parentWidget()
    return False


def _unnamed_controls(root: QWidget) -> list[str]:
    """Interactive controls a screen reader could not name: no accessible name, no text, no buddy label."""
    labelled = {label.buddy() for label in root.findChildren(QLabel) if label.buddy() is not None}
    missing = []
    for control in root.findChildren(QWidget):
        if not isinstance(control, INTERACTIVE) or control in labelled or _qt_internal(control, root):
            continue
        text = control.text() if isinstance(control, QAbstractButton) else ""
        if not (control.accessibleName() or text.replace("&", "").strip()):
            missing.append(f"{type(control).__name__} in {type(control.parentWidget()).__name__}")
    return missing


def _click_yes(qtbot: QtBot) -> None:
    qtbot.waitUntil(
        lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()),
        timeout=TIMEOUT_MS,
    )
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    yes = box.button(QMessageBox.StandardButton.Yes)
    assert yes is not None
    QTest.mouseClick(yes, Qt.MouseButton.LeftButton)


def test_admin_invites_a_colleague_and_publishes_the_list(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    preferences: Preferences,
    translations: Translations,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    admin_desk = open_desk("admin")
    admin = make_controller(admin_desk)
    main = enrol(
        qtbot, admin, relay, relay.new_org("Stichting West"), username="beheer", display_name="Bea"
    ).main
    assert main.admin is not None
    unnamed = _unnamed_controls(main)
    assert unnamed == [], "\n".join(unnamed)
    counsellors = main.admin.counsellors
    main.tabs.setCurrentWidget(main.admin)
    QTest.mouseClick(counsellors.invite_counsellor, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(counsellors.invitation.isVisible, timeout=TIMEOUT_MS)
    invitation = counsellors.invitation.text()
    assert invitation

    colleague_desk = open_desk("colleague")
    colleague = make_controller(colleague_desk, Preferences(tmp_path / "prefs2"))
    wizard = colleague.window
    assert isinstance(wizard, EnrolmentWizard)
    colleague_number = enrol(
        qtbot, colleague, relay, invitation, username="karel", display_name="Karel"
    ).safety_number
    assert colleague.main is not None and colleague.main.admin is None, "an invited counsellor is no admin"

    counsellors.load()
    qtbot.waitUntil(lambda: len(counsellors.counsellors) == 2, timeout=TIMEOUT_MS)
    row = next(r for r in range(2) if counsellors.table.item(r, 1).text() == "karel")  # type: ignore[union-attr]
    assert counsellors.table.item(row, 5).text() == colleague_number  # type: ignore[union-attr]
    assert counsellors.table.item(row, 4).text() == "nee, nog niet"  # type: ignore[union-attr]

    QTest.mouseClick(counsellors.publish, Qt.MouseButton.LeftButton)
    _click_yes(qtbot)
    qtbot.waitUntil(lambda: "gepubliceerd" in counsellors.feedback.text(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: all(c.in_roster for c in counsellors.counsellors) and len(counsellors.counsellors) == 2,
        timeout=TIMEOUT_MS,
    )
    assert counsellors.table.item(row, 4).text() == "ja"  # type: ignore[union-attr]

    # Articles: write one, publish it in the app, delete it again.
    articles = main.admin.articles
    main.admin.tabs.setCurrentWidget(articles)
    QTest.mouseClick(articles.new, Qt.MouseButton.LeftButton)
    type_into(articles.title, "Wat doet een vertrouwenspersoon?")
    type_into(articles.body, "Een vertrouwenspersoon luistert, adviseert en zoekt met je naar een oplossing.")
    articles.published.setChecked(True)
    QTest.mouseClick(articles.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: articles.list.count() == 1, timeout=TIMEOUT_MS)
    assert articles.articles[0].published and articles.articles[0].title == "Wat doet een vertrouwenspersoon?"
    articles.list.setCurrentRow(0)
    QTest.mouseClick(articles.delete, Qt.MouseButton.LeftButton)
    _click_yes(qtbot)
    qtbot.waitUntil(lambda: articles.list.count() == 0, timeout=TIMEOUT_MS)


def test_statistics_show_suppressed_codes_and_export_csv_then_switch_language(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    preferences: Preferences,
    translations: Translations,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    desk = open_desk("stats")
    controller = make_controller(desk)
    enrolled = enrol(
        qtbot, controller, relay, relay.new_org("Gemeente Telstad"), username="tel", display_name="Tel"
    )
    codes = {label: create_code(qtbot, enrolled.main, label) for label in ("Noord", "Zuid", "Oost")}
    codes_tab = enrolled.main.admin.codes if enrolled.main.admin else None
    assert codes_tab is not None
    codes_tab.save_qr(codes_tab.codes[0], tmp_path / "poster")  # the suffix is added
    poster = QImage(str(tmp_path / "poster.png"))
    assert not poster.isNull() and poster.width() > 200
    with qtbot.waitSignal(controller.locked, timeout=TIMEOUT_MS):
        controller.lock()
    reporters = [
        run(new_reporter(tmp_path, relay, codes[label], f"{label}-{i}"))
        for label, devices in (("Noord", 6), ("Zuid", 5), ("Oost", 1))
        for i in range(devices)
    ]
    # A device counts in a month when it joined at least a week before and was used on two days of
    # it (docs/stats.md): use the app on the 2nd and 3rd of the month after next.
    first = relay.clock.now().replace(day=1)
    for _month in range(2):
        first = (first + timedelta(days=32)).replace(day=1)
    relay.clock.set(first)
    for _day in range(2):
        relay.clock.advance(timedelta(days=1))
        for reporter in reporters:
            run(reporter.send_events([("screen", "home", 5)]))
    for reporter in reporters:
        run(reporter.aclose())
    month = relay.clock.now().strftime("%Y-%m")

    # The relay publishes a month once it is over: travel to the next one; the session has expired
    # by then, so the counsellor logs in again.
    relay.clock.advance(timedelta(days=32))
    main = log_in(qtbot, controller, relay, enrolled.totp_secret)
    stats = main.stats
    stats.set_periods(
        recent_periods(relay.clock.now().date()), running=running_month(relay.clock.now().date())
    )
    assert stats.current_period() == month
    assert stats.period.currentText() == period_label(month, QLocale())  # e.g. "november 2026"
    main.tabs.setCurrentWidget(stats)
    qtbot.waitUntil(lambda: stats.report is not None or stats.error.isVisible(), timeout=TIMEOUT_MS)
    assert stats.report is not None, stats.error.text()
    described = stats.chart.accessibleDescription()
    # 6 devices, rounded to a multiple of 5 (docs/stats.md; the test relay adds no noise)
    assert re.search(r"Noord: 5\b", described), described
    assert "Oost: minder dan 5 gebruikers" in described
    assert "Zuid: minder dan 5 gebruikers" in described, (
        "suppressed with Oost so that no subtraction isolates it"
    )
    export = tmp_path / "stats.csv"
    stats.export_csv(export)
    rows = list(csv.reader(export.read_text(encoding="utf-8").splitlines()))
    assert [month, "Oost", "minder dan 5 gebruikers", "", "", ""] in rows
    assert not any(r[1] == "Oost" and r[5] for r in rows[1:])

    # The month in progress is listed, with the reason it has no figures yet.
    today = relay.clock.now().date()
    stats.period.setCurrentIndex(stats.period.findData(running_month(today)))
    assert not stats.pending.isHidden() and stats.report is None
    assert "nog niet voorbij" in stats.pending.text()
    # A period without usage says so in words instead of showing an empty table.
    quiet = recent_periods(today)[2]
    stats.period.setCurrentIndex(stats.period.findData(quiet))
    assert stats.pending.isHidden()
    qtbot.waitUntil(lambda: stats.report is not None and stats.report.period == quiet, timeout=TIMEOUT_MS)
    assert not stats.empty.isHidden() and stats.table.isHidden()
    stats.period.setCurrentIndex(stats.period.findData(month))
    qtbot.waitUntil(lambda: stats.report is not None and stats.report.period == month, timeout=TIMEOUT_MS)
    assert stats.empty.isHidden() and not stats.table.isHidden()

    # Switching the language in the settings retranslates the open window at once.
    settings = main.settings
    settings.language.setCurrentIndex(settings.language.findData("en"))
    settings.language.activated.emit(settings.language.currentIndex())
    qtbot.waitUntil(lambda: main.tabs.tabText(main.tabs.indexOf(stats)) == "S&tatistics", timeout=TIMEOUT_MS)
    assert "Oost: fewer than 5 users" in stats.chart.accessibleDescription()
    assert settings.title.text() == "Settings"
    assert preferences.language == "en"
    settings.language.setCurrentIndex(settings.language.findData("nl"))
    settings.language.activated.emit(settings.language.currentIndex())
    qtbot.waitUntil(
        lambda: main.tabs.tabText(main.tabs.indexOf(stats)) == "S&tatistieken", timeout=TIMEOUT_MS
    )
