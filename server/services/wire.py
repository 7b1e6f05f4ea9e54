"""Request-body pieces shared by the device and inbox routes (pydantic), and strict base64 fields."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.errors import ProtocolError
from server.errors import bad_request
from server.schemas import Strict

# 1 MiB body limit: an envelope's base64 text stays below it.
MAX_ENVELOPE_B64 = 1024 * 1024


class EnvelopeIn(Strict):
    envelope: str = Field(min_length=4, max_length=MAX_ENVELOPE_B64)


# The OpenAPI request body of a route that parses ``EnvelopeIn`` itself (``parse_body``).
ENVELOPE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvelopeIn"}}},
    }
}

M = TypeVar("M", bound=BaseModel)


def parse_body(model: type[M], raw: bytes) -> M:
    """A JSON body validated like FastAPI does (the same 400 ``bad_request`` naming the fields)."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in exc.errors(include_input=False)]
        raise RequestValidationError(errors) from None


class StoredOut(BaseModel):
    conv_id: uuid.UUID
    msg_id: uuid.UUID
    seq: int
    cursor: int
    stored_at: int
    expires_at: int


class MessageOut(BaseModel):
    seq: int
    cursor: int
    msg_id: uuid.UUID
    envelope: str
    stored_at: int
    expires_at: int
    channel: str


def b64_field(value: str, name: str, length: int | None = None) -> bytes:
    """Strict standard base64 (docs/api.md); a clear 400 naming the field otherwise."""
    try:
        raw = b64d(value)
    except ProtocolError:
        raise bad_request(f"{name}: not standard base64 with padding") from None
    if length is not None and len(raw) != length:
        raise bad_request(f"{name}: must be {length} bytes")
    return raw
