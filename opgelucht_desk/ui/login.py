"""Login / unlock window: password and a TOTP code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from opgelucht_desk.ui.code_field import CodeField
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


class LoginWindow(Retranslating, QWidget):
    """Emits `unlocked` after `Desk.login` succeeded. Holds no decrypted content."""

    unlocked = Signal()
    closed = Signal()  # the user closed the window (×): the app quits

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginWindow")
        self.desk = desk
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.who = QLabel()
        self.locked_note = QLabel()
        self.locked_note.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.code = CodeField()
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)
        self.code_label = QLabel()
        self.code_label.setBuddy(self.code)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.button = QPushButton()
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        form = QFormLayout()
        form.addRow(self.password_label, self.password)
        form.addRow(self.code_label, self.code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.who)
        layout.addWidget(self.locked_note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.button)
        layout.addStretch(1)
        self.setTabOrder(self.password, self.code)
        self.setTabOrder(self.code, self.button)
        self.button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.code.setFocus)
        self.code.returnPressed.connect(self.submit)
        self.password.textChanged.connect(self._update_button)
        self.code.textChanged.connect(self._update_button)
        self._busy = False
        self.resize(420, 320)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Opgelucht Desk: log in"))
        self.title.setText(self.tr("Log in"))
        account = self.desk.account
        if account is not None:
            self.who.setText(
                self.tr("%1 (%2) at %3")
                .replace("%1", account.display_name)
                .replace("%2", account.username)
                .replace("%3", account.relay_url)
            )
        self.locked_note.setText(self.tr("Your conversations are hidden until you log in again."))
        self.password_label.setText(self.tr("&Password:"))
        self.code_label.setText(self.tr("&Code:"))
        self.password.setAccessibleName(self.tr("Password"))
        self.code.setAccessibleName(self.tr("Six-digit code from your authenticator app"))
        self.button.setText(self.tr("Log in"))
        self.button.setAccessibleName(self.tr("Log in"))
        self._update_button()

    def show_session_ended(self) -> None:
        self.error.setText(self.tr("Your session on the relay has ended. Log in again to continue."))
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        """While busy (logging in, or the core still locking) the button does nothing."""
        self._busy = busy
        self._update_button()

    def _update_button(self) -> None:
        self.button.setEnabled(not self._busy and bool(self.password.text()) and self.code.is_complete())

    def submit(self) -> None:
        if not self.button.isEnabled():
            return
        self._busy = True
        self._update_button()
        self.error.hide()
        spawn(
            self.desk.login(self.password.text(), self.code.code()), on_done=self._done, on_error=self._failed
        )

    def _done(self, _result: object) -> None:
        self._busy = False
        self.password.clear()
        self.code.clear()
        self.unlocked.emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.code.clear()
        self.error.setText(describe_error(exc))
        self.error.show()
        self._update_button()
        self.password.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
