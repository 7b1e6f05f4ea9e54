"""User-facing wording of the core's typed errors (translated; never quotes user content)."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QObject

from opgelucht_desk.core import errors
from opgelucht_desk.core.model import ConversationSummary, RosterWarning, RosterWarningKind


class Errors(QObject):
    """Translation context of the counted ("%n …") texts of this module.

    Counted texts go through `self.tr()`: Qt's Python lupdate recognises plural forms reliably only there.
    """

    def locked_out(self, seconds: int) -> str:
        return self.tr("Too many attempts. Try again in %n seconds.", "", seconds)

    def missing(self, count: int) -> str:
        return self.tr("%n message(s) from a sender are missing (gap)", "", count)


def _backup_error(exc: errors.BackupError) -> str:
    texts = {
        "not_backup": QCoreApplication.translate("Errors", "This is not an Opgelucht key backup file."),
        "wrong_passphrase": QCoreApplication.translate(
            "Errors", "Wrong passphrase, or the backup file has been changed."
        ),
        "damaged": QCoreApplication.translate("Errors", "The backup file is damaged."),
        "short_passphrase": QCoreApplication.translate(
            "Errors", "Choose a passphrase of at least 12 characters."
        ),
        "unreadable": QCoreApplication.translate("Errors", "The backup file cannot be read."),
        "wrong_kind": QCoreApplication.translate("Errors", "This backup file holds another kind of key."),
        "other_key": QCoreApplication.translate(
            "Errors", "This backup belongs to another organisation, organisation key or account."
        ),
    }
    return texts.get(exc.kind) or QCoreApplication.translate("Errors", "The backup file cannot be used.")


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, errors.BackupError):
        return _backup_error(exc)
    if isinstance(exc, errors.InvalidCredentialsError):
        return QCoreApplication.translate("Errors", "The username, password or code is not correct.")
    if isinstance(exc, errors.DeviceRefusedError):
        if exc.kind == "removed":
            return QCoreApplication.translate(
                "Errors",
                "This computer was removed from your organisation's list of counsellors (roster), for "
                "example because it was reported lost, and can no longer log in. Ask your organisation "
                "administrator. To work on it again, add it anew from your key backup (Add this computer).",
            )
        return QCoreApplication.translate(
            "Errors",
            "The relay does not recognise this computer as one of your account's computers. Ask your "
            "organisation administrator.",
        )
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
    if isinstance(exc, errors.OwnComputerError):
        return QCoreApplication.translate(
            "Errors", "You cannot remove the computer you are working on. Remove it from another computer."
        )
    if isinstance(exc, errors.UnknownComputerError):
        return QCoreApplication.translate(
            "Errors", "This computer is no longer in the list (removed already?)."
        )
    if isinstance(exc, errors.UnlistedComputerError):
        return QCoreApplication.translate(
            "Errors",
            "This computer is not in the published list yet, so it cannot read messages, and it stays "
            "registered. If it was stolen, do not publish the list: remove the counsellor instead.",
        )
    if isinstance(exc, errors.ForbiddenError | errors.NotAllowedError):
        return QCoreApplication.translate("Errors", "Only an organisation administrator may do this.")
    if isinstance(exc, errors.NotFoundError | errors.UnknownConversationError):
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


def describe_roster_warning(warning: RosterWarning) -> str:
    """The counsellor's wording of a roster warning; ``warning.detail`` (English) stays out of it."""
    kind = RosterWarningKind
    texts = {
        kind.NOT_LISTED: QCoreApplication.translate(
            "Errors",
            "This computer is not in the organisation's list of counsellors (roster): it receives no new "
            "messages until the organisation administrator publishes a roster that lists it.",
        ),
        kind.BAD_SIGNATURE: QCoreApplication.translate(
            "Errors",
            "The relay sent a list of counsellors (roster) with an invalid signature. Sending is blocked.",
        ),
        kind.ROLLBACK: QCoreApplication.translate(
            "Errors",
            "The relay sent an older list of counsellors (roster) than this computer already knows. "
            "Sending is blocked.",
        ),
        kind.FORK: QCoreApplication.translate(
            "Errors",
            "The relay sent two different lists of counsellors (rosters) with the same version. Sending is "
            "blocked; contact your organisation administrator.",
        ),
        kind.EXPIRED: QCoreApplication.translate(
            "Errors",
            "The list of counsellors (roster) has expired. Sending is blocked until the organisation "
            "administrator publishes a new one.",
        ),
        kind.ORG_KEY_CHANGE: QCoreApplication.translate(
            "Errors",
            "The organisation key changed without a valid certificate. Sending is blocked.",
        ),
        kind.MALFORMED: QCoreApplication.translate(
            "Errors", "The relay sent a damaged list of counsellors (roster). Sending is blocked."
        ),
    }
    return texts[warning.kind]


_GAP = re.compile(r"(\d+) message\(s\) from a sender are missing \(gap\)")
_REMOVED_SHARER = re.compile(
    r"a message key shared by a device that was removed from the roster \(version (\d+)\) was refused"
)


def _problem_texts() -> dict[str, str]:
    """The core's conversation-level problem texts (English, stable) in the chosen language."""
    return {
        "a message was sent under a different roster than this desk was shown": QCoreApplication.translate(
            "Problems",
            "a message was sent under a different list of counsellors than this computer was shown",
        ),
        "a sender's first message claims a predecessor (fork)": QCoreApplication.translate(
            "Problems", "a sender's first message claims an earlier one (fork)"
        ),
        "two different messages claim the same place in a sender's thread (fork)": QCoreApplication.translate(
            "Problems", "two different messages claim the same place in a sender's thread (fork)"
        ),
        "a message does not follow the sender's previous one (fork)": QCoreApplication.translate(
            "Problems", "a message does not follow the sender's previous one (fork)"
        ),
        "a message failed verification": QCoreApplication.translate(
            "Problems", "a message failed verification"
        ),
        "a shared message key failed verification and was refused": QCoreApplication.translate(
            "Problems", "a shared message key failed verification and was refused"
        ),
    }


def not_shared_title() -> str:
    """What the inbox row and the conversation's title say instead of a pseudonym while nothing of the
    conversation is readable on this computer yet (``ConversationSummary.waiting_for_share``)."""
    return QCoreApplication.translate("Sharing", "Not shared with this computer yet")


def sharing_text(summary: ConversationSummary) -> str | None:
    """The neutral explanation of messages not shared with this computer yet (an expected state, not a
    verification problem), or None when every message is readable here."""
    if summary.waiting_for_share:
        return QCoreApplication.translate(
            "Sharing",
            "Not shared with this computer yet: a colleague shares older messages as soon as the "
            "administrator publishes the list.",
        )
    if summary.not_shared_yet:
        return QCoreApplication.translate(
            "Sharing",
            "Older messages have not been shared with this computer yet; a colleague who has them can "
            "share them.",
        )
    return None


def problem_text(problems: str) -> str:
    """The core's verification problems of a conversation ("; "-separated English texts) in the chosen
    language; a text this table does not know is shown as the core wrote it."""
    known = _problem_texts()
    out = []
    for problem in problems.split("; "):
        if problem in known:
            out.append(known[problem])
        elif gap := _GAP.fullmatch(problem):
            out.append(Errors().missing(int(gap.group(1))))
        elif removed := _REMOVED_SHARER.fullmatch(problem):
            out.append(
                QCoreApplication.translate(
                    "Problems",
                    "a message key shared by a computer removed from the list (version %1) was refused",
                ).replace("%1", removed.group(1))
            )
        else:
            out.append(problem)
    return "; ".join(out)
