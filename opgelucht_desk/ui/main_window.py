"""Main window: inbox, statistics, annual report, organisation (admins only), settings, status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.model import RosterWarning, RosterWarningKind
from opgelucht_desk.ui.admin import AdminPage
from opgelucht_desk.ui.annual_report import AnnualReportPage
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.inbox import InboxPage
from opgelucht_desk.ui.messages import describe_roster_warning
from opgelucht_desk.ui.preferences import Preferences
from opgelucht_desk.ui.settings import SettingsPage
from opgelucht_desk.ui.stats import StatsPage
from opgelucht_desk.ui.unread import counted_title
from opgelucht_desk.ui.update_notice import UpdateNotice, UpdateService

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


class MainWindow(Retranslating, QMainWindow):
    """Exists only while the desk is unlocked; locking destroys it with everything it shows."""

    lock_requested = Signal()
    closed = Signal()

    def __init__(self, desk: Desk, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.desk = desk
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.inbox = InboxPage(desk)
        self.stats = StatsPage(desk)
        self.annual = AnnualReportPage(desk)
        self.settings = SettingsPage(desk, preferences)
        self.admin: AdminPage | None = None
        self.tabs.addTab(self.inbox, "")
        self.tabs.addTab(self.stats, "")
        self.tabs.addTab(self.annual, "")
        account = desk.account
        if account is not None and account.role == "admin":
            self.admin = AdminPage(desk)
            self.tabs.addTab(self.admin, "")
        self.tabs.addTab(self.settings, "")
        # Locking in one click, always in sight (besides Ctrl+L and the tray menu).
        self.lock_button = QPushButton()
        self.lock_button.setObjectName("lockButton")
        self.lock_button.clicked.connect(self.lock_requested)
        self.tabs.setCornerWidget(self.lock_button, Qt.Corner.TopRightCorner)
        self._unread = 0
        self.banner = QLabel()
        self.banner.setObjectName("warningBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()
        # Every roster change is shown (DESIGN §2), non-modal: the counsellor checks their own entry.
        self.roster_notice = QFrame()
        self.roster_notice.setObjectName("infoBanner")
        self.roster_notice_text = QLabel()
        self.roster_notice_text.setWordWrap(True)
        self.roster_notice_text.setTextFormat(Qt.TextFormat.PlainText)
        self.roster_notice_close = QPushButton()
        self.roster_notice_close.clicked.connect(self.roster_notice.hide)
        notice_layout = QHBoxLayout(self.roster_notice)
        notice_layout.setContentsMargins(6, 4, 6, 4)
        notice_layout.addWidget(self.roster_notice_text, 1)
        notice_layout.addWidget(self.roster_notice_close)
        self.roster_notice.hide()
        self._roster_version: int | None = None
        self._roster_warning: RosterWarning | None = None
        self.content = central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.roster_notice)
        layout.addWidget(self.tabs, 1)
        # At large text sizes (200 %) or on a small screen the pages need more room than the screen has:
        # they scroll inside the window instead of running off the screen with the lock button and the
        # status bar (seen under Xvfb with QT_FONT_DPI=192: a 2640 px wide window on a 1400 px screen).
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(central)
        self.setCentralWidget(scroll)
        self.connection = QLabel()
        self.sync_bar = QProgressBar()
        self.sync_bar.setMaximumWidth(220)
        self.sync_bar.hide()
        self.statusBar().addPermanentWidget(self.sync_bar)
        self.statusBar().addPermanentWidget(self.connection)
        self._online: bool | None = None
        self._loaded: set[QWidget] = set()
        self.tabs.currentChanged.connect(self._tab_changed)
        for number in range(1, self.tabs.count() + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda n=number: self.tabs.setCurrentIndex(n - 1))
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self.focus_search)
        QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self.lock_requested)
        self.resize(fit_on_screen(QSize(1320, 780), self))
        self.retranslate()

    def retranslate(self) -> None:
        self._show_title()
        self.lock_button.setText(self.tr("Lock"))
        self.lock_button.setAccessibleName(self.tr("Lock Opgelucht Desk"))
        self.lock_button.setToolTip(self.tr("Lock now (Ctrl+L); log in again to continue"))
        self.tabs.setTabText(self.tabs.indexOf(self.inbox), self.tr("&Inbox"))
        self.tabs.setTabText(self.tabs.indexOf(self.stats), self.tr("S&tatistics"))
        self.tabs.setTabText(self.tabs.indexOf(self.annual), self.tr("Annual &report"))
        if self.admin is not None:
            self.tabs.setTabText(self.tabs.indexOf(self.admin), self.tr("&Organisation"))
        self.tabs.setTabText(self.tabs.indexOf(self.settings), self.tr("Setti&ngs"))
        self.tabs.setAccessibleName(self.tr("Sections"))
        self.sync_bar.setAccessibleName(self.tr("Synchronisation progress"))
        self.roster_notice_close.setText(self.tr("Dismiss"))
        self.roster_notice_close.setAccessibleName(self.tr("Dismiss the roster notice"))
        self._show_connection()
        self._show_roster_notice()
        self._show_roster_warning()

    def set_unread(self, count: int) -> None:
        """The window title carries the unread count (taskbars show it): "(3) Opgelucht Desk"."""
        self._unread = count
        self._show_title()

    def _show_title(self) -> None:
        self.setWindowTitle(counted_title(self.tr("Opgelucht Desk"), self._unread))

    def add_notice(self, notice: QWidget) -> None:
        """A non-modal notice above the tabs (e.g. the update notice of `ui/update_notice.py`)."""
        layout = self.content.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.tabs), notice)

    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.inbox)
        self.inbox.search.setFocus()
        self.inbox.search.selectAll()

    def _tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        if page is None or page in self._loaded:
            return
        if page is self.stats:
            self.stats.load()
            self._loaded.add(self.stats)
        elif page is self.annual:
            self.annual.load()
            self._loaded.add(self.annual)
        elif self.admin is not None and page is self.admin:
            self.admin.load()
            self._loaded.add(self.admin)

    # --- events from the core ---------------------------------------------------------------------
    def set_online(self, online: bool) -> None:
        self._online = online
        self._show_connection()

    def _show_connection(self) -> None:
        if self._online is None:
            self.connection.setText("")
        elif self._online:
            self.connection.setText(self.tr("Connected"))
        else:
            self.connection.setText(self.tr("Offline: replies wait in the outbox"))

    def set_sync_progress(self, done: int, total: int) -> None:
        if total <= 0 or done >= total:
            self.sync_bar.hide()
            return
        self.sync_bar.setRange(0, total)
        self.sync_bar.setValue(done)
        self.sync_bar.setFormat(self.tr("Synchronising %v of %m"))
        self.sync_bar.show()

    def show_roster_warning(self, warning: RosterWarning) -> None:
        """The warning in the user's language; the core's English reason only as a tooltip."""
        self._roster_warning = warning
        self._show_roster_warning()
        self.banner.show()

    def clear_roster_warning(self, kind: RosterWarningKind) -> None:
        """Hide the banner when it shows a warning of ``kind`` that the core says no longer holds."""
        if self._roster_warning is not None and self._roster_warning.kind == kind:
            self._roster_warning = None
            self.banner.hide()

    def _show_roster_warning(self) -> None:
        if self._roster_warning is None:
            return
        text = describe_roster_warning(self._roster_warning)
        self.banner.setText(self.tr("Security warning: %1").replace("%1", text))
        self.banner.setToolTip(self._roster_warning.detail)

    def show_problem(self, text: str) -> None:
        """A translated problem that is no security warning (e.g. the first sync failed)."""
        self._roster_warning = None
        self.banner.setText(text)
        self.banner.setToolTip("")
        self.banner.show()

    def show_roster_changed(self, version: int) -> None:
        """A new verified roster: a notice above the tabs until dismissed (no dialog)."""
        self._roster_version = version
        self._show_roster_notice()
        self.roster_notice.show()

    def _show_roster_notice(self) -> None:
        if self._roster_version is None:
            return
        if self.admin is not None:
            text = self.tr(
                "The list of counsellors and their computers (roster) has changed: version %1. "
                "Check under Organisation that only your own computers are listed under your name; "
                "report any computer you do not know."
            )
        else:  # a counsellor has no Organisation tab: the org admin can show them the list
            text = self.tr(
                "The list of counsellors and their computers (roster) has changed: version %1. "
                "Ask your organisation's admin to check with you that only your own computers are "
                "listed under your name; report any computer you do not know."
            )
        self.roster_notice_text.setText(text.replace("%1", str(self._roster_version)))

    def clear_content(self) -> None:
        """Empty every view that holds decrypted data (called before the window is destroyed)."""
        self.inbox.clear()
        self.stats.clear()
        self.annual.clear()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)


def attach_updates(window: QWidget, service: UpdateService) -> None:
    """Give a newly shown main window (`Controller.window_changed`) the update notice above its tabs and
    the Updates box in its Settings; other windows (the wizard, the login) get neither."""
    if isinstance(window, MainWindow):
        window.add_notice(UpdateNotice(service))
        window.settings.set_update_service(service)


def fit_on_screen(size: QSize, window: QWidget) -> QSize:
    """``size``, made smaller where the screen the window opens on has less room (its available area,
    without taskbars)."""
    screen = window.screen()
    if screen is None:
        return size
    return size.boundedTo(screen.availableGeometry().size())
