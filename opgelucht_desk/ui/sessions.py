"""Settings: the counsellor's logged-in sessions on the relay; every other one can be signed out here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from opgelucht_desk.core.model import SessionView
from opgelucht_desk.ui.formatting import format_datetime
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.messages import describe_error
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


class SessionsBox(Retranslating, QGroupBox):
    """ "Active sessions": this computer's marked, each other one with "Sign out" (ends it on the relay)."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.sessions: list[SessionView] = []
        self.rows: dict[str, QPushButton] = {}  # session id -> its "Sign out" button (other sessions)
        self.loading = False
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.list_host = QWidget()
        self.list_layout = QVBoxLayout(self.list_host)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.hide()
        self.refresh_button = QPushButton()
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.list_host)
        layout.addWidget(self.feedback)
        layout.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.refresh_button.clicked.connect(self.load)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Active sessions"))
        self.explain.setText(
            self.tr("Where you are logged in with this account. Sign out any session you do not recognise.")
        )
        self.refresh_button.setText(self.tr("Refresh sessions"))
        self._show_rows()

    def load(self) -> None:
        """Fetch the sessions from the relay (when the Settings page is shown, and on "Refresh")."""
        if self.loading:
            return
        self.loading = True

        def done(sessions: list[SessionView]) -> None:
            if not isValid(self):  # the window was locked meanwhile
                return
            self.loading = False
            self.sessions = sessions
            self._say("")
            self._show_rows()

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return
            self.loading = False
            self._say(describe_error(exc))

        spawn(self.desk.sessions(), on_done=done, on_error=failed)

    def end(self, session_id: str) -> None:
        """Sign out another session; the list then shows the relay's sessions as they are now."""
        button = self.rows.get(session_id)
        if button is not None:
            button.setEnabled(False)

        def done(_r: object) -> None:
            if not isValid(self):
                return
            self.sessions = [s for s in self.sessions if s.session_id != session_id]
            self._say(self.tr("The session was signed out."))
            self._show_rows()
            self.load()

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return
            if button is not None and session_id in self.rows:
                button.setEnabled(True)
            self._say(describe_error(exc))

        spawn(self.desk.end_session(session_id), on_done=done, on_error=failed)

    def _say(self, text: str) -> None:
        self.feedback.setText(text)
        self.feedback.setVisible(bool(text))

    def _show_rows(self) -> None:
        while self.list_layout.count():
            item = self.list_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = {}
        for session in sorted(self.sessions, key=lambda s: (not s.current, s.created_at)):
            self.list_layout.addWidget(self._row(session))

    def _row(self, session: SessionView) -> QWidget:
        row = QFrame()
        row.setObjectName("sessionRow")
        text = QLabel()
        text.setWordWrap(True)
        when = (
            self.tr("Logged in %1, last used %2")
            .replace("%1", format_datetime(session.created_at))
            .replace("%2", format_datetime(session.last_used_at))
        )
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(text, 1)
        if session.current:
            text.setText(self.tr("This computer: %1").replace("%1", when))
        else:
            text.setText(when)
            button = QPushButton(self.tr("Sign out"))
            started = format_datetime(session.created_at)
            button.setAccessibleName(self.tr("Sign out the session logged in %1").replace("%1", started))
            button.clicked.connect(lambda _c=False, sid=session.session_id: self.end(sid))
            layout.addWidget(button)
            self.rows[session.session_id] = button
        return row
