"""The counsellor's own presentation to reporters (Settings): role, a short introduction and an
availability note, each in Dutch and English as the counsellor enters them. Stored at the relay for
the org admin, who signs it into the next roster (docs/protocol.md §8); the reporter's app lists it."""

from __future__ import annotations

from typing import Any

from opgelucht_desk.core.errors import DeskError
from opgelucht_desk.core.model import Presentation
from opgelucht_desk.core.session import Session
from opgelucht_desk.protocol.roster import AVAILABILITY_MAX, INTRO_MAX, LANGUAGES, ROLE_MAX


def _from_json(raw: Any) -> Presentation:
    if not isinstance(raw, dict):
        return Presentation()
    return Presentation(
        role=str(raw.get("role") or ""),
        intro={k: str(v) for k, v in (raw.get("intro") or {}).items() if v},
        availability={k: str(v) for k, v in (raw.get("availability") or {}).items() if v},
    )


async def presentation(s: Session) -> Presentation:
    """What this counsellor last stored (empty when nothing)."""
    return _from_json((await s.api.me()).get("presentation"))


def _clean(texts: dict[str, str], limit: int, what: str) -> dict[str, str]:
    out = {}
    for language in LANGUAGES:
        text = texts.get(language, "").strip()
        if len(text) > limit:
            raise DeskError(f"The {what} has at most {limit} characters.")
        if text:
            out[language] = text
    return out


async def set_presentation(s: Session, value: Presentation) -> Presentation:
    """Store the presentation; reporters see it once the org admin publishes the next roster.
    Raises DeskError for a text over its limit."""
    role = value.role.strip()
    if len(role) > ROLE_MAX:
        raise DeskError(f"The role has at most {ROLE_MAX} characters.")
    body = {
        "role": role or None,
        "intro": _clean(value.intro, INTRO_MAX, "introduction"),
        "availability": _clean(value.availability, AVAILABILITY_MAX, "availability note"),
    }
    return _from_json((await s.api.put_presentation(body)).get("presentation"))
