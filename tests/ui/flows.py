"""What a counsellor does with the real widgets, as reusable steps for the UI tests and screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.enrolment import EnrolmentWizard
from opgelucht_desk.ui.login import LoginWindow
from opgelucht_desk.ui.main_window import MainWindow
from opgelucht_relay.clock import unix
from opgelucht_reporter.client import ReporterClient

PASSWORD = "paars fietsje drijft op de gracht"
TIMEOUT_MS = 20_000


def type_into(widget: object, text: str) -> None:
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    widget.setFocus()
    QTest.keyClicks(widget, text)


@dataclass(frozen=True)
class Enrolled:
    main: MainWindow
    totp_secret: str  # what the counsellor's authenticator app keeps
    safety_number: str  # as the wizard's last page showed it


def enrol(
    qtbot: QtBot,
    controller: Controller,
    relay: RelayServer,
    invitation: str,
    *,
    username: str = "jdevries",
    display_name: str = "Jan de Vries",
) -> Enrolled:
    """Walk the wizard from the first page to the inbox."""
    wizard = controller.window
    assert isinstance(wizard, EnrolmentWizard)
    type_into(wizard.relay_page.relay, relay.url)
    type_into(wizard.relay_page.invitation, invitation)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert next_button.isEnabled()
    QTest.mouseClick(next_button, Qt.MouseButton.LeftButton)
    account = wizard.account_page
    assert wizard.currentPage() is account
    type_into(account.username, username)
    type_into(account.display_name, display_name)
    type_into(account.password, PASSWORD)
    type_into(account.repeat, PASSWORD)
    QTest.mouseClick(next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.totp_page, timeout=TIMEOUT_MS)
    challenge = account.challenge
    assert challenge is not None
    assert wizard.totp_page.qr.pixmap() is not None and not wizard.totp_page.qr.pixmap().isNull()
    type_into(wizard.totp_page.code, relay.totp(challenge.totp_secret))
    QTest.mouseClick(next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.safety_page, timeout=TIMEOUT_MS)
    safety_number = " ".join(wizard.safety_page.number.text().split())
    with qtbot.waitSignal(controller.window_changed, timeout=TIMEOUT_MS):
        QTest.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    main = controller.window
    assert isinstance(main, MainWindow)
    return Enrolled(main, challenge.totp_secret, safety_number)


def log_in(qtbot: QtBot, controller: Controller, relay: RelayServer, totp_secret: str) -> MainWindow:
    login = controller.window
    assert isinstance(login, LoginWindow)
    type_into(login.password, PASSWORD)
    type_into(login.code, relay.totp(totp_secret))
    with qtbot.waitSignal(controller.window_changed, timeout=TIMEOUT_MS):
        QTest.mouseClick(login.button, Qt.MouseButton.LeftButton)
    main = controller.window
    assert isinstance(main, MainWindow)
    return main


def create_code(qtbot: QtBot, main: MainWindow, label: str) -> str:
    """As the org admin: Organisation tab → codes → type a label → New code. Returns the code."""
    admin = main.admin
    assert admin is not None
    main.tabs.setCurrentWidget(admin)
    admin.tabs.setCurrentWidget(admin.codes)
    codes = admin.codes
    before = len(codes.codes)
    type_into(codes.label, label)
    QTest.mouseClick(codes.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(codes.codes) == before + 1, timeout=TIMEOUT_MS)
    created = next(c for c in codes.codes if c.label == label)
    return created.code


async def new_reporter(directory: Path, relay: RelayServer, code: str, pseudonym: str) -> ReporterClient:
    """The mobile app of one employee: joins with the org code and picks a pseudonym."""
    reporter = ReporterClient(directory / f"{pseudonym}.json", clock=lambda: unix(relay.clock.now()))
    await reporter.join(code, relay_url=relay.url)
    reporter.set_profile(pseudonym, age_category="25-34", gender="vrouw")
    return reporter
