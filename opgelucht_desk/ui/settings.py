"""Settings page: language, idle lock, notifications, relay, account, sign-out, updates, sessions, what is
stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.ui.confirm import ask
from opgelucht_desk.ui.formatting import format_datetime, format_safety_number
from opgelucht_desk.ui.i18n import LANGUAGES, Retranslating
from opgelucht_desk.ui.key_backup import IdentityBackupBox
from opgelucht_desk.ui.labels import role_label
from opgelucht_desk.ui.preferences import MAX_IDLE_MINUTES, MIN_IDLE_MINUTES, Preferences
from opgelucht_desk.ui.presentation import PresentationDialog
from opgelucht_desk.ui.sessions import SessionsBox
from opgelucht_desk.ui.update_notice import UpdateBox

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk
    from opgelucht_desk.ui.update_notice import UpdateService


class SettingsPage(Retranslating, QWidget):
    language_chosen = Signal(str)
    idle_minutes_changed = Signal(int)
    notifications_changed = Signal(bool)
    sign_out_requested = Signal()

    def __init__(self, desk: Desk, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.desk = desk
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(preferences.language))
        self.idle = QSpinBox()
        self.idle.setRange(MIN_IDLE_MINUTES, MAX_IDLE_MINUTES)
        self.idle.setValue(preferences.idle_minutes)
        self.notifications = QCheckBox()
        self.notifications.setChecked(preferences.notifications)
        self.relay = QLineEdit()
        self.relay.setReadOnly(True)
        self.relay_note = QLabel()
        self.relay_note.setWordWrap(True)
        self.account = QLabel()
        self.account.setWordWrap(True)  # a long name and role wrap instead of being cut off
        self.account.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.safety = QLabel()
        self.safety.setObjectName("safetyNumber")
        self.safety.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sign_out = QPushButton()
        self.stored_box = QGroupBox()
        wide = max(900, self.fontMetrics().averageCharWidth() * 100)  # grows with large text
        self.stored_box.setMaximumWidth(wide)
        self.stored = QLabel()
        self.stored.setWordWrap(True)
        self.stored.setTextFormat(Qt.TextFormat.PlainText)
        self.stored.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_stored = QPushButton()
        stored_layout = QVBoxLayout(self.stored_box)
        stored_layout.addWidget(self.stored)
        stored_layout.addWidget(self.refresh_stored, 0, Qt.AlignmentFlag.AlignLeft)
        self.identity_backup = IdentityBackupBox(desk)
        self.identity_backup.setMaximumWidth(wide)
        self.updates = UpdateBox()  # shown once the app gives it its service (`set_update_service`)
        self.updates.setMaximumWidth(wide)
        self.sessions = SessionsBox(desk)
        self.sessions.setMaximumWidth(wide)
        # How reporters see this counsellor: in its own window (the page stays one screen).
        self.presentation = PresentationDialog(desk, self)
        self.presentation_button = QPushButton()
        self.labels = [QLabel() for _ in range(6)]
        form = QFormLayout()
        fields: list[QWidget] = [
            self.language,
            self.idle,
            self.notifications,
            self.relay,
            self.account,
            self.safety,
        ]
        for label, field in zip(self.labels, fields, strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        form.insertRow(4, "", self.relay_note)
        self.language.setMaximumWidth(260)
        self.idle.setMaximumWidth(120)
        form_host = QWidget()
        form_host.setLayout(form)
        form_host.setMaximumWidth(wide)
        # Two columns side by side in a scroll area: at the default window size everything fits at its
        # full height (nothing is squeezed and clipped), and with large text the page scrolls instead.
        left = QVBoxLayout()
        left.addWidget(form_host)
        left.addWidget(self.sign_out, 0, Qt.AlignmentFlag.AlignLeft)
        left.addWidget(self.presentation_button, 0, Qt.AlignmentFlag.AlignLeft)
        left.addWidget(self.sessions)
        left.addWidget(self.updates)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.stored_box)
        right.addWidget(self.identity_backup)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(12)
        columns.addLayout(right, 1)
        content = QWidget()
        content.setObjectName("settingsContent")
        content.setLayout(columns)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroller, 1)
        self.language.activated.connect(lambda i: self.language_chosen.emit(str(self.language.itemData(i))))
        self.idle.valueChanged.connect(self.idle_minutes_changed)
        self.notifications.toggled.connect(self.notifications_changed)
        self.sign_out.clicked.connect(self._sign_out_clicked)
        self.presentation_button.clicked.connect(self.presentation.open_and_load)
        self.refresh_stored.clicked.connect(self.show_stored)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Settings"))
        texts = [
            self.tr("&Language:"),
            self.tr("Lock after &idle minutes:"),
            self.tr("&Notifications:"),
            self.tr("Relay:"),
            self.tr("Account:"),
            self.tr("Your safety number:"),
        ]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.language.setAccessibleName(self.tr("Language"))
        self.idle.setAccessibleName(self.tr("Minutes of inactivity before Opgelucht Desk locks"))
        self.idle.setSuffix(" " + self.tr("min"))
        self.notifications.setText(self.tr("Show a notification for new messages (never their content)"))
        self.notifications.setAccessibleName(self.tr("Notifications for new messages"))
        self.relay.setAccessibleName(self.tr("Relay address"))
        self.relay_note.setText(
            self.tr("The relay address was set when this computer was enrolled; it cannot be changed here.")
        )
        self.sign_out.setText(self.tr("Sign &out and remove local data…"))
        self.presentation_button.setText(self.tr("How reporters see &you…"))
        self.presentation_button.setAccessibleName(
            self.tr("How reporters see you: role, introduction and availability")
        )
        self.sign_out.setAccessibleName(self.tr("Sign out and remove local data"))
        self.stored_box.setTitle(self.tr("What is stored about me"))
        self.refresh_stored.setText(self.tr("&Refresh"))
        self.refresh_stored.setAccessibleName(self.tr("Refresh what is stored about me"))
        account = self.desk.account
        if account is not None:
            self.relay.setText(account.relay_url)
            self.account.setText(f"{account.display_name} ({account.username}), {role_label(account.role)}")
            self.safety.setText(format_safety_number(account.safety_number))
        self.show_stored()

    def set_update_service(self, service: UpdateService) -> None:
        self.updates.bind(service)

    def showEvent(self, event: QShowEvent) -> None:
        self.show_stored()  # the counts as they are now, not as they were when the window opened
        self.sessions.load()
        super().showEvent(event)

    def show_stored(self) -> None:
        try:
            summary = self.desk.stored_data_summary()
        except Exception:  # locked or not enrolled: nothing to show
            self.stored.setText("")
            return
        oldest = format_datetime(summary.oldest_message) if summary.oldest_message else "—"
        lines = [
            self.tr("On this computer, encrypted with a key that needs your password:"),
            self.tr("• %n conversations", "", summary.conversations),
            self.tr("• %n messages", "", summary.messages),
            self.tr("• %n private notes", "", summary.notes),
            self.tr("• %n drafts", "", summary.drafts),
            self.tr("• %n replies waiting to be sent", "", summary.queued_replies),
            self.tr("Oldest message: %1 (messages are deleted after 31 days)").replace("%1", oldest),
            self.tr("Data folder: %1").replace("%1", summary.data_dir),
            self.tr("Cache file: %1").replace("%1", summary.cache_file),
            self.tr("Key store entries (%1): %2")
            .replace("%1", summary.keyring_service)
            .replace("%2", ", ".join(summary.keyring_entries) or "—"),
            self.tr(
                "On the relay: your username, display name, a hash of your password, your public keys, "
                "hashed session tokens and a log of logins, never the content of conversations."
            ),
        ]
        self.stored.setText("\n".join(lines))

    def _sign_out_clicked(self) -> None:
        ask(
            self,
            self.tr("Sign out"),
            self.tr(
                "Sign out and delete the local copy of all conversations on this computer? Your keys stay; "
                "after you log in again, the conversations are downloaded again from the relay."
            ),
            self.sign_out_requested.emit,
        )
