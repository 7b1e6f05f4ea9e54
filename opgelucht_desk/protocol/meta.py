"""The META payload (message type 4, staff channel): a conversation's status and category.

A canonical JSON object ``{"category": <string or null>, "status": <string>}``. The desktop core
builds it with :func:`encode_meta` and reads it with :func:`parse_meta` (the strict JSON loader).
Readers are lenient about values: an unknown status or a non-string category is ignored (the
conversation keeps its current one), so a newer desk can add values without breaking older ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import canonical_json
from .errors import ProtocolError

#: Status values the desk understands (``opgelucht_desk.core.model.Status``).
STATUSES = frozenset({"new", "open", "closed"})


@dataclass(frozen=True)
class MetaUpdate:
    """What a META payload sets: ``status`` None when absent or unknown; ``category`` only when
    ``sets_category`` (None then means "no category")."""

    status: str | None
    category: str | None
    sets_category: bool


def encode_meta(status: str, category: str | None) -> bytes:
    """The payload setting both fields (canonical JSON)."""
    return canonical_json.dumps({"status": status, "category": category})


def parse_meta(payload: bytes) -> MetaUpdate:
    """Read a META payload with the strict loader. Raises ProtocolError when it is not a JSON object."""
    value = canonical_json.loads(payload)
    if not isinstance(value, dict):
        raise ProtocolError("META: expected an object")
    status = value.get("status")
    category = value.get("category")
    sets_category = "category" in value and (category is None or isinstance(category, str))
    return MetaUpdate(
        status=status if isinstance(status, str) and status in STATUSES else None,
        category=category if sets_category else None,
        sets_category=sets_category,
    )
