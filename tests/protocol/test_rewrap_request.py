"""Re-wrap records, request signing and the registration proof (SECURITY-TESTS 20)."""

from __future__ import annotations

import uuid

import pytest

from opgelucht_desk.protocol import (
    EnvelopeError,
    ProtocolError,
    RequestAuthError,
    RewrapRecord,
    SignatureError,
    make_rewrap,
    open_message,
    open_rewrap,
    open_with_content_key,
    parse_request_headers,
    register_proof,
    sign_request,
    verify_register_proof,
    verify_request,
    verify_rewrap,
)
from opgelucht_desk.protocol.request_auth import login_signature_valid, sign_login

from .deterministic import CONV_ID, NOW, device, text_envelope

ANNA = device("anna-laptop")
NEW = device("new-desktop")
REPORTER = device("reporter")
DEVICE_ID = uuid.UUID("d0d0d0d0-1111-4222-8333-444444444444")


def test_rewrap_gives_a_new_device_an_old_message() -> None:
    env = text_envelope(REPORTER, [ANNA.enc_pk, REPORTER.enc_pk], b"oud bericht")
    opened = open_message(env, keys=ANNA, expected_conv_id=CONV_ID)
    record = make_rewrap(
        conv_id=CONV_ID,
        msg_id=opened.header.msg_id,
        content_key=opened.content_key,
        target_enc_pk=NEW.enc_pk,
        signer=ANNA,
    )
    with pytest.raises(EnvelopeError):
        open_message(env, keys=NEW, expected_conv_id=CONV_ID)
    received = verify_rewrap(record.to_bytes(), allowed_signers={ANNA.sign_pk})
    assert received == record
    content_key = open_rewrap(received, NEW)
    assert open_with_content_key(env, content_key, expected_conv_id=CONV_ID).payload == b"oud bericht"


def test_rewrap_tampering_and_foreign_signers_are_refused() -> None:
    record = make_rewrap(
        conv_id=CONV_ID, msg_id=uuid.uuid4(), content_key=bytes(32), target_enc_pk=NEW.enc_pk, signer=ANNA
    )
    raw = record.to_bytes()
    for position in range(len(raw)):
        tampered = bytearray(raw)
        tampered[position] ^= 0x20
        with pytest.raises(ProtocolError):
            verify_rewrap(bytes(tampered))
    with pytest.raises(SignatureError):
        verify_rewrap(record, allowed_signers={NEW.sign_pk})
    with pytest.raises(ProtocolError):
        RewrapRecord.from_bytes(raw + b"\x00")
    with pytest.raises(ProtocolError):
        open_rewrap(record, ANNA)  # addressed to another device


def test_request_signature_round_trip() -> None:
    headers = sign_request(
        DEVICE_ID, REPORTER.sign_seed, "post", "/v1/device/conversations/x/messages", b"{}", now=NOW
    )
    assert set(headers) == {"Opg-Device", "Opg-Timestamp", "Opg-Nonce", "Opg-Signature"}
    lower = {k.lower(): v for k, v in headers.items()}
    device_id, timestamp, nonce = verify_request(
        lower, "POST", "/v1/device/conversations/x/messages", b"{}", REPORTER.sign_pk, now=NOW + 299
    )
    assert (device_id, timestamp, nonce) == (DEVICE_ID, NOW, headers["Opg-Nonce"])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/device/conversations/x/messages", b"{}"),
        ("POST", "/v1/device/conversations/y/messages", b"{}"),
        ("POST", "/v1/device/conversations/x/messages?after=1", b"{}"),
        ("POST", "/v1/device/conversations/x/messages", b'{"a":1}'),
        ("POST", "/v1/device/conversations/x/messages", b""),
    ],
)
def test_signature_for_another_method_path_or_body_is_refused(method: str, path: str, body: bytes) -> None:
    """SECURITY-TESTS 20 (replay of the nonce itself is the relay's check, tested in tests/relay)."""
    headers = sign_request(
        DEVICE_ID, REPORTER.sign_seed, "POST", "/v1/device/conversations/x/messages", b"{}", now=NOW
    )
    with pytest.raises(RequestAuthError) as info:
        verify_request(headers, method, path, body, REPORTER.sign_pk, now=NOW)
    assert info.value.code == "bad_signature"


def test_other_device_key_nonce_or_clock_are_refused() -> None:
    headers = sign_request(DEVICE_ID, REPORTER.sign_seed, "GET", "/v1/device/roster", b"", now=NOW)
    with pytest.raises(RequestAuthError) as info:
        verify_request(headers, "GET", "/v1/device/roster", b"", ANNA.sign_pk, now=NOW)
    assert info.value.code == "bad_signature"
    for name, value in [
        ("Opg-Device", str(uuid.uuid4())),
        ("Opg-Nonce", "AAAAAAAAAAAAAAAAAAAAAA=="),
        ("Opg-Timestamp", str(NOW + 1)),
    ]:
        with pytest.raises(RequestAuthError) as info:
            verify_request(
                {**headers, name: value}, "GET", "/v1/device/roster", b"", REPORTER.sign_pk, now=NOW
            )
        assert info.value.code == "bad_signature"
    for now in (NOW - 301, NOW + 301):
        with pytest.raises(RequestAuthError) as info:
            verify_request(headers, "GET", "/v1/device/roster", b"", REPORTER.sign_pk, now=now)
        assert info.value.code == "clock_skew"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Opg-Device", "D0D0D0D0-1111-4222-8333-444444444444"),
        ("Opg-Timestamp", "+1800000000"),
        ("Opg-Timestamp", "01800000000"),
        ("Opg-Timestamp", "-5"),
        ("Opg-Nonce", "AAAA"),
        ("Opg-Signature", "AAAA"),
        ("Opg-Signature", "not base64!"),
    ],
)
def test_malformed_headers_are_refused(name: str, value: str) -> None:
    headers = sign_request(DEVICE_ID, REPORTER.sign_seed, "GET", "/v1/device/roster", b"", now=NOW)
    with pytest.raises(RequestAuthError) as info:
        parse_request_headers({**headers, name: value})
    assert info.value.code == "bad_signature"
    missing = {k: v for k, v in headers.items() if k != name}
    with pytest.raises(RequestAuthError):
        parse_request_headers(missing)


def test_register_proof() -> None:
    proof = register_proof(DEVICE_ID, REPORTER.enc_pk, REPORTER.sign_pk, "ACME", REPORTER.sign_seed)
    verify_register_proof(DEVICE_ID, REPORTER.enc_pk, REPORTER.sign_pk, "ACME", proof)
    for args in [
        (uuid.uuid4(), REPORTER.enc_pk, REPORTER.sign_pk, "ACME"),
        (DEVICE_ID, ANNA.enc_pk, REPORTER.sign_pk, "ACME"),
        (DEVICE_ID, REPORTER.enc_pk, REPORTER.sign_pk, "ACME2"),
        (DEVICE_ID, REPORTER.enc_pk, ANNA.sign_pk, "ACME"),
    ]:
        with pytest.raises(SignatureError):
            verify_register_proof(*args, proof)


def test_login_signature_covers_username_code_and_device() -> None:
    """``opg/login/v1``: valid only for the username (case-insensitive), TOTP code and device it was
    made for, and only under the device's own key."""
    sig = sign_login("Anna.Admin", "123456", DEVICE_ID, ANNA.sign_seed)
    assert login_signature_valid("anna.admin", "123456", DEVICE_ID, sig, ANNA.sign_pk)
    for username, code, device_id, pk in [
        ("bert", "123456", DEVICE_ID, ANNA.sign_pk),
        ("anna.admin", "654321", DEVICE_ID, ANNA.sign_pk),
        ("anna.admin", "123456", uuid.uuid4(), ANNA.sign_pk),
        ("anna.admin", "123456", DEVICE_ID, NEW.sign_pk),
    ]:
        assert not login_signature_valid(username, code, device_id, sig, pk)
    assert not login_signature_valid("anna.admin", "123456", DEVICE_ID, sig[:63], ANNA.sign_pk)
    assert not login_signature_valid("anna\ud800", "123456", DEVICE_ID, sig, ANNA.sign_pk)
