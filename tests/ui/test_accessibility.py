"""What a screen-reader or keyboard user meets, read from Qt's accessibility tree of the real windows:
every control has an accessible name in Dutch and in English, every control can be reached with Tab,
and the text still fits at twice the normal text size."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.main_window import MainWindow
from opgelucht_desk.ui.style import apply_style
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QPlainTextEdit,
    QTextEdit,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
)


def _controls(window: QWidget) -> Iterator[QWidget]:
    """The controls a person operates, without the parts Qt builds inside composite widgets."""
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QScrollBar):
            continue
        if widget.objectName().startswith("qt_") or _inside_composite(widget):
            continue
        yield widget


def _inside_composite(widget: QWidget) -> bool:
    ancestor = widget.parentWidget()
    while ancestor is not None:
        if isinstance(ancestor, QComboBox | QAbstractSpinBox | QTabBar | QAbstractItemView | QLineEdit):
            return True  # a combo box's popup list, a line edit's clear button: named by their owner
        ancestor = ancestor.parentWidget()
    return False


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    where = f"{type(widget.parentWidget()).__name__} in {type(widget.window()).__name__}"
    return f"{type(widget).__name__}({widget.objectName() or text or '?'}) in {where}"


def _unnamed(window: QWidget) -> list[str]:
    missing = []
    for widget in _controls(window):
        interface = QAccessible.queryAccessibleInterface(widget)
        assert interface is not None
        if not interface.text(QAccessible.Text.Name).strip():
            missing.append(_describe(widget))
    return missing


def _tab_pages(window: QWidget) -> Iterator[None]:
    """Show every page of every tab widget in turn (nested tabs too)."""
    yield
    for tabs in window.findChildren(QTabWidget):
        for index in range(tabs.count()):
            if tabs.isTabEnabled(index) and tabs.isTabVisible(index):
                tabs.setCurrentIndex(index)
                yield


def _not_reachable(window: QWidget) -> list[str]:
    """Visible, enabled controls that Tab never lands on."""
    return [
        _describe(widget)
        for widget in _controls(window)
        if widget.isVisible() and widget.isEnabled() and not widget.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]


def _clipped(window: QWidget) -> list[str]:
    """One-line labels narrower than their text: cut off for the reader."""
    return [
        f"QLabel({label.text()[:40]!r})"
        for label in window.findChildren(QLabel)
        if label.isVisible()
        and label.text()
        and not label.wordWrap()
        and label.pixmap().isNull()
        and label.width() < label.minimumSizeHint().width()
    ]


def _check_window(window: QWidget, translations: Translations) -> None:
    for language in ("nl", "en"):
        translations.switch(language)
        assert _unnamed(window) == [], f"controls without an accessible name ({language})"
        for _page in _tab_pages(window):
            assert _not_reachable(window) == [], "controls Tab never reaches"
    translations.switch("nl")


def test_every_control_is_named_and_reachable_in_both_languages(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    translations: Translations,
    make_controller: Callable[..., Controller],
) -> None:
    controller = make_controller(open_desk("a11y"))
    assert controller.window is not None
    _check_window(controller.window, translations)  # the enrolment wizard, every page
    main = enrol(
        qtbot, controller, relay, relay.new_org("Toegankelijk BV"), username="toegang", display_name="Tom"
    ).main
    create_code(qtbot, main, "Kantine")
    assert main.admin is not None and main.admin.codes.feedback.text(), "a result line in Dutch"
    _check_window(main, translations)
    feedback = main.admin.codes.feedback  # no stale result line left behind in the other language
    qtbot.waitUntil(lambda: feedback.text() == "", timeout=TIMEOUT_MS)
    with qtbot.waitSignal(controller.locked, timeout=TIMEOUT_MS):
        controller.lock()
    assert controller.window is not None
    _check_window(controller.window, translations)  # the login window


def test_the_style_sizes_follow_the_text_size(qapp: QApplication, translations: Translations) -> None:
    normal = qapp.font()
    large = QFont(normal)
    large.setPointSizeF(normal.pointSizeF() * 2)
    qapp.setFont(large)
    apply_style(qapp)
    try:
        for name in ("bubbleMeta", "pageTitle", "safetyNumber"):
            label = QLabel("·")
            label.setObjectName(name)
            label.ensurePolished()
            assert label.font().pointSizeF() >= large.pointSizeF(), f"{name} stays small at 200 % text"
    finally:
        qapp.setFont(normal)
        apply_style(qapp)


def test_text_fits_at_double_size(
    qtbot: QtBot,
    qapp: QApplication,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    translations: Translations,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    normal = qapp.font()
    large = QFont(normal)
    large.setPointSizeF(normal.pointSizeF() * 2)
    qapp.setFont(large)
    apply_style(qapp)  # the style's own sizes follow the text size
    try:
        controller = make_controller(open_desk("large"))
        main = enrol(
            qtbot,
            controller,
            relay,
            relay.new_org("Groot Lettertype BV"),
            username="groteletter",
            display_name="Gea",
        )
        window = main.main
        assert isinstance(window, MainWindow)
        # The window opens within the screen, and can be made smaller than its pages need (they scroll):
        # under Xvfb at QT_FONT_DPI=192 it was twice the screen's width, lock button and status bar
        # off the screen, and it could not be made narrower.
        room = window.screen().availableGeometry().size()
        assert window.width() <= room.width() and window.height() <= room.height(), (window.size(), room)
        hint = window.minimumSizeHint()
        assert hint.width() <= room.width() and hint.height() <= room.height(), (hint, room)
        window.resize(1400, 900)
        for _page in _tab_pages(window):
            QApplication.processEvents()
            assert _clipped(window) == [], "text cut off at 200 % text size"
    finally:
        qapp.setFont(normal)
        apply_style(qapp)


def _tab_traps(window: QWidget) -> list[str]:
    """Visible, enabled controls that keep the focus when Tab is pressed in them: a table that moves
    from cell to cell forever, a text box that types a tab character. A keyboard user is stuck there."""
    stuck = []
    for widget in _controls(window):
        if not (widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            continue
        if isinstance(widget, QAbstractItemView) and widget.model() is not None and widget.model().rowCount():
            widget.setCurrentIndex(widget.model().index(0, 0))  # where a click or arrow key leaves it
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        if QApplication.focusWidget() is not widget:
            continue  # cannot take the focus here (e.g. inside a hidden page)
        QTest.keyClick(widget, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is widget:
            stuck.append(_describe(widget))
    return stuck


def test_tab_leaves_every_control_of_the_main_window(
    qtbot: QtBot,
    relay: RelayServer,
    run: Callable[[Coroutine[Any, Any, Any]], Any],
    open_desk: Callable[[str], Desk],
    translations: Translations,
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    """Issue 10 (accessibility): under Xvfb, Tab in the inbox list after choosing a conversation only
    moved from column to column, and Tab in the reply box typed a tab: the reply and Send were out of a
    keyboard user's reach. Tab must move on from every control (Ctrl+Enter still sends)."""
    controller = make_controller(open_desk("tabwalk"))
    main = enrol(
        qtbot, controller, relay, relay.new_org("Tabtoets BV"), username="tabber", display_name="Tineke"
    ).main
    code = create_code(qtbot, main, "Receptie")
    main.tabs.setCurrentWidget(main.inbox)
    reporter = run(new_reporter(tmp_path, relay, code, "Ruben"))
    conv_id = run(reporter.open_conversation())
    run(reporter.say(conv_id, "Er gebeurde iets op de afdeling."))
    inbox = main.inbox
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=TIMEOUT_MS)
    inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: inbox.conversation.reply.isVisible(), timeout=TIMEOUT_MS)
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=TIMEOUT_MS)
    for _page in _tab_pages(main):
        traps = _tab_traps(main)
        assert traps == [], f"Tab does not leave these controls: {traps}"
    assert inbox.conversation.reply.toPlainText() == ""
