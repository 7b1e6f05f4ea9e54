"""The organisation administrator's page: one tab each for counsellors, organisation codes, articles
and key backups (the admin_*.py modules). The lists follow changes made elsewhere (a colleague who
enrols, a new computer, a code made on another desk): the relay sends no live event for those, so the
page polls them while it is visible, and has a refresh action (button, F5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.ui.admin_articles import ArticlesTab
from opgelucht_desk.ui.admin_codes import CodesTab
from opgelucht_desk.ui.admin_counsellors import CounsellorsTab
from opgelucht_desk.ui.admin_key_backup import KeyBackupTab
from opgelucht_desk.ui.i18n import Retranslating

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


POLL_INTERVAL_MS = 10_000  # how often a visible admin page re-reads its lists


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
