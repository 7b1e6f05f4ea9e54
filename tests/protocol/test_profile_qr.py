"""The HELLO profile payload and the join QR code."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opgelucht_desk.protocol import (
    AGE_CATEGORIES,
    GENDERS,
    Profile,
    ProtocolError,
    b64e,
    parse_qr_payload,
    qr_fingerprint,
    qr_payload,
    signing_public_key,
)

from .deterministic import device, seed

KEYS = device("reporter")


def make_profile(
    pseudonym: str = "Merel", age: str | None = "25-34", gender: str | None = "vrouw"
) -> Profile:
    return Profile(pseudonym, age, gender, KEYS.enc_pk, KEYS.sign_pk)


def test_profile_round_trip_and_canonical_bytes() -> None:
    profile = make_profile()
    payload = profile.to_payload()
    assert (
        payload
        == (
            '{"age_category":"25-34","enc_pk":"'
            + b64e(KEYS.enc_pk)
            + '","gender":"vrouw","pseudonym":"Merel","sign_pk":"'
            + b64e(KEYS.sign_pk)
            + '","v":1}'
        ).encode()
    )
    assert Profile.from_payload(payload) == profile


@settings(deadline=None)
@given(
    pseudonym=st.text(min_size=1, max_size=64).filter(lambda s: s.strip() != ""),
    age=st.sampled_from([None, *AGE_CATEGORIES]),
    gender=st.sampled_from([None, *GENDERS]),
)
def test_profile_property(pseudonym: str, age: str | None, gender: str | None) -> None:
    try:
        profile = make_profile(pseudonym, age, gender)
    except ValueError:
        return  # control characters or too long after NFC: refused at construction, which is the point
    assert Profile.from_payload(profile.to_payload()) == profile


def test_pseudonym_is_nfc_normalised() -> None:
    assert make_profile("Zoe\u0308").pseudonym == "Zo\u00eb"


@pytest.mark.parametrize("pseudonym", ["", "   ", "x" * 65, "a\u0000b", "a\nb", "\u202eevil"])
def test_bad_pseudonyms_are_refused(pseudonym: str) -> None:
    with pytest.raises(ValueError):
        make_profile(pseudonym)


def _payload(**changes: object) -> bytes:
    value = json.loads(make_profile().to_payload())
    value.update(changes)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize(
    "payload",
    [
        _payload(v=2),
        _payload(v=True),
        _payload(age_category="18-24"),
        _payload(gender="x"),
        _payload(pseudonym=5),
        _payload(pseudonym="Zoe\u0308"),  # not NFC: not canonical
        _payload(enc_pk="AAAA"),
        _payload(extra=1),
        make_profile().to_payload().replace(b":", b": ", 1),
        b'{"v":1,"v":1}',
        b"\xff",
        b"[]",
    ],
)
def test_profile_decoding_is_strict(payload: bytes) -> None:
    with pytest.raises(ProtocolError):
        Profile.from_payload(payload)


def test_qr_payload_round_trip_and_pin() -> None:
    org_pk = signing_public_key(seed("org"))
    text = qr_payload("https://relay.example.nl/", "ACME-2026", org_pk)
    assert text.startswith("opgelucht://join?relay=https%3A%2F%2Frelay.example.nl&code=ACME-2026&fp=")
    parsed = parse_qr_payload(text)
    assert (parsed.relay_url, parsed.org_code, parsed.fingerprint) == (
        "https://relay.example.nl",
        "ACME-2026",
        qr_fingerprint(org_pk),
    )
    assert parsed.matches(org_pk)
    assert not parsed.matches(signing_public_key(seed("mallory")))


@pytest.mark.parametrize(
    "text",
    [
        "https://relay.example.nl",
        "opgelucht://join?relay=https%3A%2F%2Fr.nl&code=A",
        "opgelucht://join?relay=https%3A%2F%2Fr.nl&code=A&fp=00&x=1",
        "opgelucht://join?relay=https%3A%2F%2Fr.nl&code=A&fp=" + "G" * 32,
        "opgelucht://join?relay=http%3A%2F%2Fevil.example&code=A&fp=" + "0" * 32,
        "opgelucht://join?relay=https%3A%2F%2Fr.nl&code=%20A&fp=" + "0" * 32,
        "opgelucht://join?relay=https%3A%2F%2Fr.nl&code=A&code=B&fp=" + "0" * 32,
    ],
)
def test_qr_parsing_is_strict(text: str) -> None:
    with pytest.raises(ProtocolError):
        parse_qr_payload(text)
