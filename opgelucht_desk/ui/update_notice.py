"""The signed update check in the UI: one app-wide service, a non-modal notice above the main window's
tabs and the Updates box in Settings. Nothing here installs or opens a download (docs/install-it.md)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.ui.formatting import format_datetime
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.tasks import spawn
from opgelucht_desk.update_check import CheckResult, Outcome, Refusal, UpdateChecker
from opgelucht_desk.updates import ArtefactMismatchError, UpdateOffer

if TYPE_CHECKING:
    from opgelucht_desk.ui.preferences import Preferences

log = logging.getLogger(__name__)


def downloads_folder() -> Path:
    """The user's Downloads folder (the home folder when the system names none)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return Path(location) if location else Path.home()


def choose_folder(parent: QWidget, title: str) -> Path | None:
    """Ask where to save the installer, starting in Downloads; ``None`` when the user cancels."""
    chosen = QFileDialog.getExistingDirectory(parent, title, str(downloads_folder()))
    return Path(chosen) if chosen else None


class UpdateService(QObject):
    """The app's update state for every window: the last check, a running download, the saved file."""

    changed = Signal()

    def __init__(
        self, checker: UpdateChecker, preferences: Preferences, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.checker = checker
        self.preferences = preferences
        self.checking = False
        self.downloading = False
        self.saved: Path | None = None  # the verified installer of the offered version
        self.download_problem: str | None = None  # "mismatch", "network" or "folder"
        self.dismissed: str | None = None  # the version whose notice the user closed
        checker.add_listener(self)

    @property
    def allowed(self) -> bool:
        return self.checker.policy.allowed

    @property
    def result(self) -> CheckResult | None:
        return self.checker.last

    @property
    def offer(self) -> UpdateOffer | None:
        result = self.checker.last
        return result.offer if result is not None and result.outcome is Outcome.OFFER else None

    def start(self) -> None:
        """At app start: the automatic check as the user chose it (never when IT turned it off)."""
        self.checker.set_automatic(self.allowed and self.preferences.update_check)

    async def stop(self) -> None:
        await self.checker.stop()

    def set_automatic(self, on: bool) -> None:
        self.preferences.update_check = on
        self.checker.set_automatic(on and self.allowed)
        self.changed.emit()

    def check_now(self) -> None:
        if not self.allowed or self.checking:
            return
        self.checking = True
        self.changed.emit()

        def finished(_r: object) -> None:
            self.checking = False
            self.changed.emit()

        spawn(self.checker.check_now(), on_done=finished, on_error=finished)

    def update_checked(self, result: CheckResult) -> None:
        """The checker's listener callback (the daily check or "Check now")."""
        if result.offer is None or self.saved is None or self.saved.name != result.offer.artefact.name:
            self.saved = None
        self.download_problem = None
        self.changed.emit()

    def download(self, directory: Path) -> None:
        """Download the offered installer into `directory` and verify it; the user asked for it."""
        offer = self.offer
        if offer is None or self.downloading:
            return
        self.downloading = True
        self.download_problem = None
        self.changed.emit()

        def done(path: Path) -> None:
            self.downloading = False
            self.saved = path
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.downloading = False
            if isinstance(exc, ArtefactMismatchError):
                self.download_problem = "mismatch"
            elif isinstance(exc, httpx.HTTPError):
                self.download_problem = "network"
            elif isinstance(exc, OSError):
                self.download_problem = "folder"
            else:  # UpdatesDisabledError cannot happen: without the check there is no offer
                self.download_problem = "network"
                log.error("update download failed: %s", type(exc).__name__)
            self.changed.emit()

        spawn(self.checker.download(offer, directory), on_done=done, on_error=failed)

    def dismiss(self) -> None:
        offer = self.offer
        self.dismissed = str(offer.manifest.version) if offer is not None else None
        self.changed.emit()


class UpdateTexts(QObject):
    """Translation context of the texts both the notice and the Settings box show."""

    def available(self, version: str) -> str:
        return self.tr("Version %1 is available.").replace("%1", version)

    def download(self) -> str:
        return self.tr("Download…")

    def choose(self) -> str:
        return self.tr("Choose a folder for the installer")

    def downloading(self, version: str) -> str:
        return self.tr("Downloading and checking version %1…").replace("%1", version)

    def saved(self, path: Path) -> str:
        return self.tr(
            "Verified installer saved in %1. Opgelucht Desk does not install or open it: your IT department "
            "installs it, or you do if you are allowed to."
        ).replace("%1", str(path.parent))

    def problem(self, kind: str) -> str:
        if kind == "mismatch":
            return self.tr(
                "The download did not match the signed release information and was deleted. "
                "Nothing was installed."
            )
        if kind == "folder":
            return self.tr("The installer could not be saved in this folder. Choose another folder.")
        return self.tr("The download did not work (no connection to the update site). Try again later.")


def _download_state(service: UpdateService) -> str | None:
    """What the download says now, or ``None`` before the user asked for it."""
    texts = UpdateTexts()
    offer = service.offer
    if offer is None:
        return None
    if service.downloading:
        return texts.downloading(str(offer.manifest.version))
    if service.saved is not None:
        return texts.saved(service.saved)
    if service.download_problem is not None:
        return texts.problem(service.download_problem)
    return None


class UpdateNotice(Retranslating, QFrame):
    """Above the tabs while a verified newer version is offered: "Version 1.2.4 is available"."""

    def __init__(self, service: UpdateService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("infoBanner")
        self.service = service
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download = QPushButton()
        self.close_button = QPushButton()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.download)
        layout.addWidget(self.close_button)
        self.download.clicked.connect(self._download_clicked)
        self.close_button.clicked.connect(service.dismiss)
        service.changed.connect(self.show_state)
        self.retranslate()

    def retranslate(self) -> None:
        self.download.setText(UpdateTexts().download())
        self.close_button.setText(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss the update notice"))
        self.show_state()

    def show_state(self) -> None:
        offer = self.service.offer
        if offer is None or self.service.dismissed == str(offer.manifest.version):
            self.hide()
            return
        state = _download_state(self.service)
        self.text.setText(state or UpdateTexts().available(str(offer.manifest.version)))
        self.download.setVisible(not self.service.downloading and self.service.saved is None)
        self.show()

    def _download_clicked(self) -> None:
        folder = choose_folder(self, UpdateTexts().choose())
        if folder is not None:
            self.service.download(folder)


class UpdateBox(Retranslating, QGroupBox):
    """Settings: automatic check on or off, "Check now", and what the last check found."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service: UpdateService | None = None
        self._explain = ""
        self.automatic = QCheckBox()
        self.check_now = QPushButton()
        self.download = QPushButton()
        self.reason = QLabel()  # why the check is off
        self.reason.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_now)
        buttons.addWidget(self.download)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.automatic)
        layout.addWidget(self.reason)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.automatic.toggled.connect(self._automatic_toggled)
        self.check_now.clicked.connect(self._check_now_clicked)
        self.download.clicked.connect(self._download_clicked)
        self.hide()  # until the app gives it its service
        self.retranslate()

    def bind(self, service: UpdateService) -> None:
        self.service = service
        service.changed.connect(self.show_state)
        self.show_state()
        self.show()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Updates"))
        self.automatic.setText(self.tr("Check for updates automatically"))
        self._explain = self.tr(
            "Once a day Opgelucht Desk asks the update site which version is current. The request "
            "carries nothing about you, your organisation or your conversations."
        )
        self.automatic.setToolTip(self._explain)
        self.check_now.setText(self.tr("Check now"))
        self.download.setText(UpdateTexts().download())
        self.show_state()

    def show_state(self) -> None:
        service = self.service
        if service is None:
            return
        policy = service.checker.policy
        self.automatic.blockSignals(True)
        self.automatic.setChecked(service.allowed and service.preferences.update_check)
        self.automatic.blockSignals(False)
        self.automatic.setEnabled(service.allowed)
        self.check_now.setEnabled(service.allowed and not service.checking)
        if policy.problem is not None:
            self.reason.setText(
                self.tr("Disabled: the update setting of your IT department cannot be used (%1).").replace(
                    "%1", policy.problem
                )
            )
        elif policy.it_disabled:
            self.reason.setText(self.tr("Disabled by your IT department"))
        self.reason.setVisible(not service.allowed)
        self.automatic.setToolTip(self._explain if service.allowed else self.reason.text())
        self.download.setVisible(
            service.offer is not None and not service.downloading and service.saved is None
        )
        self.status.setText(self._status_text(service))

    def _status_text(self, service: UpdateService) -> str:
        installed = self.tr("Installed version: %1.").replace("%1", service.checker.installed_version)
        if not service.allowed:
            return installed
        if service.checking:
            return installed + " " + self.tr("Checking…")
        result = service.result
        if result is None:
            return installed
        checked = format_datetime(datetime.fromtimestamp(result.checked_at, UTC))
        if result.outcome is Outcome.OFFER and result.offer is not None:
            text = UpdateTexts().available(str(result.offer.manifest.version))
            return " ".join(t for t in (installed, text, _download_state(service)) if t)
        if result.outcome is Outcome.UP_TO_DATE:
            return (
                installed + " " + self.tr("This is the latest version (checked %1).").replace("%1", checked)
            )
        if result.outcome is Outcome.FAILED:
            return (
                installed
                + " "
                + self.tr(
                    "Checking for updates did not work (no connection to the update site). "
                    "Opgelucht Desk tries again later."
                )
            )
        return installed + " " + self._refusal_text(result.refusal)

    def _refusal_text(self, refusal: Refusal | None) -> str:
        if refusal is Refusal.NO_RELEASE_KEY:
            return self.tr(
                "This build of Opgelucht Desk cannot check for updates (it contains no release key). "
                "Your IT department installs updates."
            )
        if refusal is Refusal.NO_PLATFORM:
            return self.tr("A newer version exists, but not for this kind of computer.")
        reasons = {
            Refusal.SIGNATURE: self.tr("it is not signed by Opgelucht"),
            Refusal.EXPIRED: self.tr("it has expired; the update site may be out of date"),
            Refusal.DOWNGRADE: self.tr("it offers an older version than the installed one"),
        }
        reason = reasons.get(refusal) if refusal is not None else None
        return self.tr(
            "Warning: the update information was refused (%1). No update is offered; tell your IT department."
        ).replace("%1", reason or self.tr("it is damaged"))

    def _automatic_toggled(self, on: bool) -> None:
        if self.service is not None:
            self.service.set_automatic(on)

    def _check_now_clicked(self) -> None:
        if self.service is not None:
            self.service.check_now()

    def _download_clicked(self) -> None:
        if self.service is None:
            return
        folder = choose_folder(self, UpdateTexts().choose())
        if folder is not None:
            self.service.download(folder)
