"""The authenticator code field (issue 10, major 2) and the grouped TOTP secret (issue 10, minor).

With the old input mask, a click anywhere but the far left put the cursor after six blank positions
and typed digits vanished; a pasted "123 456" did not fit either. These tests click where a person
clicks and paste what authenticator apps copy."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from kit.relay import RelayServer
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWizard
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.ui.code_field import CodeField, grouped
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.enrolment import EnrolmentWizard
from opgelucht_desk.ui.login import LoginWindow
from ui.flows import PASSWORD, TIMEOUT_MS, type_into


@pytest.fixture
def field(qtbot: QtBot, qapp: QApplication) -> Iterator[CodeField]:
    widget = CodeField()
    widget.resize(240, 32)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def click_at(field: CodeField, x: int) -> None:
    QTest.mouseClick(field, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, 16))


@pytest.mark.parametrize("x", [2, 120, 236])
def test_digits_typed_after_a_click_anywhere_arrive(field: CodeField, x: int) -> None:
    click_at(field, x)
    QTest.keyClicks(field, "482913")
    assert field.code() == "482913"
    assert field.is_complete()


@pytest.mark.parametrize("pasted", ["123 456", "123456", "123-456", " 123 456\n", "123\u00a0456"])
def test_a_pasted_code_is_taken_without_its_separators(field: CodeField, pasted: str) -> None:
    QGuiApplication.clipboard().setText(pasted)
    click_at(field, 120)
    QTest.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.code() == "123456"
    assert field.is_complete()


def test_letters_and_a_seventh_digit_are_refused_and_nothing_typed_is_lost(field: CodeField) -> None:
    click_at(field, 120)
    QTest.keyClicks(field, "12a3")
    assert field.code() == "123"
    assert not field.is_complete()
    QTest.keyClicks(field, "4567")
    assert field.code() == "123456"
    QGuiApplication.clipboard().setText("1234567")
    field.clear()
    QTest.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.code() == ""  # refused as a whole: not silently cut to six digits


def test_a_digit_typed_in_the_middle_goes_where_the_cursor_is(field: CodeField) -> None:
    QTest.keyClicks(field, "12456")
    field.setCursorPosition(2)
    QTest.keyClicks(field, "3")
    assert field.code() == "123456"


def test_the_login_window_uses_the_same_field(qtbot: QtBot, open_desk: Callable[[str], Desk]) -> None:
    login = LoginWindow(open_desk("login"))
    qtbot.addWidget(login)
    assert isinstance(login.code, CodeField)


def test_the_secret_is_shown_in_blocks_of_four() -> None:
    assert grouped("JBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP"
    assert grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"
    assert grouped("JBSW Y3DP") == "JBSW Y3DP"  # idempotent


def test_the_wizard_shows_the_secret_grouped_and_copies_it_without_spaces(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
) -> None:
    controller = make_controller(open_desk("grouped"))
    wizard = controller.window
    assert isinstance(wizard, EnrolmentWizard)
    type_into(wizard.relay_page.relay, relay.url)
    type_into(wizard.relay_page.invitation, relay.new_org("Gemeente Groepjes"))
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    QTest.mouseClick(next_button, Qt.MouseButton.LeftButton)
    account = wizard.account_page
    for field, text in zip(
        (account.username, account.display_name, account.password, account.repeat),
        ("groepjes", "Gijs Groep", PASSWORD, PASSWORD),
        strict=True,
    ):
        type_into(field, text)
    QTest.mouseClick(next_button, Qt.MouseButton.LeftButton)
    page = wizard.totp_page
    qtbot.waitUntil(lambda: wizard.currentPage() is page, timeout=TIMEOUT_MS)
    challenge = account.challenge
    assert challenge is not None
    assert grouped(challenge.totp_secret) in page.secret.text()
    assert challenge.totp_secret not in page.secret.text()
    QTest.mouseClick(page.copy_secret, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == challenge.totp_secret
    # The code field is the shared one: typing after a click in its middle works here too.
    assert isinstance(page.code, CodeField)
    QTest.mouseClick(
        page.code, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, page.code.rect().center()
    )
    QTest.keyClicks(page.code, relay.totp(challenge.totp_secret))
    assert page.code.is_complete() and next_button.isEnabled()
