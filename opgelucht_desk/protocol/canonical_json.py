"""Canonical JSON (sorted keys, no whitespace, UTF-8, no ASCII escaping) and a strict decoder."""

from __future__ import annotations

import json
from typing import Any

from .errors import ProtocolError

MAX_JSON_BYTES = 1024 * 1024


def dumps(value: Any) -> bytes:
    """The canonical encoding: `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ProtocolError(f"duplicate JSON key {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ProtocolError(f"JSON constant {name} not allowed")


def loads(data: bytes) -> Any:
    """Strict decode: UTF-8, no duplicate keys, no NaN/Infinity, size-limited. Raises ProtocolError."""
    if len(data) > MAX_JSON_BYTES:
        raise ProtocolError("JSON too large")
    try:
        text = bytes(data).decode("utf-8")
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except ProtocolError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError("invalid JSON") from exc


def require_object(value: Any, keys: set[str], what: str) -> dict[str, Any]:
    """`value` must be an object with exactly `keys`."""
    if not isinstance(value, dict):
        raise ProtocolError(f"{what}: expected an object")
    if set(value) != keys:
        raise ProtocolError(f"{what}: expected keys {sorted(keys)}, got {sorted(value)}")
    return value


def require_int(value: Any, what: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ProtocolError(f"{what}: expected an integer in {low}..{high}")
    return value


def require_str(value: Any, what: str, max_len: int) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= max_len:
        raise ProtocolError(f"{what}: expected a string of 1..{max_len} characters")
    return value
