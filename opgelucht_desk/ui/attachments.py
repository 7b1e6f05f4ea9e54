"""Files in the conversation view: a thumbnail box in the bubble, a viewer of the re-encoded pages, and
"Opslaan als…" with a warning. Only the core's re-encoded renderings are ever shown or saved; a file is
never handed to the operating system's default application."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.errors import AttachmentError
from opgelucht_desk.core.model import AttachmentView
from opgelucht_desk.core.safe_render import Rendering
from opgelucht_desk.ui.confirm import ask
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


def describe_attachment_error(exc: AttachmentError) -> str:
    """Why a file is not shown, in the UI's language (never its content)."""

    texts = {
        "not_verified": QCoreApplication.translate(
            "Attachments", "The file failed verification (it was changed or is incomplete); it is not shown."
        ),
        "unavailable": QCoreApplication.translate(
            "Attachments",
            "The relay no longer has this file (deleted after 31 days, or with the conversation).",
        ),
        "type_mismatch": QCoreApplication.translate(
            "Attachments", "The file is not the type it claims to be; it is not shown."
        ),
        "too_many_pixels": QCoreApplication.translate(
            "Attachments", "The image is too large to open safely; it is not shown."
        ),
        "malformed": QCoreApplication.translate(
            "Attachments", "The file is damaged or malformed; it is not shown."
        ),
        "unsupported": QCoreApplication.translate(
            "Attachments", "This kind of file cannot be shown on this computer."
        ),
        "memory": QCoreApplication.translate(
            "Attachments", "Opening the file needed too much memory; it was stopped and is not shown."
        ),
        "timeout": QCoreApplication.translate(
            "Attachments", "Opening the file took too long; it was stopped and is not shown."
        ),
        "worker_failed": QCoreApplication.translate(
            "Attachments", "The file could not be opened safely; it is not shown."
        ),
        "too_large": QCoreApplication.translate("Attachments", "The file is larger than 10 MB."),
    }
    return texts.get(exc.reason) or QCoreApplication.translate("Attachments", "The file cannot be used.")


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, size // 1024)} kB"


class AttachmentBox(QWidget):
    """The file of one message: its thumbnail once verified and rendered, or why it is not shown."""

    def __init__(self, desk: Desk, conv_id: uuid.UUID, msg_id: uuid.UUID, attachment: AttachmentView) -> None:
        super().__init__()
        self.desk, self.conv_id, self.msg_id, self.attachment = desk, conv_id, msg_id, attachment
        self.rendering: Rendering | None = None
        self.problem: str | None = None
        self.thumbnail = QLabel()
        self.thumbnail.setObjectName("attachmentThumbnail")
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setMinimumSize(120, 80)
        self.thumbnail.setMaximumWidth(360)
        self.thumbnail.setWordWrap(True)
        self.thumbnail.setTextFormat(Qt.TextFormat.PlainText)
        self.info = QLabel()
        self.info.setObjectName("bubbleMeta")
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.view_button = QPushButton()
        self.save_button = QPushButton()
        buttons = QHBoxLayout()
        buttons.addWidget(self.view_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.info)
        layout.addLayout(buttons)
        self.view_button.clicked.connect(self.view)
        self.save_button.clicked.connect(self.save_as)
        self._set_enabled(False)
        self.retranslate()
        task = spawn(desk.open_attachment(conv_id, msg_id), on_done=self._rendered, on_error=self._refused)
        self.destroyed.connect(lambda *_: task.cancel())  # the bubble went (another conversation, lock)

    def _set_enabled(self, enabled: bool) -> None:
        self.view_button.setEnabled(enabled)
        self.save_button.setEnabled(enabled)

    def retranslate(self) -> None:
        kind = self.tr("PDF document") if self.attachment.is_pdf else self.tr("Image")
        pages = ""
        if self.rendering is not None and self.rendering.kind == "pdf":
            pages = " · " + self.tr("%n page(s)", "", self.rendering.page_count)
        self.info.setText(f"{kind} · {_size(self.attachment.size)}{pages}")
        self.view_button.setText(self.tr("&View"))
        self.save_button.setText(self.tr("Save &as…"))
        self.view_button.setAccessibleName(self.tr("View the file"))
        self.save_button.setAccessibleName(self.tr("Save a cleaned copy of the file"))
        if self.rendering is None:
            self.thumbnail.setText(self.problem or self.tr("Checking the file…"))

    def _rendered(self, rendering: object) -> None:
        if not isinstance(rendering, Rendering) or not shiboken6.isValid(self):
            return
        self.rendering = rendering
        pixmap = QPixmap()
        if pixmap.loadFromData(rendering.thumbnail, "PNG"):
            self.thumbnail.setWordWrap(False)  # a word-wrapping label would squeeze the picture
            self.thumbnail.setFixedSize(pixmap.size())
            self.thumbnail.setPixmap(pixmap)
        self.thumbnail.setAccessibleName(self.tr("Thumbnail of the file"))
        self._set_enabled(True)
        self.retranslate()

    def _refused(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.problem = (
            describe_attachment_error(exc) if isinstance(exc, AttachmentError) else describe_error(exc)
        )
        self.thumbnail.setObjectName("bubbleMetaProblem")
        self.thumbnail.style().unpolish(self.thumbnail)
        self.thumbnail.style().polish(self.thumbnail)
        self.retranslate()

    def view(self) -> None:
        if self.rendering is not None:
            AttachmentViewer(self.rendering, self).open()

    def save_as(self) -> None:
        if self.rendering is None:
            return
        ask(
            self,
            self.tr("Save a copy"),
            self.tr(
                "A cleaned copy is saved: re-encoded, without the metadata of the original. It is not "
                "encrypted once saved, and it is not deleted after 31 days. Save it only where your "
                "organisation allows confidential files. Continue?"
            ),
            self._choose_path,
        )

    def _choose_path(self) -> None:
        if self.rendering is None:
            return
        suffix = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
        name = f"bijlage-{str(self.msg_id)[:8]}{suffix.get(self.rendering.copy_type, '')}"
        path, _f = QFileDialog.getSaveFileName(self, self.tr("Save a copy"), name)
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        spawn(
            self.desk.save_attachment(self.conv_id, self.msg_id, path),
            on_done=lambda _r: self.info.setText(self.tr("Saved.")),
            on_error=self._refused,
        )


class AttachmentViewer(QDialog):
    """The re-encoded pages of one file, scrollable (never the original bytes)."""

    def __init__(self, rendering: Rendering, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("File"))
        self.resize(900, 700)
        pages = QWidget()
        column = QVBoxLayout(pages)
        self.page_labels: list[QLabel] = []
        for index, png in enumerate(rendering.pages):
            label = QLabel()
            pixmap = QPixmap()
            if pixmap.loadFromData(png, "PNG"):
                label.setPixmap(pixmap)
            label.setAccessibleName(self.tr("Page %1").replace("%1", str(index + 1)))
            column.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        if rendering.kind == "pdf" and rendering.page_count > len(rendering.pages):
            more = QLabel(
                self.tr("Only the first %1 of %2 pages are shown.")
                .replace("%1", str(len(rendering.pages)))
                .replace("%2", str(rendering.page_count))
            )
            column.addWidget(more)
        area = QScrollArea()
        area.setWidget(pages)
        area.setWidgetResizable(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(area)
        layout.addWidget(buttons)
