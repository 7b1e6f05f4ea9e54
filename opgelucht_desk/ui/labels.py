"""Translated names of the core's enums and states (the core's own `.label` is Dutch-only)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from opgelucht_desk.core.model import Category, Status


def status_label(status: Status) -> str:
    return {
        Status.NEW: QCoreApplication.translate("Labels", "new"),
        Status.OPEN: QCoreApplication.translate("Labels", "in progress"),
        Status.CLOSED: QCoreApplication.translate("Labels", "closed"),
    }[status]


def category_label(category: Category | None) -> str:
    if category is None:
        return QCoreApplication.translate("Labels", "no category")
    return {
        Category.INTIMIDATIE: QCoreApplication.translate("Labels", "intimidation"),
        Category.SEKSUELE_INTIMIDATIE: QCoreApplication.translate("Labels", "sexual harassment"),
        Category.PESTEN: QCoreApplication.translate("Labels", "bullying"),
        Category.DISCRIMINATIE: QCoreApplication.translate("Labels", "discrimination"),
        Category.AGRESSIE_GEWELD: QCoreApplication.translate("Labels", "aggression and violence"),
        Category.INTEGRITEIT: QCoreApplication.translate("Labels", "integrity"),
        Category.OVERIG: QCoreApplication.translate("Labels", "other"),
    }[category]


def state_label(state: str) -> str:
    return {
        "queued": QCoreApplication.translate("Labels", "queued, not sent yet"),
        "sent": QCoreApplication.translate("Labels", "sent"),
        "received": QCoreApplication.translate("Labels", "received"),
        "verification_failed": QCoreApplication.translate(
            "Labels", "VERIFICATION FAILED: do not trust this message"
        ),
    }.get(state, state)


def role_label(role: str) -> str:
    return {
        "admin": QCoreApplication.translate("Labels", "organisation administrator"),
        "counsellor": QCoreApplication.translate("Labels", "counsellor"),
    }.get(role, role)


def help_label(help_type: str | None) -> str:
    """The type of help given (the case register's wire values, protocol/register.py HELP_TYPES)."""
    if not help_type:
        return QCoreApplication.translate("Labels", "not set")
    return {
        "advies": QCoreApplication.translate("Labels", "advice"),
        "ondersteuning": QCoreApplication.translate("Labels", "support"),
        "bemiddeling": QCoreApplication.translate("Labels", "mediation"),
        "doorverwijzing": QCoreApplication.translate("Labels", "referral"),
        "formele_klacht": QCoreApplication.translate("Labels", "formal complaint"),
    }.get(help_type, help_type)


def category_key_label(key: str) -> str:
    """A category as the case register stores it (its wire value, "" for none)."""
    try:
        return category_label(Category(key) if key else None)
    except ValueError:
        return key
