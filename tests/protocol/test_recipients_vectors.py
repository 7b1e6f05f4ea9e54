"""The recipients-v1 vectors (docs/protocol.md §16): the chosen HELLO, a handover request and the
reporter's consent open for every recipient and re-seal byte for byte; the set hashes follow; the
rosters carry role, introduction and availability; each must-fail case fails with its reason."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from opgelucht_desk.protocol import (
    EnvelopeError,
    MessageType,
    Profile,
    SignedRoster,
    open_message,
    seal_message,
    verify_roster,
)
from opgelucht_desk.protocol.recipients import (
    Consent,
    HandoverRequest,
    Membership,
    MembershipError,
    check_stanzas,
    set_hash,
)
from opgelucht_desk.protocol.roster import Roster

from .test_vectors import ReplayRng, keys_of, load
from .vector_generator import label_device

DATA = load("recipients-v1.json")
CONV = uuid.UUID(DATA["cases"][0]["conv_id"])


def _roster(version: int) -> Roster:
    [entry] = [r for r in DATA["rosters"] if r["version"] == version]
    signed = SignedRoster(entry["body_utf8"].encode(), bytes.fromhex(entry["sig"]))
    return verify_roster(signed, bytes.fromhex(DATA["org_pk"]), now=DATA["now"])


def _ids(values: list[str]) -> tuple[uuid.UUID, ...]:
    return tuple(uuid.UUID(v) for v in values)


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
def test_recipient_cases_open_and_reseal(case: dict[str, Any]) -> None:
    envelope = bytes.fromhex(case["envelope"])
    for recipient in case["recipients"]:
        opened = open_message(envelope, keys=keys_of(recipient), expected_conv_id=CONV)
        assert opened.payload.hex() == case["payload"]
    random = case["random"]
    draws = [bytes.fromhex(random["content_key"]), bytes.fromhex(random["nonce"])]
    draws += [bytes.fromhex(d) for d in random["ephemeral_sks_in_stanza_order"]]
    again = seal_message(
        conv_id=CONV,
        msg_id=uuid.UUID(case["msg_id"]),
        roster_version=case["roster_version"],
        sender=keys_of(case["sender"]),
        seq=case["seq"],
        msg_type=MessageType(case["msg_type"]),
        prev_hash=bytes.fromhex(case["prev_hash"]),
        roster_hash=bytes.fromhex(case["roster_hash"]),
        payload=bytes.fromhex(case["payload"]),
        recipients=[bytes.fromhex(r["enc_pk"]) for r in case["recipients"]],
        rng=ReplayRng(draws),
    )
    assert again == envelope


def test_the_choice_the_handover_and_the_consent() -> None:
    hello, ask, yes = DATA["cases"]
    profile = Profile.from_payload(bytes.fromhex(hello["payload"]))
    set0, set1 = DATA["sets"]
    assert profile.to == _ids(set0["members"])
    assert set_hash(CONV, 0, profile.to).hex() == set0["set_hash"]
    request = HandoverRequest.from_payload(bytes.fromhex(ask["payload"]))
    assert str(request.colleague) == DATA["counsellor_ids"]["anna"] and request.counter == 0
    consent = Consent.from_payload(bytes.fromhex(yes["payload"]))
    assert consent.request == uuid.UUID(ask["msg_id"])
    after = Membership(CONV, profile.to, 0).apply(consent)
    assert after.members == _ids(set1["members"]) and after.digest.hex() == set1["set_hash"]
    # The consent is signed by the reporter's key the HELLO announced (the envelope signature).
    opened = open_message(
        bytes.fromhex(yes["envelope"]), keys=label_device("reporter"), expected_conv_id=CONV
    )
    assert opened.sender_sign_pk == profile.reporter_sign_pk
    # Who the chosen HELLO is wrapped to: the members' devices of roster v1 and the reporter.
    check_stanzas(
        open_message(
            bytes.fromhex(hello["envelope"]), keys=label_device("reporter"), expected_conv_id=CONV
        ).header,
        [*_roster(1).member_keys(profile.to), profile.reporter_enc_pk],
    )


def test_rosters_carry_the_presentation() -> None:
    bram = _roster(1).counsellor(uuid.UUID(DATA["counsellor_ids"]["bram"]))
    assert bram is not None and bram.role == "extern"
    assert (
        bram.text("intro", "en") == "I am Bram."
        and bram.text("availability", "en") == "afwezig tot 12 januari"
    )
    assert _roster(2).counsellor(uuid.UUID(DATA["counsellor_ids"]["cora"])) is None


def _verdict(case: dict[str, Any]) -> str:
    """What a client does with a must-fail case; returns the refusal reason."""
    if case["rule"] == "envelope":
        try:
            open_message(
                bytes.fromhex(case["envelope"]), keys=label_device(case["recipient"]), expected_conv_id=CONV
            )
        except EnvelopeError as exc:
            return exc.reason
        return "accepted"
    inner = case["case"]
    opened = open_message(
        bytes.fromhex(inner["envelope"]), keys=label_device("bram-laptop"), expected_conv_id=CONV
    )
    if case["rule"] == "stanzas":
        members = _ids(case["members"])
        reporter = label_device("reporter")
        try:
            check_stanzas(
                opened.header, [*_roster(case["roster_version"]).member_keys(members), reporter.enc_pk]
            )
        except MembershipError as exc:
            return exc.reason
        return "accepted"
    hello = Profile.from_payload(bytes.fromhex(DATA["cases"][0]["payload"]))
    if opened.sender_sign_pk != hello.reporter_sign_pk:
        return "not_reporter"
    state = Membership(CONV, _ids(case["state"]["members"]), case["state"]["counter"])
    try:
        state.apply(Consent.from_payload(opened.payload))
    except MembershipError as exc:
        return exc.reason
    return "accepted"


@pytest.mark.parametrize("case", DATA["must_fail"], ids=[c["name"] for c in DATA["must_fail"]])
def test_recipient_must_fail(case: dict[str, Any]) -> None:
    assert _verdict(case) == case["reason"]
