"""Conversation view: message bubbles, delivery state, reply box with drafts, status, category, type of
help (the case register), notes."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.errors import AttachmentError, DeskError
from opgelucht_desk.core.model import (
    Category,
    ConversationSummary,
    DeskState,
    MessageView,
    NoteView,
    Status,
)
from opgelucht_desk.core.register import HELP_TYPES
from opgelucht_desk.ui.attachments import AttachmentBox, describe_attachment_error
from opgelucht_desk.ui.formatting import format_datetime
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.labels import category_label, help_label, state_label, status_label
from opgelucht_desk.ui.messages import describe_error, not_shared_title, problem_text, sharing_text
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


class MessageBubble(QWidget):
    """One message: plain-text bubble (never rich text: the reporter controls it) and a meta line."""

    def __init__(self, message: MessageView, attachment: AttachmentBox | None = None) -> None:
        super().__init__()
        self.message = message
        self.attachment = attachment
        self.bubble = QLabel(message.text)
        self.bubble.setTextFormat(Qt.TextFormat.PlainText)
        self.withheld = message.state == "verification_failed" and not message.text
        self.bubble.setWordWrap(True)
        self.bubble.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bubble.setObjectName("bubbleOut" if message.outgoing else "bubbleIn")
        self.bubble.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.bubble.setMaximumWidth(520)
        self.meta = QLabel()
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setWordWrap(True)  # a long state ("queued, not sent yet") wraps instead of widening
        self.meta.setMaximumWidth(520)
        self.meta.setObjectName(self._meta_name(message))
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.bubble)
        if attachment is not None:
            column.addWidget(attachment)
            self.bubble.setVisible(bool(message.text))
        column.addWidget(self.meta)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        if message.outgoing:
            row.addStretch(1)
            row.addLayout(column)
            column.setAlignment(self.meta, Qt.AlignmentFlag.AlignRight)
        else:
            row.addLayout(column)
            row.addStretch(1)
        self.retranslate()

    @staticmethod
    def _meta_name(message: MessageView) -> str:
        return "bubbleMetaProblem" if message.state == "verification_failed" else "bubbleMeta"

    def show_message(self, message: MessageView) -> None:
        """The same message in a new state (e.g. queued → sent): texts and style updated in place."""
        self.message = message
        self.withheld = message.state == "verification_failed" and not message.text
        if not self.withheld:
            self.bubble.setText(message.text)
        name = self._meta_name(message)
        if self.meta.objectName() != name:
            self.meta.setObjectName(name)
            self.meta.style().unpolish(self.meta)
            self.meta.style().polish(self.meta)
        self.retranslate()

    def retranslate(self) -> None:
        message = self.message
        if self.withheld:
            self.bubble.setText(self.tr("(This message failed verification; its content is not shown.)"))
        parts = [message.author, format_datetime(message.sent_at), state_label(message.state)]
        if message.problem:
            parts.append(message.problem)
        self.meta.setText(" · ".join(parts))
        if self.attachment is not None:
            self.attachment.retranslate()
        who = self.tr("Sent by you or a colleague") if self.message.outgoing else self.tr("Received")
        self.bubble.setAccessibleName(f"{who}: {message.author}, {state_label(message.state)}")


class ConversationView(Retranslating, QWidget):
    """Shows one conversation. `clear()` destroys every widget that holds decrypted text."""

    changed = Signal()  # status, category, read state or messages changed: refresh the inbox
    read_failed = Signal(object)  # uuid.UUID: marking this conversation read failed

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationView")
        self.desk = desk
        self.conv_id: uuid.UUID | None = None
        self.summary: ConversationSummary | None = None
        self._bubbles: list[MessageBubble] = []
        self._notes_shown: list[NoteView] | None = None
        self._marking_read: set[uuid.UUID] = set()
        # What reloading did, for tests and profiling (numbers only, never content).
        self.bubbles_built = 0
        self.bubbles_updated = 0
        self.bubbles_removed = 0
        self.notes_built = 0

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.profile = QLabel()
        self.profile.setTextFormat(Qt.TextFormat.PlainText)
        self.problem = QLabel()
        self.problem.setObjectName("warningBanner")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()
        # Messages not shared with this computer yet: expected, so explained in a neutral notice.
        self.share_notice = QLabel()
        self.share_notice.setObjectName("shareNotice")
        self.share_notice.setWordWrap(True)
        self.share_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.share_notice.hide()
        self.status_label = QLabel()
        self.status = QComboBox()
        self.status_label.setBuddy(self.status)
        self.category_label = QLabel()
        self.category = QComboBox()
        self.category_label.setBuddy(self.category)
        self.help_label = QLabel()
        self.help_type = QComboBox()
        self.help_label.setBuddy(self.help_type)
        self.deletion = QLabel()
        # Who can read it (the reporter's choice) and handover requests with their state.
        self.readers = QLabel()
        self.readers.setObjectName("readersLabel")
        self.readers.setTextFormat(Qt.TextFormat.PlainText)
        self.readers.setWordWrap(True)
        self.handover_state = QLabel()
        self.handover_state.setTextFormat(Qt.TextFormat.PlainText)
        self.handover_state.setWordWrap(True)
        self.handover_state.hide()
        self.handover_button = QPushButton()
        self.handover_button.clicked.connect(self.ask_handover)
        readers_row = QHBoxLayout()
        readers_row.addWidget(self.readers, 1)
        readers_row.addWidget(self.handover_button)
        controls = QHBoxLayout()
        controls.addWidget(self.status_label)
        controls.addWidget(self.status)
        controls.addWidget(self.category_label)
        controls.addWidget(self.category)
        controls.addStretch(1)
        # The type of help (case register, docs/case-register.md) on a line of its own: the pane is narrow.
        help_row = QHBoxLayout()
        help_row.addWidget(self.help_label)
        help_row.addWidget(self.help_type)
        help_row.addStretch(1)

        self.messages_area = QScrollArea()
        self.messages_area.setWidgetResizable(True)
        # Bubbles wrap to the view's width: a horizontal scroll bar would only clip them.
        self.messages_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._stick_to_end = True  # follow new messages while the reader is at the end
        bar = self.messages_area.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._scrolled)
        self.messages_host = QWidget()
        self.messages_layout = QVBoxLayout(self.messages_host)
        self.messages_layout.addStretch(1)
        self.messages_area.setWidget(self.messages_host)

        self.reply = QPlainTextEdit()
        self.reply.setMaximumHeight(110)
        self.reply.setTabChangesFocus(True)  # Tab goes on to Send instead of typing a tab
        self.send = QPushButton()
        self.attach = QPushButton()
        self.send_hint = QLabel()
        self.send_hint.setObjectName("bubbleMeta")
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        reply_row = QHBoxLayout()
        reply_row.addWidget(self.reply, 1)
        send_column = QVBoxLayout()
        send_column.addWidget(self.send)
        send_column.addWidget(self.attach)
        send_column.addWidget(self.send_hint)
        send_column.addStretch(1)
        reply_row.addLayout(send_column)

        chat = QWidget()
        chat_layout = QVBoxLayout(chat)
        chat_layout.setContentsMargins(0, 0, 0, 0)
        chat_layout.addWidget(self.title)
        chat_layout.addWidget(self.profile)
        chat_layout.addWidget(self.deletion)
        chat_layout.addLayout(readers_row)
        chat_layout.addWidget(self.handover_state)
        chat_layout.addWidget(self.problem)
        chat_layout.addWidget(self.share_notice)
        chat_layout.addLayout(controls)
        chat_layout.addLayout(help_row)
        chat_layout.addWidget(self.messages_area, 1)
        chat_layout.addWidget(self.error)
        chat_layout.addLayout(reply_row)

        self.notes_title = QLabel()
        self.notes_hint = QLabel()
        self.notes_hint.setWordWrap(True)
        self.notes_hint.setObjectName("bubbleMeta")
        self.notes = QListWidget()
        self.notes.setWordWrap(True)
        self.note_input = QPlainTextEdit()
        self.note_input.setMaximumHeight(80)
        self.note_input.setTabChangesFocus(True)
        self.add_note_button = QPushButton()
        notes_panel = QWidget()
        notes_layout = QVBoxLayout(notes_panel)
        notes_layout.setContentsMargins(0, 0, 0, 0)
        notes_layout.addWidget(self.notes_title)
        notes_layout.addWidget(self.notes_hint)
        notes_layout.addWidget(self.notes, 1)
        notes_layout.addWidget(self.note_input)
        notes_layout.addWidget(self.add_note_button)

        self.splitter = QSplitter()
        self.splitter.addWidget(chat)
        self.splitter.addWidget(notes_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        notes_panel.setMinimumWidth(170)
        chat.setMinimumWidth(380)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.splitter)

        self.setTabOrder(self.status, self.category)
        self.setTabOrder(self.category, self.help_type)
        self.setTabOrder(self.help_type, self.messages_area)
        self.setTabOrder(self.messages_area, self.reply)
        self.setTabOrder(self.reply, self.send)
        self.setTabOrder(self.send, self.attach)
        self.setTabOrder(self.attach, self.notes)
        self.setTabOrder(self.notes, self.note_input)
        self.setTabOrder(self.note_input, self.add_note_button)

        self.send.clicked.connect(self.send_reply)
        self.attach.clicked.connect(self.choose_file)
        self.add_note_button.clicked.connect(self.add_note)
        self.status.activated.connect(self._status_chosen)
        self.category.activated.connect(self._category_chosen)
        self.help_type.activated.connect(self._help_chosen)
        self.reply.textChanged.connect(self._update_buttons)
        self.note_input.textChanged.connect(self._update_buttons)
        send_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.reply)
        send_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        send_shortcut.activated.connect(self.send_reply)
        note_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.note_input)
        note_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        note_shortcut.activated.connect(self.add_note)
        self.retranslate()
        self._show_conversation_widgets(False)

    # --- language -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.status_label.setText(self.tr("&Status:"))
        self.category_label.setText(self.tr("C&ategory:"))
        self.status.setAccessibleName(self.tr("Conversation status"))
        self.category.setAccessibleName(self.tr("Conversation category"))
        self.help_label.setText(self.tr("&Help:"))
        self.help_type.setAccessibleName(self.tr("Type of help given (annual report)"))
        self._fill_combos()
        self.messages_area.setAccessibleName(self.tr("Messages"))
        self.reply.setPlaceholderText(self.tr("Write a reply… (Ctrl+Enter sends)"))
        self.reply.setAccessibleName(self.tr("Reply"))
        self.send.setText(self.tr("S&end"))
        self.send.setAccessibleName(self.tr("Send reply"))
        self.attach.setText(self.tr("Attach &file…"))
        self.attach.setAccessibleName(self.tr("Send an image or PDF to the reporter"))
        self.send_hint.setText(self.tr("End-to-end encrypted"))
        self.notes_title.setText(self.tr("Private notes"))
        self.notes_hint.setText(self.tr("Only counsellors of your organisation can read these notes."))
        self.notes.setAccessibleName(self.tr("Private notes"))
        self.note_input.setPlaceholderText(self.tr("Add a private note…"))
        self.note_input.setAccessibleName(self.tr("New private note"))
        self.add_note_button.setText(self.tr("Add &note"))
        self.add_note_button.setAccessibleName(self.tr("Add private note"))
        self.empty.setText(self.tr("Choose a conversation in the list."))
        self.handover_button.setText(self.tr("Ask to bring in a &colleague…"))
        self.handover_button.setAccessibleName(self.tr("Ask the reporter to let a colleague read along"))
        self._show_header()
        for bubble in self._bubbles:
            bubble.retranslate()
        if self.conv_id is not None:
            self._load_notes(force=True)

    def _fill_combos(self) -> None:
        self.status.clear()
        for status in Status:
            self.status.addItem(status_label(status), status)
        self.category.clear()
        self.category.addItem(category_label(None), None)
        for category in Category:
            self.category.addItem(category_label(category), category)
        self.help_type.clear()
        for help_type in (None, *HELP_TYPES):
            self.help_type.addItem(help_label(help_type), help_type)
        self._select_combos()

    def _select_combos(self) -> None:
        if self.summary is None:
            return
        self.status.setCurrentIndex(self.status.findData(self.summary.status))
        self.category.setCurrentIndex(self.category.findData(self.summary.category))
        self.help_type.setCurrentIndex(max(0, self.help_type.findData(self._help_type())))

    def _help_type(self) -> str | None:
        """The type of help of the shown conversation in the case register (None: not set, or locked)."""
        register = getattr(self.desk, "register", None)
        if self.summary is None or register is None:
            return None
        try:
            value: str | None = register().help_type(str(self.summary.conv_id))
        except DeskError:
            return None
        return value

    # --- showing ----------------------------------------------------------------------------------
    def _show_conversation_widgets(self, shown: bool) -> None:
        self.splitter.setVisible(shown)
        self.empty.setVisible(not shown)

    def show_conversation(self, summary: ConversationSummary | None) -> None:
        """Switch to `summary` (saving the draft of the previous one) or to nothing."""
        switching = summary is None or summary.conv_id != self.conv_id
        if switching:
            self._save_draft()
        self.summary = summary
        if summary is None:
            self.clear()
            return
        if switching:
            self._clear_bubbles()
            self._notes_shown = None
            self._scroll_to_end()
            self.conv_id = summary.conv_id
            self.reply.setPlainText(self.desk.draft(summary.conv_id))
            self.note_input.clear()
            self.error.hide()
        self._show_conversation_widgets(True)
        self._show_header()
        self._select_combos()
        self.reload()
        if summary.unread and summary.conv_id not in self._marking_read:
            self._mark_read(summary.conv_id)

    def _mark_read(self, conv_id: uuid.UUID) -> None:
        self._marking_read.add(conv_id)

        def done(_result: object) -> None:
            self._marking_read.discard(conv_id)
            self.changed.emit()  # coalesces with the core's own event; a no-op when listed read

        def failed(exc: BaseException) -> None:
            self._marking_read.discard(conv_id)
            self._failed(exc)
            self.read_failed.emit(conv_id)

        spawn(self.desk.mark_read(conv_id), on_done=done, on_error=failed)

    def _show_header(self) -> None:
        summary = self.summary
        if summary is None:
            return
        name = not_shared_title() if summary.waiting_for_share else summary.pseudonym
        self.title.setText(name)
        self.title.setAccessibleName(self.tr("Conversation with %1").replace("%1", name))
        unknown = self.tr("not given")
        self.profile.setText(
            self.tr("Age: %1 · Gender: %2")
            .replace("%1", summary.age_category or unknown)
            .replace("%2", summary.gender or unknown)
        )
        self.deletion.setText(self.tr("Deleted automatically in %n days", "", summary.days_until_deletion))
        self._show_readers(summary)
        if summary.verification_problem:
            self.problem.setText(
                self.tr("Verification problem in this conversation: %1").replace(
                    "%1", problem_text(summary.verification_problem)
                )
            )
            self.problem.show()
        else:
            self.problem.hide()
        sharing = sharing_text(summary)
        self.share_notice.setText(sharing or "")
        self.share_notice.setVisible(sharing is not None)

    def _show_readers(self, summary: ConversationSummary) -> None:
        """ "Alleen u", "u en Anouk", "alle vertrouwenspersonen"; the handover action and its state."""
        if summary.readers is None:
            self.readers.setText(self.tr("Who can read it: all counsellors"))
        elif not summary.readers:
            self.readers.setText(self.tr("Who can read it: only you"))
        else:
            self.readers.setText(
                self.tr("Who can read it: you and %1").replace("%1", self.tr(", ").join(summary.readers))
            )
        chosen = summary.readers is not None
        self.handover_button.setVisible(chosen and bool(self.desk.colleagues(summary.conv_id)))
        states = {
            "asked": self.tr("%1: asked the reporter, no answer yet"),
            "accepted": self.tr("%1: the reporter agreed; the history was shared"),
            "declined": self.tr("%1: the reporter declined"),
        }
        lines = [
            states[h.state].replace("%1", h.colleague or self.tr("a colleague"))
            for h in (self.desk.handovers(summary.conv_id) if chosen else [])
        ]
        self.handover_state.setText(self.tr("Handover: %1").replace("%1", "; ".join(lines)))
        self.handover_state.setVisible(bool(lines))

    def ask_handover(self) -> None:
        """Choose a colleague and ask the reporter (a signed request in the chat; nothing changes
        until the reporter agrees)."""
        if self.conv_id is None:
            return
        conv_id = self.conv_id
        colleagues = self.desk.colleagues(conv_id)
        if not colleagues:
            return
        language = "en" if QLocale().language() == QLocale.Language.English else "nl"
        items = []
        for c in colleagues:
            extra = [c.role or "", c.availability.get(language) or next(iter(c.availability.values()), "")]
            detail = " · ".join(x for x in extra if x)
            items.append(f"{c.display_name} ({detail})" if detail else c.display_name)
        choice, ok = QInputDialog.getItem(
            self,
            self.tr("Bring in a colleague"),
            self.tr("The reporter is asked first. Only if they agree can this colleague read the "
                    "conversation, including what was written so far."),
            items,
            0,
            False,
        )  # fmt: skip
        if not ok or choice not in items:
            return
        colleague = colleagues[items.index(choice)]
        self.error.hide()
        spawn(
            self.desk.request_handover(conv_id, colleague.counsellor_id),
            on_done=lambda _r: self.changed.emit(),
            on_error=self._failed,
        )

    def reload(self) -> None:
        """Bring the bubbles and notes up to date with the core's decrypted cache.

        Bubbles that did not change stay as they are (a new message is appended, a message whose
        delivery state changed is updated in its bubble), so the reader keeps their place: the view
        follows new messages only while it was scrolled to the end.
        """
        if self.conv_id is None:
            return
        self._show_messages(self.desk.messages(self.conv_id))
        self._load_notes()
        self._update_buttons()

    def _show_messages(self, messages: list[MessageView]) -> None:
        """Match the bubbles to `messages` by message id: keep, update, move, add or remove each."""
        existing = {bubble.message.msg_id: bubble for bubble in self._bubbles}
        wanted = {message.msg_id for message in messages}
        for old in self._bubbles:
            if old.message.msg_id not in wanted:
                self._destroy_bubble(old)
                self.bubbles_removed += 1
        bubbles: list[MessageBubble] = []
        for position, message in enumerate(messages):
            bubble = existing.get(message.msg_id)
            if bubble is not None and bubble.message.outgoing != message.outgoing:
                self._destroy_bubble(bubble)  # the other side of the conversation: laid out anew
                self.bubbles_removed += 1
                bubble = None
            if bubble is None:
                box = None
                if message.attachment is not None and self.conv_id is not None:
                    box = AttachmentBox(self.desk, self.conv_id, message.msg_id, message.attachment)
                bubble = MessageBubble(message, box)
                self.bubbles_built += 1
            elif bubble.message != message:
                bubble.show_message(message)
                self.bubbles_updated += 1
            # Layout item 0 is the stretch that keeps the bubbles at the bottom.
            index = self.messages_layout.indexOf(bubble)
            if index != position + 1:
                if index >= 0:
                    self.messages_layout.removeWidget(bubble)  # moved (a message arrived before it)
                self.messages_layout.insertWidget(position + 1, bubble)
            bubbles.append(bubble)
        self._bubbles = bubbles

    def _scrolled(self, value: int) -> None:
        bar = self.messages_area.verticalScrollBar()
        self._stick_to_end = value >= bar.maximum() - 4

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_end:
            self.messages_area.verticalScrollBar().setValue(maximum)

    def _scroll_to_end(self) -> None:
        self._stick_to_end = True
        bar = self.messages_area.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _load_notes(self, *, force: bool = False) -> None:
        """Fill the notes panel; left as it is when the notes did not change (unless `force`)."""
        if self.conv_id is None:
            self.notes.clear()
            self._notes_shown = None
            return
        notes = self.desk.notes(self.conv_id)
        if notes == self._notes_shown and not force:
            return
        self._notes_shown = notes
        self.notes_built += 1
        self.notes.clear()
        for note in notes:
            meta = f"{note.author} · {format_datetime(note.written_at)}"
            if note.state != "received":
                meta += f" · {state_label(note.state)}"
            item = QListWidgetItem(f"{meta}\n{note.text}")
            self.notes.addItem(item)

    def _destroy_bubble(self, bubble: MessageBubble) -> None:
        self.messages_layout.removeWidget(bubble)
        bubble.setParent(None)
        bubble.deleteLater()

    def _clear_bubbles(self) -> None:
        for bubble in self._bubbles:
            self._destroy_bubble(bubble)
        self._bubbles = []

    def clear(self) -> None:
        """Forget the conversation: bubbles destroyed, text fields and notes emptied."""
        self._save_draft()
        self._clear_bubbles()
        self.notes.clear()
        self._notes_shown = None
        self.reply.clear()
        self.note_input.clear()
        self.title.clear()
        self.profile.clear()
        self.problem.clear()
        self.problem.hide()
        self.share_notice.clear()
        self.share_notice.hide()
        self.conv_id = None
        self.summary = None
        self._show_conversation_widgets(False)

    def _save_draft(self) -> None:
        if self.conv_id is not None and self.desk.state == DeskState.UNLOCKED:
            self.desk.save_draft(self.conv_id, self.reply.toPlainText())

    # --- actions ----------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        self.send.setEnabled(self.conv_id is not None and bool(self.reply.toPlainText().strip()))
        self.attach.setEnabled(self.conv_id is not None)
        self.add_note_button.setEnabled(
            self.conv_id is not None and bool(self.note_input.toPlainText().strip())
        )

    def send_reply(self) -> None:
        if self.conv_id is None or not self.reply.toPlainText().strip():
            return
        conv_id, text = self.conv_id, self.reply.toPlainText()
        self.reply.clear()
        self.desk.save_draft(conv_id, "")
        self.error.hide()

        def failed(exc: BaseException) -> None:
            # Nothing is lost: put the text back unless the user already typed something new.
            if self.conv_id == conv_id and not self.reply.toPlainText():
                self.reply.setPlainText(text)
            self.desk.save_draft(conv_id, text)
            self._failed(exc)

        spawn(self.desk.reply(conv_id, text), on_done=self._after_change, on_error=failed)
        self._scroll_to_end()  # the writer wants to see their own reply
        self.reload()

    def choose_file(self) -> None:
        if self.conv_id is None:
            return
        path, _f = QFileDialog.getOpenFileName(
            self,
            self.tr("Attach a file"),
            "",
            self.tr("Images and PDF (*.jpg *.jpeg *.png *.webp *.heic *.pdf)"),
        )
        if path:
            self.attach_file(Path(path))

    def attach_file(self, path: Path) -> None:
        """Send the file: re-encoded (metadata stripped) and encrypted by the core first."""
        if self.conv_id is None:
            return
        conv_id = self.conv_id
        self.error.hide()

        async def send() -> None:
            data = await asyncio.to_thread(path.read_bytes)
            await self.desk.attach_file(conv_id, data)

        spawn(send(), on_done=self._after_change, on_error=self._failed)

    def add_note(self) -> None:
        if self.conv_id is None or not self.note_input.toPlainText().strip():
            return
        conv_id, text = self.conv_id, self.note_input.toPlainText()
        self.note_input.clear()

        def failed(exc: BaseException) -> None:
            if self.conv_id == conv_id and not self.note_input.toPlainText():
                self.note_input.setPlainText(text)
            self._failed(exc)

        spawn(self.desk.add_note(conv_id, text), on_done=self._after_change, on_error=failed)

    def _status_chosen(self, index: int) -> None:
        status = self.status.itemData(index)
        if self.conv_id is None or not isinstance(status, Status):
            return
        spawn(self.desk.set_status(self.conv_id, status), on_done=self._after_change, on_error=self._failed)

    def _category_chosen(self, index: int) -> None:
        category = self.category.itemData(index)
        if self.conv_id is None:
            return
        chosen = category if isinstance(category, Category) else None
        spawn(self.desk.set_category(self.conv_id, chosen), on_done=self._after_change, on_error=self._failed)

    def _help_chosen(self, index: int) -> None:
        help_type = self.help_type.itemData(index)
        if self.conv_id is None:
            return
        chosen = help_type if isinstance(help_type, str) else None
        work = self.desk.register().set_help_type(str(self.conv_id), chosen)
        spawn(work, on_done=self._after_change, on_error=self._failed)

    def _after_change(self, _result: object) -> None:
        self.reload()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, AttachmentError):
            self.error.setText(describe_attachment_error(exc))
            self.error.show()
            return
        self.error.setText(describe_error(exc))
        self.error.show()
