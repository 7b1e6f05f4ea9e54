"""Organisation administrator views: counsellors, organisation codes (with QR and poster), articles,
key backup. The lists follow changes made elsewhere (a colleague who enrols, a new computer, a code made
on another desk): the relay sends no live event for those, so the page polls them while it is visible,
and has a refresh action (button, F5)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.model import Article, CounsellorView, OrgCode
from opgelucht_desk.core.poster import LANGUAGES as POSTER_LANGUAGES
from opgelucht_desk.core.poster import save_poster
from opgelucht_desk.ui.confirm import ask
from opgelucht_desk.ui.formatting import format_datetime
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.labels import role_label
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.qr import qr_image, qr_pixmap
from opgelucht_desk.ui.tasks import spawn

T = TypeVar("T")

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk

POLL_INTERVAL_MS = 10_000  # how often a visible admin page re-reads its lists
POSTER_LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def _select_row_with(table: QTableWidget, value: object) -> None:
    """Select the row whose first cell holds `value` (the selection follows the item, not the row)."""
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) == value:
            table.selectRow(row)
            return
    table.clearSelection()


class _Feedback(QLabel):
    """A line under the buttons: result texts, or errors in red."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.clear()  # a past result in the previous language would stay behind untranslated
        super().changeEvent(event)

    def ok(self, text: str) -> None:
        self.setObjectName("")
        self.setStyleSheet("")
        self.setText(text)

    def fail(self, exc: BaseException) -> None:
        self.warn(describe_error(exc))

    def warn(self, text: str) -> None:
        self.setObjectName("errorText")
        self.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.setText(text)


class _ListLoader:
    """Re-reads one admin list. A quiet load (the page's poll) is skipped while one runs and keeps its
    errors to itself; a load the user asked for reports them on the tab's result line."""

    def __init__(self) -> None:
        self.running = False

    def load(
        self,
        fetch: Callable[[], Coroutine[Any, Any, T]],
        on_done: Callable[[T], None],
        feedback: _Feedback,
        quiet: bool,
    ) -> None:
        if self.running and quiet:
            return
        self.running = True

        def done(result: T) -> None:
            self.running = False
            on_done(result)

        def failed(exc: BaseException) -> None:
            self.running = False
            if not quiet:
                feedback.fail(exc)

        spawn(fetch(), on_done=done, on_error=failed)


class CounsellorsTab(Retranslating, QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.counsellors: list[CounsellorView] = []
        self.loaded = False
        self._loader = _ListLoader()
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.pending = QFrame()  # the banner: someone is not in the published list yet
        self.pending.setObjectName("infoBanner")
        self.pending_text = QLabel()
        self.pending_text.setWordWrap(True)
        self.pending_publish = QPushButton()
        banner = QHBoxLayout(self.pending)
        banner.addWidget(self.pending_text, 1)
        banner.addWidget(self.pending_publish)
        self.pending.hide()
        self.table = _table(6)
        self.invite_counsellor = QPushButton()
        self.invite_admin = QPushButton()
        self.remove = QPushButton()
        self.publish = QPushButton()
        self.share = QPushButton()  # only shown when sharing failed after publishing (to retry)
        self.share.hide()
        self.invitation = QLineEdit()
        self.invitation.setReadOnly(True)
        self.invitation.hide()
        self.feedback = _Feedback()
        buttons = QHBoxLayout()
        for button in (self.invite_counsellor, self.invite_admin, self.remove, self.publish, self.share):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.pending)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.invitation)
        layout.addWidget(self.feedback)
        self.invite_counsellor.clicked.connect(lambda: self._invite("counsellor"))
        self.invite_admin.clicked.connect(lambda: self._invite("admin"))
        self.remove.clicked.connect(self._remove_clicked)
        self.publish.clicked.connect(self._publish_clicked)
        self.pending_publish.clicked.connect(self._publish_clicked)
        self.share.clicked.connect(self._share)
        self.retranslate()

    def retranslate(self) -> None:
        self.explain.setText(
            self.tr(
                "Before you publish the list of counsellors, compare each new colleague's safety number "
                "with them in person or by phone. Only listed devices can read new messages."
            )
        )
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Username"),
                self.tr("Role"),
                self.tr("Devices"),
                self.tr("In published list"),
                self.tr("Safety number"),
            ]
        )
        self.table.setAccessibleName(self.tr("Counsellors"))
        self.invite_counsellor.setText(self.tr("Invite &counsellor"))
        self.invite_admin.setText(self.tr("Invite &administrator"))
        self.remove.setText(self.tr("&Remove"))
        self.publish.setText(self.tr("&Publish list of counsellors"))
        self.pending_publish.setText(self.tr("Compare and publish…"))
        self.pending_publish.setAccessibleName(self.tr("Publish the list of counsellors"))
        self.share.setText(self.tr("&Share conversations with new devices"))
        self.invitation.setAccessibleName(self.tr("Invitation code"))
        self._fill()

    def load(self, quiet: bool = False) -> None:
        """Re-read the list; `quiet` (the page's poll) keeps errors to itself and skips while one runs."""
        self._loader.load(self.desk.counsellors, self._loaded, self.feedback, quiet)

    def _loaded(self, counsellors: list[CounsellorView]) -> None:
        if self.loaded and counsellors == self.counsellors:
            return  # nothing changed: keep the table (and a screen reader's place) as it is
        self.counsellors, self.loaded = counsellors, True
        self._fill()

    def _fill(self) -> None:
        selected = self.selected_id()
        self.table.setRowCount(len(self.counsellors))
        yes, no = self.tr("yes"), self.tr("no, not yet")
        for row, c in enumerate(self.counsellors):
            if not c.in_roster:
                listed = no
            elif c.unlisted_devices:
                listed = self.tr("yes, but not %n new computer(s)", "", c.unlisted_devices)
            else:
                listed = yes
            self.table.setItem(row, 0, _item(c.display_name, c.counsellor_id))
            self.table.setItem(row, 1, _item(c.username))
            self.table.setItem(row, 2, _item(role_label(c.role)))
            self.table.setItem(row, 3, _item(str(c.devices)))
            self.table.setItem(row, 4, _item(listed))
            self.table.setItem(row, 5, _item(c.safety_number))
        if selected is not None:
            _select_row_with(self.table, selected)
        waiting = [c for c in self.counsellors if not c.in_roster or c.unlisted_devices]
        self.pending.setVisible(bool(waiting))
        if waiting:
            names = ", ".join(c.display_name for c in waiting)
            self.pending_text.setText(
                self.tr(
                    "Not in the published list yet: %1. Their computers cannot read messages until you "
                    "compare their safety numbers and publish the list."
                ).replace("%1", names)
            )

    def _invite(self, role: str) -> None:
        def done(code: str) -> None:
            self.invitation.setText(code)
            self.invitation.show()
            self.invitation.selectAll()
            self.invitation.setFocus()
            self.feedback.ok(
                self.tr("Give this one-time code to your colleague in person. It expires after 7 days.")
            )

        spawn(self.desk.invite(role), on_done=done, on_error=self.feedback.fail)

    def selected_id(self) -> uuid.UUID | None:
        items = self.table.selectedItems()
        if not items:
            return None
        first = self.table.item(items[0].row(), 0)
        value = first.data(Qt.ItemDataRole.UserRole) if first is not None else None
        return value if isinstance(value, uuid.UUID) else None

    def _remove_clicked(self) -> None:
        counsellor_id = self.selected_id()
        if counsellor_id is None:
            return

        def remove() -> None:
            def done(_r: object) -> None:
                self.feedback.ok(self.tr("Removed. Publish the list of counsellors to stop their devices."))
                self.load()

            spawn(self.desk.remove_counsellor(counsellor_id), on_done=done, on_error=self.feedback.fail)

        ask(
            self,
            self.tr("Remove counsellor"),
            self.tr("Remove this counsellor? Their sessions end at once."),
            remove,
        )

    def _publish_clicked(self) -> None:
        def publish() -> None:
            def done(_r: object) -> None:
                self.feedback.ok(
                    self.tr("The list of counsellors was signed and published. Sharing conversations…")
                )
                self.load()
                self._share()

            spawn(self.desk.publish_roster(), on_done=done, on_error=self.feedback.fail)

        ask(
            self,
            self.tr("Publish list of counsellors"),
            self.tr(
                "Did you compare the safety number of every new counsellor? Only then publish the list. "
                "The conversations that are open now are then shared with their computers."
            ),
            publish,
        )

    def _share(self) -> None:
        """Give the devices of the published list the keys of the live conversations (re-wrap)."""
        self.share.hide()

        def done(_count: int) -> None:
            self.feedback.ok(
                self.tr(
                    "The list of counsellors was published; the open conversations are readable on every "
                    "listed computer."
                )
            )

        def failed(exc: BaseException) -> None:
            self.share.show()
            self.feedback.warn(
                self.tr(
                    "The list was published, but the open conversations could not be shared with the new "
                    "computers: %1 Try again with the button Share conversations."
                ).replace("%1", describe_error(exc))
            )

        spawn(self.desk.share_conversations_with_new_devices(), on_done=done, on_error=failed)


class CodesTab(Retranslating, QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.codes: list[OrgCode] = []
        self.loaded = False
        self._loader = _ListLoader()
        self.table = _table(4)
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
        self.feedback = _Feedback()
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
            self.table.setItem(row, 0, _item(code.code, code.code))
            self.table.setItem(row, 1, _item(code.label))
            self.table.setItem(row, 2, _item(format_datetime(code.created_at)))
            revoked = format_datetime(code.revoked_at) if code.revoked_at else ""
            self.table.setItem(row, 3, _item(revoked))
        if selected is not None:
            _select_row_with(self.table, selected.code)
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


class ArticlesTab(Retranslating, QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.articles: list[Article] = []
        self.loaded = False
        self._loader = _ListLoader()
        self.current_id: str | None = None
        self.list = QListWidget()
        self.new = QPushButton()
        self.title = QLineEdit()
        self.language = QComboBox()
        self.language.addItem("Nederlands", "nl")
        self.language.addItem("English", "en")
        self.body = QPlainTextEdit()
        self.published = QCheckBox()
        self.save = QPushButton()
        self.delete = QPushButton()
        self.feedback = _Feedback()
        self.form_labels = [QLabel() for _ in range(3)]
        form = QFormLayout()
        for label, field in zip(self.form_labels, (self.title, self.language, self.body), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.published)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addWidget(self.delete)
        buttons.addStretch(1)
        editor = QVBoxLayout()
        editor.addLayout(form, 1)
        editor.addLayout(buttons)
        editor.addWidget(self.feedback)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.new)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(editor, 2)
        self.list.currentItemChanged.connect(self._chosen)
        self.new.clicked.connect(self._new_clicked)
        self.save.clicked.connect(self._save_clicked)
        self.delete.clicked.connect(self._delete_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        self.list.setAccessibleName(self.tr("Articles"))
        self.new.setText(self.tr("New a&rticle"))
        for label, text in zip(
            self.form_labels, (self.tr("&Title:"), self.tr("&Language:"), self.tr("&Text:")), strict=True
        ):
            label.setText(text)
        self.title.setAccessibleName(self.tr("Article title"))
        self.language.setAccessibleName(self.tr("Article language"))
        self.body.setAccessibleName(self.tr("Article text"))
        self.published.setText(self.tr("Pu&blished in the app"))
        self.save.setText(self.tr("&Save article"))
        self.delete.setText(self.tr("&Delete article"))

    def load(self, quiet: bool = False) -> None:
        self._loader.load(self.desk.articles, self._loaded, self.feedback, quiet)

    def _loaded(self, articles: list[Article]) -> None:
        if self.loaded and articles == self.articles:
            return
        self.articles, self.loaded = articles, True
        self.list.blockSignals(True)
        self.list.clear()
        for article in articles:
            item = QListWidgetItem(article.title)
            item.setData(Qt.ItemDataRole.UserRole, article.id)
            self.list.addItem(item)
            if article.id == self.current_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        article = None
        if item is not None:
            article = next((a for a in self.articles if a.id == item.data(Qt.ItemDataRole.UserRole)), None)
        self.current_id = article.id if article else None
        self.title.setText(article.title if article else "")
        self.body.setPlainText(article.body if article else "")
        self.language.setCurrentIndex(max(0, self.language.findData(article.language if article else "nl")))
        self.published.setChecked(article.published if article else False)

    def _new_clicked(self) -> None:
        self.list.setCurrentRow(-1)
        self._chosen(None, None)
        self.title.setFocus()

    def _save_clicked(self) -> None:
        title, body = self.title.text().strip(), self.body.toPlainText().strip()
        if not title or not body:
            self.feedback.ok(self.tr("An article needs a title and a text."))
            return

        def done(article: Article) -> None:
            self.current_id = article.id
            self.feedback.ok(self.tr("Article saved."))
            self.load()

        spawn(
            self.desk.save_article(
                self.current_id,
                title=title,
                body=body,
                language=str(self.language.currentData()),
                published=self.published.isChecked(),
            ),
            on_done=done,
            on_error=self.feedback.fail,
        )

    def _delete_clicked(self) -> None:
        article_id = self.current_id
        if article_id is None:
            return

        def delete() -> None:
            def done(_r: object) -> None:
                self.current_id = None
                self._chosen(None, None)
                self.feedback.ok(self.tr("Article deleted."))
                self.load()

            spawn(self.desk.delete_article(article_id), on_done=done, on_error=self.feedback.fail)

        ask(self, self.tr("Delete article"), self.tr("Delete this article from the app?"), delete)


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
        self.feedback = _Feedback()
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


class AdminPage(Retranslating, QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminPage")
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.refresh = QPushButton()
        self.tabs = QTabWidget()
        self.counsellors = CounsellorsTab(desk)
        self.codes = CodesTab(desk)
        self.articles = ArticlesTab(desk)
        self.key_backup = KeyBackupTab(desk)
        self.tabs.addTab(self.counsellors, "")
        self.tabs.addTab(self.codes, "")
        self.tabs.addTab(self.articles, "")
        self.tabs.addTab(self.key_backup, "")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        # Changes made elsewhere (an enrolment, a further computer) bring no live event: poll the lists
        # while this page is on screen, and let the admin refresh at once (button, F5).
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_INTERVAL_MS)
        self.poll.timeout.connect(lambda: self.load(quiet=True))
        self.refresh.clicked.connect(self.load)
        self.refresh_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        self.refresh_shortcut.activated.connect(self.load)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Organisation"))
        self.refresh.setText(self.tr("Re&fresh"))
        self.refresh.setToolTip(self.tr("Read the lists again now (F5). They also refresh by themselves."))
        self.refresh.setAccessibleName(self.tr("Refresh the lists of the organisation"))
        self.tabs.setTabText(0, self.tr("Counsellors"))
        self.tabs.setTabText(1, self.tr("Organisation codes"))
        self.tabs.setTabText(2, self.tr("Articles"))
        self.tabs.setTabText(3, self.tr("Key backup"))

    def load(self, quiet: bool = False) -> None:
        """Re-read every list; `quiet` is the poll's: errors stay silent (the status bar shows offline)."""
        self.counsellors.load(quiet)
        self.codes.load(quiet)
        self.articles.load(quiet)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.poll.start()
        if self.counsellors.loaded:  # back on this page: catch up at once, not at the next tick
            self.load(quiet=True)

    def hideEvent(self, event: QHideEvent) -> None:
        self.poll.stop()
        super().hideEvent(event)
