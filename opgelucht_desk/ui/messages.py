"""User-facing wording of the core's typed errors (translated; never quotes user content)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject

from opgelucht_desk.core import errors


class Errors(QObject):
    """Translation context of the counted ("%n …") texts of this module.

    Counted texts go through `self.tr()`: Qt's Python lupdate recognises plural forms reliably only there.
    """

    def locked_out(self, seconds: int) -> str:
        return self.tr("Too many attempts. Try again in %n seconds.", "", seconds)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, errors.InvalidCredentialsError):
        return QCoreApplication.translate("Errors", "The username, password or code is not correct.")
    if isinstance(exc, errors.LockedOutError):
        return Errors().locked_out(exc.retry_after)
    if isinstance(exc, errors.OfflineError):
        return QCoreApplication.translate(
            "Errors", "The relay cannot be reached. Check the network connection and the relay address."
        )
    if isinstance(exc, errors.AuthExpiredError):
        return QCoreApplication.translate("Errors", "Your session has ended. Please log in again.")
    if isinstance(exc, errors.KeyringUnavailableError):
        # The core's message names the fix (which keyring to install or unlock).
        return QCoreApplication.translate("Errors", "No secure key store is available: %1").replace(
            "%1", str(exc)
        )
    if isinstance(exc, errors.RosterBlockedError):
        return QCoreApplication.translate(
            "Errors", "Sending is blocked because the list of counsellors could not be verified: %1"
        ).replace("%1", str(exc))
    if isinstance(exc, errors.VerificationError):
        return QCoreApplication.translate("Errors", "A security check failed: %1").replace("%1", str(exc))
    if isinstance(exc, errors.GoneError):
        return QCoreApplication.translate("Errors", "This invitation or code has expired or was revoked.")
    if isinstance(exc, errors.ConflictError):
        return QCoreApplication.translate("Errors", "The relay refused because of a conflict: %1").replace(
            "%1", str(exc)
        )
    if isinstance(exc, errors.ForbiddenError):
        return QCoreApplication.translate("Errors", "Only an organisation administrator may do this.")
    if isinstance(exc, errors.NotFoundError):
        return QCoreApplication.translate("Errors", "This item no longer exists.")
    if isinstance(exc, errors.ServerError):
        return QCoreApplication.translate("Errors", "The relay reported an error: %1").replace("%1", str(exc))
    if isinstance(exc, errors.LockedError):
        return QCoreApplication.translate("Errors", "Opgelucht Desk is locked. Log in again.")
    if isinstance(exc, errors.DeskError):
        return QCoreApplication.translate("Errors", "Something went wrong: %1").replace("%1", str(exc))
    return QCoreApplication.translate("Errors", "An unexpected error occurred (%1).").replace(
        "%1", type(exc).__name__
    )
