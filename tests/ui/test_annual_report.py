"""The annual report page against a real relay: the type of help set in the conversation view, the
figures shown live on the "Jaarverslag" tab, a period that is not a calendar year, and both exports."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from kit.relay import RelayServer
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.core.model import Category, Status
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.preferences import Preferences
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def _cells(table: Any) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_help_type_in_the_conversation_and_the_report_page_with_exports(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    preferences: Preferences,
    translations: Translations,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    desk = open_desk("counsellor")
    controller = make_controller(desk)
    main = enrol(qtbot, controller, relay, relay.new_org("Zorggroep Jaarverslag")).main
    code = create_code(qtbot, main, "Locatie Noord")
    main.tabs.setCurrentWidget(main.inbox)
    inbox = main.inbox
    reporter = run(new_reporter(tmp_path, relay, code, "Kanarie-Merel"))
    conv_id = run(reporter.open_conversation())
    run(reporter.say(conv_id, "KANARIE-jaarverslag-tekst"))
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=TIMEOUT_MS)
    inbox.select(conv_id)
    view = inbox.conversation
    qtbot.waitUntil(lambda: view.conv_id is not None, timeout=TIMEOUT_MS)
    run(desk.set_category(conv_id, Category.PESTEN))
    run(desk.set_status(conv_id, Status.CLOSED))
    help_index = view.help_type.findData("bemiddeling")
    assert view.help_type.itemText(help_index) == "bemiddeling"
    view.help_type.setCurrentIndex(help_index)
    view.help_type.activated.emit(help_index)
    qtbot.waitUntil(lambda: desk.register().help_type(str(conv_id)) == "bemiddeling", timeout=TIMEOUT_MS)
    run(desk.sync_now())
    run(desk.register().sync())

    page = main.annual
    main.tabs.setCurrentWidget(page)
    assert main.tabs.tabText(main.tabs.indexOf(page)) == "&Jaarverslag"
    qtbot.waitUntil(lambda: page.report is not None and page.report.cases == 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: page.report is not None and page.report.closed == 1, timeout=TIMEOUT_MS)
    assert ["pesten", "1"] in _cells(page.category_table)
    assert ["bemiddeling", "1"] in _cells(page.help_table)
    assert ["Locatie Noord", "< 5", "< 5"] in _cells(page.code_table)
    assert page.note.isVisible() and "< 5" in page.note.text()
    assert page.title.text() == "Jaarverslag"

    # Another period: no per-code table, and the reason why.
    page.period.setCurrentIndex(page.period.findData("custom"))
    assert page.start.isVisible() and page.code_table.isHidden()
    assert "kalenderjaar" in page.note.text()
    page.period.setCurrentIndex(0)

    pdf, csv = tmp_path / "jaarverslag.pdf", tmp_path / "jaarverslag.csv"
    page.save_pdf(pdf)
    page.save_csv(csv)
    qtbot.waitUntil(lambda: pdf.exists() and csv.exists(), timeout=TIMEOUT_MS)
    doc = pdfium.PdfDocument(pdf.read_bytes())
    try:
        text = " ".join(doc[0].get_textpage().get_text_range().split())
    finally:
        doc.close()
    assert "Zorggroep Jaarverslag" in text and "Locatie Noord < 5 < 5" in text
    for content in (text, csv.read_text()):
        assert "Kanarie-Merel" not in content and "KANARIE" not in content
    # The admin sets the register's retention here.
    assert page.retention.isVisible() and page.retention.value() == 730
    page.retention.setValue(365)
    page.save_retention()
    qtbot.waitUntil(lambda: desk.register().retention_days == 365, timeout=TIMEOUT_MS)
    run(reporter.aclose())
