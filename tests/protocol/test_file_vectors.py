"""File blobs (docs/protocol.md §15): the vectors open, reproduce byte for byte, and every must-fail edit
is refused with its reason and without any plaintext."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from opgelucht_desk.protocol import BlobError, FileRef, MessageType, open_blob, open_message, seal_blob
from opgelucht_desk.protocol.blob import BLOB_HEAD_BYTES, SEALED_CHUNK_BYTES

from .test_vectors import keys_of

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "file-v1.json").read_text(encoding="utf-8"))
CASES = {case["name"]: case for case in DATA["cases"]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_file_vector_opens_and_reproduces(name: str) -> None:
    case = CASES[name]
    ref = case["reference"]
    blob = bytes.fromhex(case["blob"])
    assert len(blob) == case["blob_length"]
    data = open_blob(blob, bytes.fromhex(ref["key"]), sha256=bytes.fromhex(ref["sha256"]), size=ref["size"])
    assert data == bytes.fromhex(case["file"])
    header = bytes.fromhex(case["random"]["stream_header"])
    assert seal_blob(data, bytes.fromhex(case["random"]["file_key"]), rng=lambda n: header) == blob
    parsed = FileRef.from_payload(bytes.fromhex(ref["payload"]))
    assert parsed.blob_id == uuid.UUID(ref["blob_id"]) and parsed.media_type == case["media_type"]
    envelope_case = case["envelope_case"]
    for recipient in envelope_case["recipients"]:
        opened = open_message(
            bytes.fromhex(envelope_case["envelope"]),
            keys=keys_of(recipient),
            expected_conv_id=uuid.UUID(envelope_case["conv_id"]),
        )
        assert opened.msg_type is MessageType.FILE
        assert opened.payload == bytes.fromhex(ref["payload"])


def _apply(case: dict[str, Any], edit: dict[str, Any]) -> tuple[bytes, bytes, bytes, int]:
    ref = case["reference"]
    blob = bytearray.fromhex(case["blob"])
    key, digest, size = bytes.fromhex(ref["key"]), bytes.fromhex(ref["sha256"]), int(ref["size"])
    op = edit["op"]
    if op == "truncate":
        blob = blob[: edit["length"]]
    elif op == "swap_chunks":

        def span(i: int) -> slice:
            return slice(
                BLOB_HEAD_BYTES + i * SEALED_CHUNK_BYTES, BLOB_HEAD_BYTES + (i + 1) * SEALED_CHUNK_BYTES
            )

        a, b = span(edit["a"]), span(edit["b"])
        blob[a], blob[b] = blob[b], blob[a]
    elif op == "flip":
        blob[edit["offset"]] ^= 0xFF
    elif op == "key":
        key = bytes.fromhex(edit["key"])
    elif op == "sha256":
        digest = bytes.fromhex(edit["sha256"])
    elif op == "size":
        size = int(edit["size"])
    else:  # pragma: no cover
        raise AssertionError(op)
    return bytes(blob), key, digest, size


@pytest.mark.parametrize("case", DATA["must_fail"], ids=[c["name"] for c in DATA["must_fail"]])
def test_file_must_fail(case: dict[str, Any]) -> None:
    blob, key, digest, size = _apply(CASES[case["base"]], case["edit"])
    with pytest.raises(BlobError) as info:
        open_blob(blob, key, sha256=digest, size=size)
    assert info.value.reason == case["reason"]
    assert str(info.value) == "blob rejected"
