"""The administrator's tab of key backups: the organisation key and this counsellor's identity, sealed
with a passphrase."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.ui.admin_widgets import Feedback
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


class KeyBackupTab(Retranslating, QWidget):
    """The offline backup of the organisation key (DESIGN §2): export it encrypted with a passphrase,
    or import it on a new installation."""

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.export_button = QPushButton()
        self.import_button = QPushButton()
        self.feedback = Feedback()
        self.passphrase_label, self.repeat_label = QLabel(), QLabel()
        self.passphrase_label.setBuddy(self.passphrase)
        self.repeat_label.setBuddy(self.repeat)
        self.form = QFormLayout()
        self.form.addRow(self.passphrase_label, self.passphrase)
        self.form.addRow(self.repeat_label, self.repeat)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.feedback)
        layout.addStretch(1)
        self.export_button.clicked.connect(self._export_clicked)
        self.import_button.clicked.connect(self._import_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        self.explain.setText(
            self.tr(
                "The organisation key signs the list of counsellors. Keep an offline backup of it, "
                "protected by a long passphrase, on a USB stick in a safe. Without the key nobody can "
                "add or remove counsellors. To restore it on a new computer, choose Import."
            )
        )
        self.passphrase_label.setText(self.tr("&Passphrase (at least 12 characters):"))
        self.repeat_label.setText(self.tr("Re&peat passphrase:"))
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.repeat.setAccessibleName(self.tr("Repeat passphrase"))
        self.passphrase.setPlaceholderText(self.tr("A long sentence only you know"))
        self.repeat.setPlaceholderText(self.tr("The same passphrase again"))
        self.export_button.setText(self.tr("&Export organisation key…"))
        self.import_button.setText(self.tr("I&mport organisation key…"))

    def _export_clicked(self) -> None:
        path, _f = QFileDialog.getSaveFileName(
            self, self.tr("Save organisation key backup"), "opgelucht-org-key.opgbackup", "(*.opgbackup)"
        )
        if path:
            self.export_to(Path(path))

    def _import_clicked(self) -> None:
        path, _f = QFileDialog.getOpenFileName(
            self, self.tr("Open organisation key backup"), "", "(*.opgbackup)"
        )
        if path:
            self.import_from(Path(path))

    def export_to(self, path: Path) -> None:
        if self.passphrase.text() != self.repeat.text():
            self.feedback.warn(self.tr("The two passphrases are not the same."))
            return

        def done(_r: object) -> None:
            self._clear()
            self.feedback.ok(
                self.tr("The organisation key backup was saved. Keep it and the passphrase apart.")
            )

        spawn(
            self.desk.export_org_key_backup(path, self.passphrase.text()), on_done=done, on_error=self._failed
        )

    def import_from(self, path: Path) -> None:
        def done(_r: object) -> None:
            self._clear()
            self.feedback.ok(
                self.tr("The organisation key was imported: this computer can publish the list.")
            )

        spawn(
            self.desk.import_org_key_backup(path, self.passphrase.text()), on_done=done, on_error=self._failed
        )

    def _clear(self) -> None:
        self.passphrase.clear()
        self.repeat.clear()

    def _failed(self, exc: BaseException) -> None:
        self.feedback.fail(exc)
