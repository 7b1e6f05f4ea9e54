"""The JSON test vectors (SECURITY-TESTS 1): they verify with the protocol code, must-fail cases fail with
the documented reason, and regenerating them gives the same bytes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opgelucht_desk.protocol import (
    DeviceKeys,
    EnvelopeError,
    MessageType,
    Profile,
    RequestAuthError,
    RosterError,
    RosterTracker,
    SignedRoster,
    envelope_hash,
    fingerprint,
    key_id,
    open_message,
    open_rewrap,
    parse_header,
    parse_qr_payload,
    qr_fingerprint,
    safety_number,
    seal_message,
    tagged,
    verify_org_key_certificate,
    verify_register_proof,
    verify_request,
    verify_rewrap,
    verify_roster,
)
from opgelucht_desk.protocol.envelope import header_hash

from .vector_generator import all_vectors, render

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert data["format"] == "opgelucht-test-vectors" and data["vector_version"] == 1
    return data


def keys_of(entry: dict[str, str]) -> DeviceKeys:
    keys = DeviceKeys(bytes.fromhex(entry["enc_sk"]), bytes.fromhex(entry["sign_seed"]))
    assert keys.enc_pk.hex() == entry["enc_pk"] and keys.sign_pk.hex() == entry["sign_pk"]
    assert key_id(keys.enc_pk).hex() == entry["key_id"]
    return keys


class ReplayRng:
    """Hands out the recorded random values in order."""

    def __init__(self, values: list[bytes]) -> None:
        self._values: Iterator[bytes] = iter(values)

    def __call__(self, n: int) -> bytes:
        value = next(self._values)
        assert len(value) == n
        return value


ENVELOPE_CASES = load("envelope-v1.json")["cases"]


@pytest.mark.parametrize("case", ENVELOPE_CASES, ids=[c["name"] for c in ENVELOPE_CASES])
def test_envelope_vector_opens_for_every_recipient(case: dict[str, Any]) -> None:
    envelope = bytes.fromhex(case["envelope"])
    conv_id = uuid.UUID(case["conv_id"])
    header = parse_header(envelope)
    assert [k.hex() for k in header.key_ids] == case["stanza_key_ids"]
    assert header_hash(envelope[: header.size]).hex() == case["header_hash"]
    assert envelope_hash(envelope).hex() == case["envelope_hash"]
    for recipient in case["recipients"]:
        opened = open_message(envelope, keys=keys_of(recipient), expected_conv_id=conv_id)
        assert opened.payload.hex() == case["payload"]
        assert opened.sender_sign_pk.hex() == case["sender"]["sign_pk"]
        assert (opened.seq, int(opened.msg_type), opened.header.msg_id) == (
            case["seq"],
            case["msg_type"],
            uuid.UUID(case["msg_id"]),
        )
        assert (opened.prev_hash.hex(), opened.roster_hash.hex()) == (case["prev_hash"], case["roster_hash"])
        assert opened.content_key.hex() == case["random"]["content_key"]


@pytest.mark.parametrize("case", ENVELOPE_CASES, ids=[c["name"] for c in ENVELOPE_CASES])
def test_sealing_with_the_recorded_randomness_reproduces_the_bytes(case: dict[str, Any]) -> None:
    random = case["random"]
    values = [bytes.fromhex(random["content_key"]), bytes.fromhex(random["nonce"])]
    values += [bytes.fromhex(v) for v in random["ephemeral_sks_in_stanza_order"]]
    envelope = seal_message(
        conv_id=uuid.UUID(case["conv_id"]),
        msg_id=uuid.UUID(case["msg_id"]),
        roster_version=case["roster_version"],
        sender=keys_of(case["sender"]),
        seq=case["seq"],
        msg_type=MessageType(case["msg_type"]),
        prev_hash=bytes.fromhex(case["prev_hash"]),
        roster_hash=bytes.fromhex(case["roster_hash"]),
        payload=bytes.fromhex(case["payload"]),
        recipients=[bytes.fromhex(r["enc_pk"]) for r in case["recipients"]],
        rng=ReplayRng(values),
    )
    assert envelope.hex() == case["envelope"]


def test_profile_and_chain_and_rewrap_vectors() -> None:
    data = load("envelope-v1.json")
    profile = Profile.from_payload(bytes.fromhex(data["profile"]["payload"]))
    assert (profile.pseudonym, profile.age_category, profile.gender) == ("Merel", "25-34", "vrouw")
    hello, text = data["cases"][0], data["cases"][1]
    assert text["prev_hash"] == hello["envelope_hash"]
    by_name = {c["name"]: c for c in data["cases"]}
    for rewrap in data["rewraps"]:
        record = verify_rewrap(
            bytes.fromhex(rewrap["record"]), allowed_signers={bytes.fromhex(rewrap["signer"]["sign_pk"])}
        )
        content_key = open_rewrap(record, keys_of(rewrap["target"]))
        assert content_key.hex() == rewrap["content_key"]
        assert content_key.hex() == by_name[rewrap["envelope_case"]]["random"]["content_key"]


def test_roster_vectors() -> None:
    data = load("roster-v1.json")
    org = data["org"]
    org_pk = bytes.fromhex(org["org_pk"])
    assert fingerprint(org_pk).hex() == org["fingerprint"]
    assert qr_fingerprint(org_pk) == org["qr_fingerprint"]
    assert safety_number(org_pk) == org["safety_number"]
    assert parse_qr_payload(org["qr_payload"]).matches(org_pk)
    tracker = RosterTracker(org_pk)
    for entry in data["rosters"]:
        signed = SignedRoster(entry["body_utf8"].encode("utf-8"), bytes.fromhex(entry["sig"]))
        roster = verify_roster(signed, org_pk, now=data["now"])
        assert roster.version == entry["version"]
        assert [key_id(pk).hex() for pk in roster.recipient_keys()] == entry["recipient_key_ids"]
        assert tracker.accept(signed, data["now"]).version == entry["version"]
        assert tracker.current_hash is not None and tracker.current_hash.hex() == entry["roster_hash"]
    change = data["org_key_change"]
    verify_org_key_certificate(
        bytes.fromhex(change["old_pk"]), bytes.fromhex(change["new_pk"]), bytes.fromhex(change["certificate"])
    )
    for tag, prefix in data["tags"].items():
        assert tagged(tag, b"").hex() == prefix


def test_request_vectors() -> None:
    data = load("request-v1.json")
    device = data["device"]
    sign_pk = bytes.fromhex(device["sign_pk"])
    for request in data["requests"]:
        result = verify_request(
            request["headers"],
            request["method"],
            request["path"],
            bytes.fromhex(request["body"]),
            sign_pk,
            now=request["timestamp"],
        )
        assert result == (uuid.UUID(device["device_id"]), request["timestamp"], request["nonce"])
        assert request["canonical_utf8"].split("\n")[0] == request["method"]
    register = data["register"]
    verify_register_proof(
        uuid.UUID(device["device_id"]),
        bytes.fromhex(device["enc_pk"]),
        sign_pk,
        register["org_code"],
        bytes.fromhex(register["proof"]),
    )


MUST_FAIL = load("must-fail-v1.json")


@pytest.mark.parametrize("case", MUST_FAIL["envelopes"], ids=[c["name"] for c in MUST_FAIL["envelopes"]])
def test_must_fail_envelopes(case: dict[str, Any]) -> None:
    with pytest.raises(EnvelopeError) as info:
        open_message(
            bytes.fromhex(case["envelope"]),
            keys=keys_of(case["recipient"]),
            expected_conv_id=uuid.UUID(case["expected_conv_id"]),
        )
    assert info.value.reason == case["reason"]
    assert str(info.value) == "envelope rejected"


def test_must_fail_base_is_valid() -> None:
    base = MUST_FAIL["base"]
    opened = open_message(
        bytes.fromhex(base["envelope"]),
        keys=keys_of(base["recipients"][0]),
        expected_conv_id=uuid.UUID(base["conv_id"]),
    )
    assert opened.payload.hex() == base["payload"]


@pytest.mark.parametrize("case", MUST_FAIL["rosters"], ids=[c["name"] for c in MUST_FAIL["rosters"]])
def test_must_fail_rosters(case: dict[str, Any]) -> None:
    signed = SignedRoster(case["body_utf8"].encode("utf-8"), bytes.fromhex(case["sig"]))
    with pytest.raises(RosterError) as info:
        verify_roster(signed, bytes.fromhex(case["org_pk"]), now=case["now"])
    assert info.value.kind == case["kind"]


@pytest.mark.parametrize("case", MUST_FAIL["requests"], ids=[c["name"] for c in MUST_FAIL["requests"]])
def test_must_fail_requests(case: dict[str, Any]) -> None:
    with pytest.raises(RequestAuthError) as info:
        verify_request(
            case["headers"],
            case["method"],
            case["path"],
            bytes.fromhex(case["body"]),
            bytes.fromhex(case["sign_pk"]),
            now=case["now"],
        )
    assert info.value.code == case["code"]


def test_regenerating_gives_the_same_bytes() -> None:
    for name, content in all_vectors().items():
        assert render(content) == (VECTORS / name).read_text(encoding="utf-8"), name
