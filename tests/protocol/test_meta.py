"""The META payload (status, category): built once, read with the strict loader."""

from __future__ import annotations

import pytest

from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.meta import MetaUpdate, encode_meta, parse_meta


def test_round_trip_is_canonical_json() -> None:
    payload = encode_meta("closed", "pesten")
    assert payload == b'{"category":"pesten","status":"closed"}'
    assert parse_meta(payload) == MetaUpdate("closed", "pesten", True)
    assert parse_meta(encode_meta("new", None)) == MetaUpdate("new", None, True)


def test_readers_ignore_unknown_values() -> None:
    assert parse_meta(b'{"status": "archived", "category": 7}') == MetaUpdate(None, None, False)
    assert parse_meta(b'{"status": "open"}') == MetaUpdate("open", None, False)


@pytest.mark.parametrize("payload", [b"not json", b'{"status": "open", "status": "closed"}', b"[1]", b"\xff"])
def test_unreadable_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_meta(payload)
