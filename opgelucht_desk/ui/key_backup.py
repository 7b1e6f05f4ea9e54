"""A further computer for the same counsellor (docs/desktop-core.md): save the identity key backup in
Settings on the first computer, add the new computer with it from the enrolment wizard."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk

FILE_FILTER = "(*.opgbackup)"


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _message_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    return label


class IdentityBackupBox(Retranslating, QGroupBox):
    """Settings: save this counsellor's identity key, encrypted with a passphrase, for another computer."""

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.explain = _message_label()
        self.passphrase = _password_field()
        self.repeat = _password_field()
        self.save = QPushButton()
        self.feedback = _message_label()
        self.passphrase_label, self.repeat_label = QLabel(), QLabel()
        self.passphrase_label.setBuddy(self.passphrase)
        self.repeat_label.setBuddy(self.repeat)
        form = QFormLayout()
        form.addRow(self.passphrase_label, self.passphrase)
        form.addRow(self.repeat_label, self.repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.feedback)
        self.save.clicked.connect(self._save_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Another computer"))
        self.explain.setText(
            self.tr(
                "To use Opgelucht Desk on a second computer, save a key backup here, protected by a long "
                "passphrase, and open it on the new computer in the set-up window. Delete the file "
                "afterwards. Your admin then publishes the list of counsellors with the new computer."
            )
        )
        self.passphrase_label.setText(self.tr("Pass&phrase (at least 12 characters):"))
        self.repeat_label.setText(self.tr("Repeat pass&phrase:"))
        self.save.setText(self.tr("Save &key backup for another computer…"))

    def _save_clicked(self) -> None:
        path, _f = QFileDialog.getSaveFileName(
            self, self.tr("Save key backup"), "opgelucht-identity.opgbackup", FILE_FILTER
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        if self.passphrase.text() != self.repeat.text():
            self.feedback.setText(self.tr("The two passphrases are not the same."))
            return

        def done(_r: object) -> None:
            self.passphrase.clear()
            self.repeat.clear()
            self.feedback.setText(self.tr("The key backup was saved."))

        def failed(exc: BaseException) -> None:
            self.feedback.setText(describe_error(exc))

        spawn(self.desk.export_identity_backup(path, self.passphrase.text()), on_done=done, on_error=failed)


class FurtherComputerDialog(Retranslating, QDialog):
    """Enrol this computer with the key backup of a counsellor enrolled elsewhere. Emits `enrolled`."""

    enrolled = Signal()

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.explain = _message_label()
        self.file = QLineEdit()
        self.browse = QPushButton()
        self.passphrase = _password_field()
        self.password = _password_field()
        self.code = QLineEdit()
        self.code.setMaxLength(6)
        self.add = QPushButton()
        self.error = _message_label()
        self.error.setObjectName("errorText")
        self.labels = [QLabel() for _ in range(4)]
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)
        file_host = QWidget()
        file_host.setLayout(file_row)
        form = QFormLayout()
        for label, field in zip(
            self.labels, (self.file, self.passphrase, self.password, self.code), strict=True
        ):
            label.setBuddy(field)
            form.addRow(label, file_host if field is self.file else field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.add)
        self.browse.clicked.connect(self._browse_clicked)
        self.add.clicked.connect(self.submit)
        self.resize(560, 320)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Add this computer"))
        self.explain.setText(
            self.tr(
                "Already using Opgelucht Desk on another computer? Open the key backup you saved there "
                "(Settings, Another computer) and log in with your password and a code from your "
                "authenticator app."
            )
        )
        for label, text in zip(
            self.labels,
            (self.tr("Key &backup:"), self.tr("Pass&phrase:"), self.tr("&Password:"), self.tr("&Code:")),
            strict=True,
        ):
            label.setText(text)
        self.browse.setText(self.tr("&Choose…"))
        # The label's buddy sits inside a row with the Choose button: Qt cannot name it from the label.
        self.file.setAccessibleName(self.tr("Key backup file"))
        self.add.setText(self.tr("&Add this computer"))

    def _browse_clicked(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, self.tr("Open key backup"), "", FILE_FILTER)
        if path:
            self.file.setText(path)

    def submit(self) -> None:
        self.add.setEnabled(False)
        self.error.clear()

        def done(_r: object) -> None:
            self.passphrase.clear()
            self.password.clear()
            self.enrolled.emit()
            self.accept()

        def failed(exc: BaseException) -> None:
            self.add.setEnabled(True)
            self.error.setText(describe_error(exc))

        spawn(
            self.desk.enrol_further_computer(
                Path(self.file.text().strip()), self.passphrase.text(), self.password.text(), self.code.text()
            ),
            on_done=done,
            on_error=failed,
        )
