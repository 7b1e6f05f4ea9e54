"""Fuzzing the parsers with hypothesis: only the defined exceptions ever escape (SECURITY-TESTS 25)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opgelucht_desk.protocol import (
    EnvelopeError,
    Profile,
    ProtocolError,
    RequestAuthError,
    RosterError,
    SignedRoster,
    open_message,
    parse_header,
    parse_qr_payload,
    parse_request_headers,
    parse_roster_body,
    verify_request,
)
from opgelucht_desk.protocol.envelope import MAGIC, STANZA_BYTES

from .deterministic import CONV_ID, NOW, device, make_org, text_envelope

BOB = device("bob")
ENVELOPE = text_envelope(device("alice"), [BOB.enc_pk, device("carol").enc_pk])
ORG = make_org()
ROSTER_BODY = ORG.roster().to_body()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)


def _envelope_like() -> st.SearchStrategy[bytes]:
    """Random bytes, a valid prefix with random tails, and structured headers with random fields."""
    header = st.builds(
        lambda version, n, stanzas, body: (
            MAGIC + bytes([version]) + bytes(36) + n.to_bytes(2, "big") + stanzas + body
        ),
        st.integers(0, 3),
        st.integers(0, 1100),
        st.binary(max_size=3 * STANZA_BYTES),
        st.binary(max_size=400),
    )
    mutated = st.builds(
        lambda cut, tail: ENVELOPE[:cut] + tail, st.integers(0, len(ENVELOPE)), st.binary(max_size=300)
    )
    return st.binary(max_size=600) | header | mutated


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_envelope_like())
def test_envelope_parsing_raises_only_envelope_error(data: bytes) -> None:
    with contextlib.suppress(EnvelopeError):
        parse_header(data)
    with contextlib.suppress(EnvelopeError):
        open_message(data, keys=BOB, expected_conv_id=CONV_ID)


def _roster_like() -> st.SearchStrategy[bytes]:
    base: dict[str, Any] = json.loads(ROSTER_BODY)
    field_mutation = st.builds(
        lambda key, value: json.dumps({**base, key: value}).encode(),
        st.sampled_from(sorted(base)),
        json_values,
    )
    return st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()) | field_mutation


@settings(max_examples=300, deadline=None)
@given(_roster_like())
def test_roster_parsing_raises_only_roster_error(body: bytes) -> None:
    with contextlib.suppress(RosterError):
        parse_roster_body(body)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_signed_roster_json_raises_only_roster_error(value: object) -> None:
    with contextlib.suppress(RosterError):
        SignedRoster.from_json(value)


header_values = st.text(max_size=40) | st.sampled_from(["", "0", "1800000000", "AAAAAAAAAAAAAAAAAAAAAA=="])


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["Opg-Device", "opg-timestamp", "OPG-NONCE", "Opg-Signature", "Other"]), header_values
    ),
    st.text(max_size=10),
    st.text(max_size=30),
)
def test_request_parsing_raises_only_request_auth_error(
    headers: dict[str, str], method: str, path: str
) -> None:
    with contextlib.suppress(RequestAuthError):
        parse_request_headers(headers)
    with contextlib.suppress(RequestAuthError):
        verify_request(headers, method, path, b"", BOB.sign_pk, now=NOW)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()), st.text(max_size=100))
def test_profile_and_qr_parsing_raise_only_protocol_error(payload: bytes, qr: str) -> None:
    with contextlib.suppress(ProtocolError):
        Profile.from_payload(payload)
    with contextlib.suppress(ProtocolError):
        parse_qr_payload("opgelucht://join?" + qr)
