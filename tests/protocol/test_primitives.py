"""Encoding, signatures, keys, fingerprints, padding and the sealed box."""

from __future__ import annotations

import base64
import binascii
import itertools

import nacl.bindings as sodium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opgelucht_desk.protocol import (
    SIGNATURE_TAGS,
    DeviceKeys,
    ProtocolError,
    SignatureError,
    b64d,
    b64e,
    fingerprint,
    key_id,
    pad,
    padded_length,
    qr_fingerprint,
    safety_number,
    sign,
    signing_public_key,
    tagged,
    unpad,
    verify,
)
from opgelucht_desk.protocol.padding import bucket_lengths, is_bucket
from opgelucht_desk.protocol.rng import DeterministicRng
from opgelucht_desk.protocol.sealedbox import seal, seal_open

from .deterministic import device, seed


@settings(deadline=None)
@given(st.binary(max_size=200))
def test_base64_round_trip(data: bytes) -> None:
    assert b64d(b64e(data)) == data


@pytest.mark.parametrize("text", ["YQ", "YQ=", "Y Q==", "YQ==\n", "-_8=", "YR==", "YWJj\n", "====", 42])
def test_base64_is_strict(text: object) -> None:
    with pytest.raises(ProtocolError):
        b64d(text)  # type: ignore[arg-type]


@settings(deadline=None, max_examples=500)
@given(st.text(alphabet="AQRYWjb09+/=-_ \n\té\x00", max_size=14))
def test_base64_accepts_exactly_the_canonical_encoding(text: str) -> None:
    """Whatever the string: accepted exactly when it is the standard, padded encoding of its bytes."""
    try:
        canonical = base64.b64encode(base64.b64decode(text, validate=True)).decode() == text
    except (binascii.Error, ValueError):
        canonical = False
    if canonical:
        assert b64e(b64d(text)) == text
    else:
        with pytest.raises(ProtocolError):
            b64d(text)


def test_tagged_layout() -> None:
    assert tagged("opg/msg/v1", b"xy") == bytes([10]) + b"opg/msg/v1" + b"xy"


def test_a_signature_for_one_purpose_never_verifies_for_another() -> None:
    """SECURITY-TESTS 6: every pair of distinct tags, also with the message shifted into the tag."""
    key = seed("signer")
    pk = signing_public_key(key)
    message = b"the same bytes"
    for tag in SIGNATURE_TAGS:
        signature = sign(tag, message, key)
        verify(tag, message, signature, pk)
        for other in SIGNATURE_TAGS:
            if other != tag:
                with pytest.raises(SignatureError):
                    verify(other, message, signature, pk)
    # Without the length prefix "opg/msg/v1" + "X..." and "opg/msg/v1X" + "..." would collide.
    signature = sign("opg/msg/v1", b"Xrest", key)
    with pytest.raises(SignatureError):
        verify("opg/msg/v1X", b"rest", signature, pk)


def test_signature_rejects_malformed_inputs() -> None:
    pk = signing_public_key(seed("k"))
    signature = sign("opg/msg/v1", b"m", seed("k"))
    for bad_sig, bad_pk in [(signature[:63], pk), (signature, pk[:31]), (bytes(64), pk)]:
        with pytest.raises(SignatureError):
            verify("opg/msg/v1", b"m", bad_sig, bad_pk)


def test_device_keys_serialise_and_derive_publics() -> None:
    keys = DeviceKeys.generate()
    assert DeviceKeys.from_bytes(keys.to_bytes()) == keys
    assert keys.public.enc_pk == bytes(sodium.crypto_scalarmult_base(keys.enc_sk))
    assert keys.public.sign_pk == signing_public_key(keys.sign_seed)
    with pytest.raises(ValueError):
        DeviceKeys.from_bytes(keys.to_bytes()[:-1])


def test_key_id_and_fingerprints() -> None:
    import hashlib

    pk = device("x").enc_pk
    assert key_id(pk) == hashlib.blake2b(pk, digest_size=32).digest()[:8]
    assert fingerprint(pk) == hashlib.blake2b(pk, digest_size=32, person=b"opg/fpr/v1").digest()
    assert qr_fingerprint(pk) == fingerprint(pk)[:16].hex() and len(qr_fingerprint(pk)) == 32


def test_safety_number_shape_and_stability() -> None:
    first = safety_number(signing_public_key(seed("org")))
    assert first == safety_number(signing_public_key(seed("org")))
    groups = first.split(" ")
    assert len(groups) == 12 and all(len(g) == 5 and g.isdigit() for g in groups)
    assert first != safety_number(signing_public_key(seed("other org")))


def test_padding_buckets() -> None:
    assert bucket_lengths()[:3] == [256, 512, 768]
    assert bucket_lengths()[-1] == 512 * 1024
    for length in itertools.chain(range(0, 4200), [8191, 8192, 100_000, 512 * 1024 - 1]):
        target = padded_length(length)
        assert is_bucket(target) and target > length
    with pytest.raises(ValueError):
        padded_length(512 * 1024)


@settings(deadline=None)
@given(st.binary(max_size=5000))
def test_pad_matches_libsodium_and_round_trips(data: bytes) -> None:
    padded = pad(data)
    assert len(padded) == padded_length(len(data))
    assert padded == data + b"\x80" + bytes(len(padded) - len(data) - 1)
    assert unpad(padded) == data


def test_unpad_refuses_non_canonical_padding() -> None:
    # Valid ISO 7816-4 padding, but a 256-byte input padded to 512 instead of its own bucket would be fine;
    # 100 bytes padded to 512 is not the canonical bucket.
    with pytest.raises(ProtocolError):
        unpad(b"x" * 100 + b"\x80" + bytes(411))
    with pytest.raises(ProtocolError):
        unpad(bytes(256))
    with pytest.raises(ProtocolError):
        unpad(b"x" * 255)


def test_sealed_box_is_byte_identical_to_libsodium() -> None:
    """Our sealed box with an injected ephemeral key opens with crypto_box_seal_open, and libsodium's own
    crypto_box_seal output opens with ours."""
    pk, sk = sodium.crypto_box_keypair()
    rng = DeterministicRng(b"sealed-box-test-seed")
    sealed = seal(b"content key 32 bytes long.......", pk, rng)
    assert len(sealed) == 80
    assert sodium.crypto_box_seal_open(sealed, pk, sk) == b"content key 32 bytes long......."
    assert seal_open(sodium.crypto_box_seal(b"from libsodium", pk), pk, sk) == b"from libsodium"
    # Same ephemeral key → same bytes; and the layout is epk | crypto_box_easy(m, BLAKE2b-192(epk | pk)).
    esk = DeterministicRng(b"sealed-box-test-seed")(32)
    epk = sodium.crypto_scalarmult_base(esk)
    import hashlib

    nonce = hashlib.blake2b(epk + pk, digest_size=24).digest()
    assert sealed == epk + sodium.crypto_box_easy(b"content key 32 bytes long.......", nonce, pk, esk)
    with pytest.raises(ProtocolError):
        seal_open(sealed[:-1] + bytes([sealed[-1] ^ 1]), pk, sk)


def test_deterministic_rng_is_reproducible() -> None:
    a, b = DeterministicRng(b"0123456789abcdef"), DeterministicRng(b"0123456789abcdef")
    assert a(10) + a(100) == b(110)
