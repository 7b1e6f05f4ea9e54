"""The reporter's profile, carried as the payload of a HELLO envelope.

Payload = canonical JSON (see canonical_json.py) of
`{"age_category": str|null, "enc_pk": b64, "gender": str|null, "pseudonym": str, "sign_pk": b64, "v": 1}`.
Decoding is strict: exactly these keys, known values, and the bytes must be the canonical encoding.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from . import canonical_json
from .encoding import b64d_len, b64e
from .errors import ProtocolError
from .recipients import members_from_json, normalise

AGE_CATEGORIES = ("<25", "25-34", "35-44", "45-54", "55+")
GENDERS = ("vrouw", "man", "anders")
PSEUDONYM_MAX = 64
PROFILE_VERSION = 1
_KEYS = {"age_category", "enc_pk", "gender", "pseudonym", "sign_pk", "v"}
_OPTIONAL = {"to"}  # the chosen counsellors (recipients.py); absent: every counsellor


def normalise_pseudonym(text: str) -> str:
    """NFC, surrounding white space removed; 1..64 characters without control or format characters.

    Raises ValueError with a message fit for the user interface."""
    value = unicodedata.normalize("NFC", text).strip()
    if not 1 <= len(value) <= PSEUDONYM_MAX:
        raise ValueError(f"a pseudonym has 1 to {PSEUDONYM_MAX} characters")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} for ch in value):
        raise ValueError("a pseudonym cannot contain control characters")
    return value


@dataclass(frozen=True)
class Profile:
    """Pseudonym, optional age category and gender, and the reporter's conversation keys."""

    pseudonym: str
    age_category: str | None
    gender: str | None
    reporter_enc_pk: bytes
    reporter_sign_pk: bytes
    to: tuple[uuid.UUID, ...] | None = None  # chosen counsellor ids (sorted); None: all

    def __post_init__(self) -> None:
        object.__setattr__(self, "pseudonym", normalise_pseudonym(self.pseudonym))
        if self.to is not None:
            object.__setattr__(self, "to", normalise(self.to))
        if self.age_category is not None and self.age_category not in AGE_CATEGORIES:
            raise ValueError(f"age category must be one of {AGE_CATEGORIES} or None")
        if self.gender is not None and self.gender not in GENDERS:
            raise ValueError(f"gender must be one of {GENDERS} or None")
        if len(self.reporter_enc_pk) != 32 or len(self.reporter_sign_pk) != 32:
            raise ValueError("reporter keys are 32 bytes each")

    def __repr__(self) -> str:  # never log the pseudonym
        return "Profile(<redacted>)"

    def to_payload(self) -> bytes:
        value: dict[str, Any] = {
            "age_category": self.age_category,
            "enc_pk": b64e(self.reporter_enc_pk),
            "gender": self.gender,
            "pseudonym": self.pseudonym,
            "sign_pk": b64e(self.reporter_sign_pk),
            "v": PROFILE_VERSION,
        }
        if self.to is not None:
            value["to"] = [str(m) for m in self.to]
        return canonical_json.dumps(value)

    @classmethod
    def from_payload(cls, payload: bytes) -> Profile:
        """Strict decode; raises ProtocolError."""
        obj = canonical_json.loads(payload)
        if not isinstance(obj, dict) or not set(obj) >= _KEYS or not set(obj) <= _KEYS | _OPTIONAL:
            raise ProtocolError("profile: unexpected keys")
        if obj["v"] != PROFILE_VERSION or isinstance(obj["v"], bool):
            raise ProtocolError("profile: unknown version")
        for name in ("pseudonym",):
            if not isinstance(obj[name], str):
                raise ProtocolError(f"profile: {name} must be a string")
        for name in ("age_category", "gender"):
            if obj[name] is not None and not isinstance(obj[name], str):
                raise ProtocolError(f"profile: {name} must be a string or null")
        try:
            profile = cls(
                pseudonym=obj["pseudonym"],
                age_category=obj["age_category"],
                gender=obj["gender"],
                reporter_enc_pk=b64d_len(obj["enc_pk"], 32, "enc_pk"),
                reporter_sign_pk=b64d_len(obj["sign_pk"], 32, "sign_pk"),
                to=members_from_json(obj["to"], "to") if "to" in obj else None,
            )
        except ValueError as exc:
            raise ProtocolError(f"profile: {exc}") from exc
        if profile.to_payload() != bytes(payload):
            raise ProtocolError("profile: not in canonical form")
        return profile
