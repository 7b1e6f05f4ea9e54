"""The administrator's tab of counsellors: invitations, removal, the signed roster, sharing
conversations with new computers, and the selected counsellor's computers (one can be removed, e.g. a
stolen laptop)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.model import ComputerView, CounsellorView
from opgelucht_desk.ui.admin_widgets import Feedback, ListLoader, make_table, select_row_with, table_item
from opgelucht_desk.ui.confirm import ask
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.labels import role_label
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


class CounsellorsTab(Retranslating, QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.counsellors: list[CounsellorView] = []
        self.loaded = False
        self._loader = ListLoader()
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
        self.table = make_table(6)
        self.invite_counsellor = QPushButton()
        self.invite_admin = QPushButton()
        self.remove = QPushButton()
        self.publish = QPushButton()
        self.share = QPushButton()  # only shown when sharing failed after publishing (to retry)
        self.share.hide()
        self.computers_title = QLabel()  # the selected counsellor's computers
        self.computers_table = make_table(3)
        self.computers_title.setBuddy(self.computers_table)
        self.remove_computer = QPushButton()
        self.remove_computer.setEnabled(False)
        self.invitation = QLineEdit()
        self.invitation.setReadOnly(True)
        self.invitation.hide()
        self.feedback = Feedback()
        buttons = QHBoxLayout()
        for button in (self.invite_counsellor, self.invite_admin, self.remove, self.publish, self.share):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.pending)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.computers_title)
        layout.addWidget(self.computers_table)
        computer_buttons = QHBoxLayout()
        computer_buttons.addWidget(self.remove_computer)
        computer_buttons.addStretch(1)
        layout.addLayout(computer_buttons)
        layout.addWidget(self.invitation)
        layout.addWidget(self.feedback)
        self.invite_counsellor.clicked.connect(lambda: self._invite("counsellor"))
        self.invite_admin.clicked.connect(lambda: self._invite("admin"))
        self.remove.clicked.connect(self._remove_clicked)
        self.publish.clicked.connect(self._publish_clicked)
        self.pending_publish.clicked.connect(self._publish_clicked)
        self.share.clicked.connect(self._share)
        self.table.itemSelectionChanged.connect(self._fill_computers)
        self.computers_table.itemSelectionChanged.connect(self._computer_selected)
        self.remove_computer.clicked.connect(self._remove_computer_clicked)
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
        self.computers_title.setText(self.tr("Co&mputers of the selected counsellor:"))
        self.computers_table.setHorizontalHeaderLabels(
            [self.tr("Computer"), self.tr("In published list"), self.tr("Note")]
        )
        self.computers_table.setAccessibleName(self.tr("Computers of the selected counsellor"))
        self.remove_computer.setText(self.tr("Remove comp&uter…"))
        self.remove_computer.setAccessibleName(self.tr("Remove the selected computer"))
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
            self.table.setItem(row, 0, table_item(c.display_name, c.counsellor_id))
            self.table.setItem(row, 1, table_item(c.username))
            self.table.setItem(row, 2, table_item(role_label(c.role)))
            self.table.setItem(row, 3, table_item(str(c.devices)))
            self.table.setItem(row, 4, table_item(listed))
            self.table.setItem(row, 5, table_item(c.safety_number))
        if selected is not None:
            select_row_with(self.table, selected)
        self._fill_computers()
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

    def selected_counsellor(self) -> CounsellorView | None:
        selected = self.selected_id()
        return next((c for c in self.counsellors if c.counsellor_id == selected), None)

    def _fill_computers(self) -> None:
        """The selected counsellor's computers (short id, listed or not, this computer)."""
        counsellor = self.selected_counsellor()
        computers = counsellor.computers if counsellor is not None else ()
        chosen = self.selected_computer()
        self.computers_table.setRowCount(len(computers))
        for row, computer in enumerate(computers):
            listed = self.tr("yes") if computer.listed else self.tr("no, not yet")
            note = self.tr("this computer") if computer.current else ""
            self.computers_table.setItem(row, 0, table_item(computer.short_id, computer.device_id))
            self.computers_table.setItem(row, 1, table_item(listed))
            self.computers_table.setItem(row, 2, table_item(note))
        if chosen is not None:
            select_row_with(self.computers_table, chosen.device_id)
        self._computer_selected()

    def selected_computer(self) -> ComputerView | None:
        items = self.computers_table.selectedItems()
        counsellor = self.selected_counsellor()
        if not items or counsellor is None:
            return None
        first = self.computers_table.item(items[0].row(), 0)
        value = first.data(Qt.ItemDataRole.UserRole) if first is not None else None
        return next((c for c in counsellor.computers if c.device_id == value), None)

    def _computer_selected(self) -> None:
        computer = self.selected_computer()
        self.remove_computer.setEnabled(computer is not None and computer.listed and not computer.current)

    def _remove_computer_clicked(self) -> None:
        counsellor, computer = self.selected_counsellor(), self.selected_computer()
        if counsellor is None or computer is None or computer.current or not computer.listed:
            return
        counsellor_id, device_id = counsellor.counsellor_id, computer.device_id

        def remove() -> None:
            def done(_version: int) -> None:
                self.feedback.ok(
                    self.tr(
                        "Computer %1 was removed and signed out. The list of counsellors was published."
                    ).replace("%1", computer.short_id)
                )
                self.load()

            spawn(
                self.desk.remove_device(counsellor_id, device_id), on_done=done, on_error=self.feedback.fail
            )

        ask(
            self,
            self.tr("Remove computer"),
            self.tr(
                "Remove computer %1 of %2 from the list of counsellors? That computer is signed out at once, "
                "cannot log in again and cannot read new messages. %2's other computers keep working. To "
                "use this computer again, it must be added anew as a further computer (from the key backup)."
            )
            .replace("%1", computer.short_id)
            .replace("%2", counsellor.display_name),
            remove,
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
