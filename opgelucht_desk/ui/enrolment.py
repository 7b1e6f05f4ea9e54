"""First-run enrolment wizard: relay and invitation, account and password, TOTP, keys, safety number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from opgelucht_desk.core.model import EnrolmentChallenge, EnrolmentResult
from opgelucht_desk.ui.code_field import CodeField, grouped
from opgelucht_desk.ui.formatting import format_safety_number
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.key_backup import FurtherComputerDialog
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.password_strength import StrengthMeter, password_strength
from opgelucht_desk.ui.qr import qr_pixmap
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("errorText")
    label.setWordWrap(True)
    label.hide()
    return label


def _show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class RelayPage(Retranslating, QWizardPage):
    """Relay address (IT's preset pre-filled and fixed) and the one-time invitation code."""

    def __init__(self, preset_relay_url: str | None) -> None:
        super().__init__()
        self.preset = preset_relay_url
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.relay = QLineEdit(preset_relay_url or "")
        self.relay.setReadOnly(preset_relay_url is not None)
        self.preset_note = QLabel()
        self.preset_note.setVisible(preset_relay_url is not None)
        self.invitation = QLineEdit()
        self.relay_label = QLabel()
        self.invitation_label = QLabel()
        self.relay_label.setBuddy(self.relay)
        self.invitation_label.setBuddy(self.invitation)
        form = QFormLayout()
        form.addRow(self.relay_label, self.relay)
        form.addRow("", self.preset_note)
        form.addRow(self.invitation_label, self.invitation)
        self.further = QPushButton()  # a counsellor enrolled on another computer: no invitation needed
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.further, 0, Qt.AlignmentFlag.AlignLeft)
        self.relay.textChanged.connect(self.completeChanged)
        self.invitation.textChanged.connect(self.completeChanged)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Welcome to Opgelucht Desk"))
        self.intro.setText(
            self.tr(
                "Enter the relay address and the one-time invitation code you received from your "
                "organisation administrator or from the Opgelucht service desk."
            )
        )
        self.relay_label.setText(self.tr("&Relay address:"))
        self.preset_note.setText(self.tr("Set by your IT department."))
        self.invitation_label.setText(self.tr("&Invitation code:"))
        self.relay.setAccessibleName(self.tr("Relay address"))
        self.relay.setPlaceholderText("https://relay.example.nl")
        self.invitation.setAccessibleName(self.tr("Invitation code"))
        self.further.setText(self.tr("Already enrolled on another computer? Add &this computer…"))

    def isComplete(self) -> bool:
        url = self.relay.text().strip()
        return url.startswith(("https://", "http://")) and bool(self.invitation.text().strip())


class AccountPage(Retranslating, QWizardPage):
    """Username, display name and password with strength feedback; leaving it starts enrolment."""

    challenge_ready = Signal()

    def __init__(self, desk: Desk, relay_page: RelayPage) -> None:
        super().__init__()
        self.desk = desk
        self.relay_page = relay_page
        self.challenge: EnrolmentChallenge | None = None
        self._busy = False
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.strength_bar = StrengthMeter()
        self.strength_bar.setRange(0, 4)
        self.strength_bar.setTextVisible(False)
        self.strength_text = QLabel()
        self.strength_text.setWordWrap(True)
        self.error = _error_label()
        self.labels = [QLabel() for _ in range(4)]
        form = QFormLayout()
        for label, field in zip(
            self.labels, (self.username, self.display_name, self.password, self.repeat), strict=True
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.strength_bar)
        form.addRow("", self.strength_text)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        for field in (self.username, self.display_name, self.password, self.repeat):
            field.textChanged.connect(self._changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Your account"))
        self.setSubTitle(
            self.tr("Colleagues see your display name. Choose a long password that you use nowhere else.")
        )
        for label, text in zip(
            self.labels,
            (
                self.tr("&Username:"),
                self.tr("&Display name:"),
                self.tr("&Password:"),
                self.tr("&Repeat password:"),
            ),
            strict=True,
        ):
            label.setText(text)
        self.username.setAccessibleName(self.tr("Username"))
        self.display_name.setAccessibleName(self.tr("Display name"))
        self.password.setAccessibleName(self.tr("Password"))
        self.repeat.setAccessibleName(self.tr("Repeat password"))
        self.strength_bar.setAccessibleName(self.tr("Password strength"))
        self._changed()

    def _changed(self) -> None:
        strength = password_strength(self.password.text(), [self.username.text(), self.display_name.text()])
        self.strength_bar.setValue(strength.score)
        text = strength.text
        if self.repeat.text() and self.repeat.text() != self.password.text():
            text += " " + self.tr("The passwords do not match.")
        self.strength_text.setText(text)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        strength = password_strength(self.password.text(), [self.username.text(), self.display_name.text()])
        return (
            not self._busy
            and bool(self.username.text().strip())
            and bool(self.display_name.text().strip())
            and strength.acceptable
            and self.password.text() == self.repeat.text()
        )

    def validatePage(self) -> bool:
        if self.challenge is not None:
            return True
        self._busy = True
        self.completeChanged.emit()
        _show_error(self.error, "")
        spawn(
            self.desk.enrol_start(
                self.relay_page.relay.text().strip(),
                self.relay_page.invitation.text().strip(),
                self.username.text().strip(),
                self.display_name.text().strip(),
                self.password.text(),
            ),
            on_done=self._started,
            on_error=self._failed,
        )
        return False

    def _started(self, challenge: EnrolmentChallenge) -> None:
        self._busy = False
        self.challenge = challenge
        self.password.clear()
        self.repeat.clear()
        self.completeChanged.emit()
        self.challenge_ready.emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        _show_error(self.error, describe_error(exc))
        self.completeChanged.emit()


class TotpPage(Retranslating, QWizardPage):
    """Scan the QR code, type a first code; leaving it generates the keys and finishes enrolment."""

    finished_enrolment = Signal()

    def __init__(self, desk: Desk, account_page: AccountPage) -> None:
        super().__init__()
        self.desk = desk
        self.account_page = account_page
        self.result: EnrolmentResult | None = None
        self._busy = False
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.secret = QLabel()
        self.secret.setObjectName("totpSecret")
        self.secret.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_secret = QPushButton()  # copies the key without the spaces of its grouping
        self.copy_secret.clicked.connect(self._copy_secret)
        self.code = CodeField()
        self.code_label = QLabel()
        self.code_label.setBuddy(self.code)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.progress_text = QLabel()
        self.error = _error_label()
        form = QFormLayout()
        form.addRow(self.code_label, self.code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.qr)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret, 1)
        secret_row.addWidget(self.copy_secret)
        layout.addLayout(secret_row)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_text)
        layout.addWidget(self.error)
        self.code.textChanged.connect(self.completeChanged)
        self.retranslate()

    def initializePage(self) -> None:
        challenge = self.account_page.challenge
        if challenge is not None:
            self.qr.setPixmap(qr_pixmap(challenge.totp_uri, 5))
            self.qr.setAccessibleName(self.tr("QR code for your authenticator app"))
            # In blocks of four, easier to type; authenticator apps ignore the spaces, and the copy
            # button gives the key without them.
            self.secret.setText(self.tr("Or type this key: %1").replace("%1", grouped(challenge.totp_secret)))
        self.copy_secret.setVisible(challenge is not None)

    def _copy_secret(self) -> None:
        challenge = self.account_page.challenge
        if challenge is not None:
            QGuiApplication.clipboard().setText(challenge.totp_secret)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Two-step verification"))
        self.explain.setText(
            self.tr(
                "Scan this QR code with an authenticator app on your phone, then type the six-digit code "
                "it shows. After that, Opgelucht Desk creates the keys of this computer."
            )
        )
        self.code_label.setText(self.tr("&Code:"))
        self.code.setAccessibleName(self.tr("Six-digit code from your authenticator app"))
        self.copy_secret.setText(self.tr("Cop&y key"))
        self.copy_secret.setAccessibleName(self.tr("Copy the key for your authenticator app"))
        self.progress.setAccessibleName(self.tr("Key generation progress"))
        self.initializePage()

    def isComplete(self) -> bool:
        return not self._busy and self.code.is_complete()

    def validatePage(self) -> bool:
        if self.result is not None:
            return True
        challenge = self.account_page.challenge
        if challenge is None:
            return False
        self._busy = True
        self.completeChanged.emit()
        _show_error(self.error, "")
        self.progress.setValue(0)
        self.progress.show()
        spawn(
            self.desk.enrol_finish(challenge, self.code.code(), self._progress),
            on_done=self._finished,
            on_error=self._failed,
        )
        return False

    def _progress(self, fraction: float, step: str) -> None:
        self.progress.setValue(round(fraction * 100))
        self.progress_text.setText(self._step_text(step))

    def _step_text(self, step: str) -> str:
        """The core names its steps in English; show the known ones in the UI language."""
        known = {
            "Generating keys": self.tr("Generating keys"),
            "Registering this computer": self.tr("Registering this computer"),
            "Creating the organisation key": self.tr("Creating the organisation key"),
            "Protecting the keys with your password": self.tr("Protecting the keys with your password"),
            "Opening the inbox": self.tr("Opening the inbox"),
            "Done": self.tr("Done"),
        }
        return known.get(step, step)

    def _finished(self, result: EnrolmentResult) -> None:
        self._busy = False
        self.result = result
        self.progress.setValue(100)
        self.finished_enrolment.emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.progress.hide()
        self.progress_text.clear()
        self.code.clear()
        _show_error(self.error, describe_error(exc))
        self.completeChanged.emit()


class SafetyNumberPage(Retranslating, QWizardPage):
    """Shows the key's safety number, to compare with the organisation administrator."""

    def __init__(self, totp_page: TotpPage) -> None:
        super().__init__()
        self.totp_page = totp_page
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.number = QLabel()
        self.number.setObjectName("safetyNumber")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.admin_note = QLabel()
        self.admin_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.number)
        layout.addWidget(self.admin_note)
        self.setFinalPage(True)
        self.retranslate()

    def initializePage(self) -> None:
        result = self.totp_page.result
        if result is None:
            return
        self.number.setText(format_safety_number(result.safety_number))
        self.number.setAccessibleName(self.tr("Safety number: %1").replace("%1", result.safety_number))
        if result.created_org_key:  # nobody to compare with: this admin compares the others' numbers
            self.explain.setText(
                self.tr(
                    "This is the safety number of your key. You find it again under Settings. As the "
                    "administrator you compare the safety number of each new colleague with them before you "
                    "add them to the list of counsellors."
                )
            )
        if result.is_admin:
            self.admin_note.setText(
                self.tr(
                    "You are the first counsellor of your organisation and therefore its administrator. "
                    "Opgelucht Desk created the organisation key on this computer."
                )
            )
        else:
            self.admin_note.setText(
                self.tr("You can read conversations once your administrator has added this computer.")
            )

    def retranslate(self) -> None:
        self.setTitle(self.tr("Your safety number"))
        self.explain.setText(
            self.tr(
                "Compare this number with your organisation administrator, in person or by phone. "
                "They check it before adding you, so that nobody can read along in your place."
            )
        )
        self.initializePage()


class EnrolmentWizard(Retranslating, QWizard):
    """Emits `enrolled` once the keys exist and the user closed the wizard on the safety-number page."""

    enrolled = Signal()

    def __init__(self, desk: Desk, preset_relay_url: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolmentWizard")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.relay_page = RelayPage(preset_relay_url)
        self.account_page = AccountPage(desk, self.relay_page)
        self.totp_page = TotpPage(desk, self.account_page)
        self.safety_page = SafetyNumberPage(self.totp_page)
        for page in (self.relay_page, self.account_page, self.totp_page, self.safety_page):
            self.addPage(page)
        self.account_page.challenge_ready.connect(self.next)
        self.totp_page.finished_enrolment.connect(self.next)
        self.accepted.connect(self._accepted)
        self.further_dialog = FurtherComputerDialog(desk, self)
        self.further_dialog.enrolled.connect(self.enrolled)
        self.relay_page.further.clicked.connect(self.further_dialog.open)
        self.resize(640, 560)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Opgelucht Desk: set up"))

    def _accepted(self) -> None:
        if self.totp_page.result is not None:
            self.enrolled.emit()
