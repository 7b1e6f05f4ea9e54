"""All relay tables. Importing this package registers every model on ``server.db.Base.metadata``."""

import importlib

from server.models.accounts import (
    Article,
    AuditEvent,
    Counsellor,
    CounsellorDevice,
    Invitation,
    LoginFailure,
    Org,
    OrgCode,
    OrgKeyCertificate,
    Roster,
    Session,
)

__all__ = [
    "Article",
    "AuditEvent",
    "Counsellor",
    "CounsellorDevice",
    "Invitation",
    "LoginFailure",
    "Org",
    "OrgCode",
    "OrgKeyCertificate",
    "Roster",
    "Session",
]

try:  # relay engineer B's tables (server/models/messaging.py), once present
    importlib.import_module("server.models.messaging")
except ModuleNotFoundError as exc:  # pragma: no cover - only before B's module exists
    if exc.name != "server.models.messaging":
        raise
