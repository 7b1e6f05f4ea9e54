"""Settings: how this counsellor presents themselves to reporters (role, a short introduction and an
availability note, each in Dutch and English). Reporters see it once the org admin publishes the next
roster, which signs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from opgelucht_desk.core.model import Presentation
from opgelucht_desk.protocol.roster import AVAILABILITY_MAX, ROLE_MAX
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


class PresentationBox(Retranslating, QGroupBox):
    """ "How reporters see you": role, introduction and availability in Dutch and English."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.role = QLineEdit()
        self.role.setMaxLength(ROLE_MAX)
        self.intro_nl = QPlainTextEdit()
        self.intro_en = QPlainTextEdit()
        for edit in (self.intro_nl, self.intro_en):
            edit.setMaximumHeight(70)
            edit.setTabChangesFocus(True)
        self.availability_nl = QLineEdit()
        self.availability_en = QLineEdit()
        for line in (self.availability_nl, self.availability_en):
            line.setMaxLength(AVAILABILITY_MAX)
        self.labels = [QLabel() for _ in range(5)]
        form = QFormLayout()
        fields: list[QWidget] = [
            self.role,
            self.intro_nl,
            self.intro_en,
            self.availability_nl,
            self.availability_en,
        ]
        for label, field in zip(self.labels, fields, strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        self.save = QPushButton()
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addWidget(self.save, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.feedback)
        self.save.clicked.connect(self.store)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("How reporters see you"))
        self.explain.setText(
            self.tr(
                "Employees choose whom they talk to. They see your name and what you write here, once "
                "the organisation's admin has published the next roster."
            )
        )
        texts = [
            self.tr("R&ole (e.g. internal, external):"),
            self.tr("Introduction (&Dutch):"),
            self.tr("Introduction (&English):"),
            self.tr("Availability (D&utch):"),
            self.tr("Availability (En&glish):"),
        ]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.availability_nl.setPlaceholderText(self.tr("e.g. afwezig tot 12 januari"))
        self.availability_en.setPlaceholderText(self.tr("e.g. away until 12 January"))
        self.save.setText(self.tr("&Save presentation"))

    def show_presentation(self, value: Presentation) -> None:
        self.role.setText(value.role)
        self.intro_nl.setPlainText(value.intro.get("nl", ""))
        self.intro_en.setPlainText(value.intro.get("en", ""))
        self.availability_nl.setText(value.availability.get("nl", ""))
        self.availability_en.setText(value.availability.get("en", ""))

    def current(self) -> Presentation:
        return Presentation(
            role=self.role.text(),
            intro={"nl": self.intro_nl.toPlainText(), "en": self.intro_en.toPlainText()},
            availability={"nl": self.availability_nl.text(), "en": self.availability_en.text()},
        )

    def load(self) -> None:
        def done(value: Presentation) -> None:
            if isValid(self):
                self.show_presentation(value)

        spawn(self.desk.presentation(), on_done=done, on_error=self._failed)

    def store(self) -> None:
        def done(value: Presentation) -> None:
            if isValid(self):
                self.show_presentation(value)
                self._say(self.tr("Saved. Reporters see it after the next roster is published."))

        spawn(self.desk.set_presentation(self.current()), on_done=done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._say(describe_error(exc))

    def _say(self, text: str) -> None:
        self.feedback.setText(text)
        self.feedback.setVisible(bool(text))


class PresentationDialog(Retranslating, QDialog):
    """The presentation box in its own window, opened from Settings (the page stays one screen)."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = PresentationBox(desk)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.buttons)
        self.resize(max(620, self.fontMetrics().averageCharWidth() * 80), self.sizeHint().height())
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("How reporters see you"))

    def open_and_load(self) -> None:
        self.box.load()
        self.show()
        self.raise_()
