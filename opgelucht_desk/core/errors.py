"""Typed errors of the desktop core. The UI catches these (and only these) to show a message.

One hierarchy; ``ServerError`` and its subclasses are the relay's answers (HTTP status + stable code),
the other kinds are the core's own decisions (never a made-up HTTP status)::

    DeskError
    ├── OfflineError                  the relay could not be reached
    │   └── UntrustedCertificateError     its TLS certificate did not verify
    ├── AuthExpiredError              the session ended: log in again
    ├── InvalidCredentialsError       wrong user name, password or code
    ├── DeviceRefusedError            the relay refuses this computer (removed from the roster; unknown)
    ├── LockedOutError                too many attempts (retry_after)
    ├── ServerError                   the relay refused (status, code)
    │   ├── NotFoundError                 404
    │   ├── ConflictError                 409
    │   ├── GoneError                     410
    │   └── ForbiddenError                403
    ├── KeyringUnavailableError       no secure OS keyring
    ├── VerificationError             a signature, roster or chain check failed
    │   └── RosterBlockedError            sending is blocked by the roster
    ├── NotEnrolledError              enrol first
    ├── LockedError                   log in (unlock) first
    ├── BackupError                   a key backup file cannot be used (kind)
    ├── UnknownConversationError      no such conversation in this desk's inbox
    ├── NotAllowedError               this account or computer may not do this (role, org key)
    │   └── OwnComputerError              the admin tried to remove the computer in use
    ├── UnknownComputerError          no such computer of that counsellor (removed already?)
    ├── UnlistedComputerError         that computer is not in the published roster yet (nothing to drop)
    └── AttachmentError               a file cannot be shown, saved or sent (reason)
"""

from __future__ import annotations


class DeskError(Exception):
    """Base of every error the desktop core raises towards the UI."""


class OfflineError(DeskError):
    """The relay could not be reached (network down, relay down, time-out)."""


class UntrustedCertificateError(OfflineError):
    """The relay's TLS certificate did not verify (wrong address, interception, or a missing CA bundle)."""


class AuthExpiredError(DeskError):
    """The session token is missing, expired or was revoked: log in again."""


class InvalidCredentialsError(DeskError):
    """Wrong user name, password or TOTP code (the relay does not say which), or a wrong local password."""


class DeviceRefusedError(DeskError):
    """Password and code were right, but the relay refuses this computer's device: ``kind`` "removed"
    (the organisation's roster no longer lists it, e.g. reported lost: enrol it anew as a further
    computer) or "unknown" (the relay does not know it as this account's device)."""

    def __init__(self, kind: str, message: str = "") -> None:
        self.kind = kind
        super().__init__(message or f"This computer was refused by the relay ({kind}).")


class LockedOutError(DeskError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int, message: str = "") -> None:
        self.retry_after = retry_after
        super().__init__(message or f"Too many attempts; try again in {retry_after} seconds.")


class ServerError(DeskError):
    """The relay answered with an error that the user cannot fix by retrying their input.

    ``code`` is the relay's stable error code (docs/api.md), ``status`` the HTTP status.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        super().__init__(f"{message} ({code})" if message else code)


class NotFoundError(ServerError):
    """The object does not exist (or belongs to another organisation)."""


class ConflictError(ServerError):
    """The relay refused because of a conflicting state (username taken, roster version, ...)."""


class GoneError(ServerError):
    """Expired invitation, revoked code or an expired (31-day) message."""


class ForbiddenError(ServerError):
    """Authenticated, but the role does not allow it (for example a non-admin)."""


class KeyringUnavailableError(DeskError):
    """No secure OS keyring is available; the message names the fix."""


class VerificationError(DeskError):
    """A signature, roster or message chain check failed; the message says what (no content)."""


class RosterBlockedError(VerificationError):
    """Sending is blocked because the roster is missing, expired, rolled back or forked."""


class NotEnrolledError(DeskError):
    """This installation has no account yet: enrol first."""


class LockedError(DeskError):
    """The desk is locked: log in (or unlock) first."""


class BackupError(DeskError):
    """The backup file cannot be used. ``kind`` (for translated wording in the UI): ``not_backup``,
    ``wrong_passphrase`` (or tampered: indistinguishable), ``damaged``, ``short_passphrase``,
    ``unreadable``, ``wrong_kind``, ``other_key`` (another org, org key or account)."""

    def __init__(self, message: str, kind: str = "not_backup") -> None:
        super().__init__(message)
        self.kind = kind


class UnknownConversationError(DeskError):
    """The conversation is not in this desk's inbox (it expired, or never existed here)."""


class NotAllowedError(DeskError):
    """This account or computer may not do this: the role does not allow it, or the organisation key
    is not on this computer (decided locally, before asking the relay)."""


class OwnComputerError(NotAllowedError):
    """The org admin tried to remove the computer this desk runs on from the roster (decided locally:
    the desk would lock itself out and could not publish the next roster)."""


class UnknownComputerError(DeskError):
    """The counsellor has no such computer in the relay's list (removed already, or never added)."""


class UnlistedComputerError(DeskError):
    """The computer is registered but no published roster lists it yet: it reads no messages, and a
    roster without it would not make the relay end its sessions (the relay drops only devices the
    previous roster listed), so removing it is refused rather than reported as done."""


class AttachmentError(DeskError):
    """A file cannot be shown, saved or sent. ``reason`` is a fixed word: the render worker's refusals
    (core/safe_render.py ``REASONS``), ``not_verified`` (the blob failed its checks; ``detail`` is the
    protocol's reason), ``unavailable`` (the relay no longer has it), ``too_large``, ``unsupported``."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(f"The file cannot be used ({reason}).")
        self.reason = reason
        self.detail = detail
