"""The administrator's tab of organisation codes: create, revoke, QR code and printable poster."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.model import OrgCode
from opgelucht_desk.core.poster import LANGUAGES as POSTER_LANGUAGES
from opgelucht_desk.core.poster import save_poster
from opgelucht_desk.ui.admin_widgets import Feedback, ListLoader, make_table, select_row_with, table_item
from opgelucht_desk.ui.confirm import ask
from opgelucht_desk.ui.formatting import format_datetime
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.qr import qr_image, qr_pixmap
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


POSTER_LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


class CodesTab(Retranslating, QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.codes: list[OrgCode] = []
        self.loaded = False
        self._loader = ListLoader()
        self.table = make_table(4)
        self.label = QLineEdit()
        self.create_button = QPushButton()
        self.revoke = QPushButton()
        self.save_png = QPushButton()
        self.save_poster = QPushButton()
        self.poster_language = QComboBox()
        for language in POSTER_LANGUAGES:
            self.poster_language.addItem(POSTER_LANGUAGE_NAMES[language], language)
        self.poster_language_label = QLabel()
        self.poster_language_label.setBuddy(self.poster_language)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setMinimumWidth(260)
        self.feedback = Feedback()
        create_row = QHBoxLayout()
        create_row.addWidget(self.label, 1)
        create_row.addWidget(self.create_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.revoke)
        buttons.addWidget(self.save_png)
        buttons.addStretch(1)
        poster_row = QHBoxLayout()
        poster_row.addWidget(self.save_poster)
        poster_row.addWidget(self.poster_language_label)
        poster_row.addWidget(self.poster_language)
        poster_row.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(create_row)
        left.addWidget(self.table, 1)
        left.addLayout(buttons)
        left.addLayout(poster_row)
        left.addWidget(self.feedback)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(self.qr, 1)
        self.create_button.clicked.connect(self._create_clicked)
        self.label.returnPressed.connect(self._create_clicked)
        self.revoke.clicked.connect(self._revoke_clicked)
        self.save_png.clicked.connect(self._save_clicked)
        self.save_poster.clicked.connect(self._poster_clicked)
        self.table.itemSelectionChanged.connect(self._show_qr)
        self.retranslate()
        self._show_qr()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Label"), self.tr("Created"), self.tr("Revoked")]
        )
        self.table.setAccessibleName(self.tr("Organisation codes"))
        self.label.setPlaceholderText(self.tr("Label of the new code, e.g. a location or department"))
        self.label.setAccessibleName(self.tr("Label of the new code"))
        self.create_button.setText(self.tr("&New code"))
        self.revoke.setText(self.tr("Re&voke"))
        self.save_png.setText(self.tr("Save QR code as &PNG…"))
        self.save_poster.setText(self.tr("Save poster (P&DF)…"))
        self.save_poster.setToolTip(
            self.tr(
                "An A4 poster to hang up: the QR code, the code to type and the safety number that "
                "employees compare with the one their app shows."
            )
        )
        self.poster_language_label.setText(self.tr("Poster lan&guage:"))
        self.poster_language.setAccessibleName(self.tr("Language of the poster"))
        self.qr.setAccessibleName(self.tr("QR code of the selected organisation code"))
        self._fill()

    def load(self, quiet: bool = False) -> None:
        self._loader.load(self.desk.codes, self._loaded, self.feedback, quiet)

    def _loaded(self, codes: list[OrgCode]) -> None:
        if self.loaded and codes == self.codes:
            return
        self.codes, self.loaded = codes, True
        self._fill()

    def _fill(self) -> None:
        selected = self.selected()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.codes))
        for row, code in enumerate(self.codes):
            self.table.setItem(row, 0, table_item(code.code, code.code))
            self.table.setItem(row, 1, table_item(code.label))
            self.table.setItem(row, 2, table_item(format_datetime(code.created_at)))
            revoked = format_datetime(code.revoked_at) if code.revoked_at else ""
            self.table.setItem(row, 3, table_item(revoked))
        if selected is not None:
            select_row_with(self.table, selected.code)
        self.table.blockSignals(False)
        self._show_qr()

    def selected(self) -> OrgCode | None:
        items = self.table.selectedItems()
        if not items:
            return None
        first = self.table.item(items[0].row(), 0)
        value = first.data(Qt.ItemDataRole.UserRole) if first is not None else None
        return next((c for c in self.codes if c.code == value), None)

    def _show_qr(self) -> None:
        code = self.selected()
        live = code is not None and code.revoked_at is None and bool(code.qr_payload)
        for button in (self.save_png, self.save_poster, self.revoke):
            button.setEnabled(live)
        if code is None or not live:
            self.qr.clear()
            return
        self.qr.setPixmap(qr_pixmap(code.qr_payload, 4))

    def _create_clicked(self) -> None:
        label = self.label.text().strip()
        if not label:
            return

        def done(code: OrgCode) -> None:
            self.label.clear()
            self.feedback.ok(self.tr("Code %1 created.").replace("%1", code.code))
            self.load()

        spawn(self.desk.create_code(label), on_done=done, on_error=self.feedback.fail)

    def _revoke_clicked(self) -> None:
        code = self.selected()
        if code is None:
            return

        def revoke() -> None:
            def done(_r: object) -> None:
                self.feedback.ok(self.tr("Code %1 revoked.").replace("%1", code.code))
                self.load()

            spawn(self.desk.revoke_code(code.code), on_done=done, on_error=self.feedback.fail)

        ask(
            self,
            self.tr("Revoke code"),
            self.tr("Revoke this code? The app can no longer join with it."),
            revoke,
        )

    def _save_clicked(self) -> None:
        code = self.selected()
        if code is None:
            return
        path, _f = QFileDialog.getSaveFileName(
            self, self.tr("Save QR code"), f"opgelucht-{code.code}.png", "PNG (*.png)"
        )
        if path:
            self.save_qr(code, Path(path))

    def save_qr(self, code: OrgCode, path: Path) -> None:
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        if not qr_image(code.qr_payload, 12).save(str(path)):
            self.feedback.fail(OSError(str(path)))
        else:
            self.feedback.ok(self.tr("Saved."))

    def _poster_clicked(self) -> None:
        code = self.selected()
        if code is None:
            return
        language = str(self.poster_language.currentData())
        path, _f = QFileDialog.getSaveFileName(
            self,
            self.tr("Save poster"),
            f"opgelucht-poster-{code.code}-{language}.pdf",
            self.tr("PDF document (*.pdf)"),
        )
        if path:
            self.save_poster_to(code, Path(path), language)

    def save_poster_to(self, code: OrgCode, path: Path, language: str) -> None:
        """Build the poster (the core checks the QR against the trusted org key) and write the PDF."""
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")

        async def build() -> None:
            poster = await self.desk.code_poster(code)
            await asyncio.to_thread(save_poster, path, poster, language)

        def done(_r: object) -> None:
            self.feedback.ok(self.tr("Poster saved as %1.").replace("%1", str(path)))

        spawn(build(), on_done=done, on_error=self.feedback.fail)
