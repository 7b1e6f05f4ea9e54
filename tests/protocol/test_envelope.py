"""Envelope v1: round trips, strict parsing, tamper resistance, padding buckets (SECURITY-TESTS 2-7)."""

from __future__ import annotations

import struct
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opgelucht_desk.protocol import (
    MAX_PAYLOAD,
    MAX_RECIPIENTS,
    ZERO_HASH,
    DeviceKeys,
    EnvelopeError,
    MessageType,
    envelope_hash,
    key_id,
    open_message,
    open_with_content_key,
    parse_header,
    seal_message,
)
from opgelucht_desk.protocol.envelope import (
    AEAD_TAG_BYTES,
    HEADER_FIXED_BYTES,
    NONCE_BYTES,
    STANZA_BYTES,
    header_hash,
)
from opgelucht_desk.protocol.padding import bucket_lengths, is_bucket
from opgelucht_desk.protocol.signing import sign

from .deterministic import CONV_ID, device, text_envelope

ALICE = device("alice")
BOB = device("bob")
CAROL = device("carol")
# A pool of recipients reused by property tests (key generation is cheap, but fixed keys keep shrinking sane).
POOL = [device(f"pool-{i}") for i in range(20)]


def test_round_trip_for_every_recipient() -> None:
    env = text_envelope(ALICE, [ALICE.enc_pk, BOB.enc_pk, CAROL.enc_pk], b"Er is iets gebeurd")
    for keys in (ALICE, BOB, CAROL):
        opened = open_message(env, keys=keys, expected_conv_id=CONV_ID)
        assert opened.payload == b"Er is iets gebeurd"
        assert opened.sender_sign_pk == ALICE.sign_pk
        assert opened.msg_type is MessageType.TEXT
        assert opened.envelope_hash == envelope_hash(env)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(min_value=1, max_value=20),
    payload=st.binary(max_size=6000),
    seq=st.integers(min_value=0, max_value=2**64 - 1),
    msg_type=st.sampled_from(list(MessageType)),
    prev_hash=st.binary(min_size=32, max_size=32),
    roster_hash=st.binary(min_size=32, max_size=32),
    roster_version=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_round_trip_property(
    n: int,
    payload: bytes,
    seq: int,
    msg_type: MessageType,
    prev_hash: bytes,
    roster_hash: bytes,
    roster_version: int,
) -> None:
    recipients = POOL[:n]
    msg_id = uuid.uuid4()
    env = seal_message(
        conv_id=CONV_ID,
        msg_id=msg_id,
        roster_version=roster_version,
        sender=POOL[0],
        seq=seq,
        msg_type=msg_type,
        prev_hash=prev_hash,
        roster_hash=roster_hash,
        payload=payload,
        recipients=[k.enc_pk for k in recipients],
    )
    header = parse_header(env)
    assert (header.conv_id, header.msg_id, header.roster_version) == (CONV_ID, msg_id, roster_version)
    assert sorted(header.key_ids) == list(header.key_ids) == sorted(key_id(k.enc_pk) for k in recipients)
    for keys in (recipients[0], recipients[-1]):
        opened = open_message(env, keys=keys, expected_conv_id=CONV_ID)
        assert (opened.payload, opened.seq, opened.msg_type) == (payload, seq, msg_type)
        assert (opened.prev_hash, opened.roster_hash) == (prev_hash, roster_hash)
    # Property 7: the ciphertext length is always a padding bucket.
    assert is_bucket(len(env) - header.size - NONCE_BYTES - AEAD_TAG_BYTES)


def test_ciphertext_lengths_fall_in_the_bucket_set() -> None:
    """SECURITY-TESTS 7: messages of many sizes only ever produce bucket-sized ciphertexts."""
    buckets = set(bucket_lengths())
    seen = set()
    for size in [0, 1, 82, 83, 84, 300, 1000, 3900, 3922, 3923, 5000, 20000, 100_000, MAX_PAYLOAD]:
        env = text_envelope(ALICE, [BOB.enc_pk], bytes(size))
        ciphertext_len = len(env) - (HEADER_FIXED_BYTES + STANZA_BYTES) - NONCE_BYTES - AEAD_TAG_BYTES
        assert ciphertext_len in buckets
        seen.add(ciphertext_len)
    assert min(seen) == 256 and max(seen) == 512 * 1024


def test_payload_limit_and_envelope_fits_relay_post_limit() -> None:
    with pytest.raises(ValueError):
        text_envelope(ALICE, [BOB.enc_pk], bytes(MAX_PAYLOAD + 1))
    env = text_envelope(ALICE, [k.enc_pk for k in POOL[:1]] + [BOB.enc_pk], bytes(MAX_PAYLOAD))
    biggest = len(env) + (MAX_RECIPIENTS - 2) * STANZA_BYTES
    base64_len = 4 * -(-biggest // 3)
    assert base64_len + len('{"envelope":""}') <= 1024 * 1024


def test_wrong_conversation_is_rejected() -> None:
    env = text_envelope(ALICE, [BOB.enc_pk])
    with pytest.raises(EnvelopeError) as info:
        open_message(env, keys=BOB, expected_conv_id=uuid.uuid4())
    assert info.value.reason == "conv_id_mismatch"


def test_non_recipient_cannot_open() -> None:
    env = text_envelope(ALICE, [BOB.enc_pk])
    with pytest.raises(EnvelopeError) as info:
        open_message(env, keys=CAROL, expected_conv_id=CONV_ID)
    assert info.value.reason == "not_a_recipient"


def _assert_rejected(env: bytes, keys: DeviceKeys) -> EnvelopeError:
    with pytest.raises(EnvelopeError) as info:
        open_message(env, keys=keys, expected_conv_id=CONV_ID)
    assert str(info.value) == "envelope rejected"
    return info.value


def test_every_single_byte_tamper_is_rejected() -> None:
    """All positions of a small envelope (header, stanzas, nonce, body, tag): each change is rejected."""
    env = text_envelope(ALICE, [BOB.enc_pk], b"kort")
    assert len(env) == HEADER_FIXED_BYTES + STANZA_BYTES + NONCE_BYTES + 256 + AEAD_TAG_BYTES
    reasons = set()
    for position in range(len(env)):
        for delta in (0x01, 0xFF):
            tampered = bytearray(env)
            tampered[position] ^= delta
            reasons.add(_assert_rejected(bytes(tampered), BOB).reason)
    assert {"bad_magic", "unknown_version", "conv_id_mismatch", "decrypt_failed"} <= reasons


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(min_value=2, max_value=8), size=st.integers(min_value=0, max_value=9000))
def test_single_bit_flip_anywhere_gives_one_opaque_error(data: st.DataObject, n: int, size: int) -> None:
    """SECURITY-TESTS 2, bigger envelopes: one bit flipped anywhere → EnvelopeError, never plaintext."""
    env = text_envelope(POOL[0], [k.enc_pk for k in POOL[:n]], bytes(size))
    position = data.draw(st.integers(min_value=0, max_value=len(env) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    tampered = bytearray(env)
    tampered[position] ^= 1 << bit
    _assert_rejected(bytes(tampered), POOL[n - 1])


def _rebuild(
    env: bytes, *, n: int | None = None, stanzas: bytes | None = None, version: int | None = None
) -> bytes:
    header = parse_header(env)
    fixed = bytearray(env[:HEADER_FIXED_BYTES])
    if version is not None:
        fixed[4] = version
    old_stanzas = env[HEADER_FIXED_BYTES : header.size]
    new_stanzas = old_stanzas if stanzas is None else stanzas
    count = len(new_stanzas) // STANZA_BYTES if n is None else n
    fixed[41:43] = struct.pack(">H", count)
    return bytes(fixed) + new_stanzas + env[header.size :]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda env: env + b"\x00", "bad_body_length"),
        (lambda env: env[:-1], "bad_body_length"),
        (lambda env: env[:40], "truncated_header"),
        (lambda env: b"OPM2" + env[4:], "bad_magic"),
        (lambda env: _rebuild(env, version=2), "unknown_version"),
        (lambda env: _rebuild(env, stanzas=b"", n=0), "zero_recipients"),
        (lambda env: _rebuild(env, n=1025), "too_many_recipients"),
        (lambda env: _rebuild(env, n=3), "bad_body_length"),
        (lambda env: _rebuild(env, n=10), "truncated_header"),
        (lambda env: _rebuild(env, stanzas=env[43 : 43 + STANZA_BYTES] * 2), "duplicate_key_id"),
        (lambda env: _rebuild(env, stanzas=env[43 : 43 + STANZA_BYTES + 10]), "bad_body_length"),
    ],
)
def test_structural_rejects_happen_before_decryption(mutate: object, reason: str) -> None:
    """SECURITY-TESTS 3: `parse_header` (no keys at all) already rejects these shapes."""
    env = text_envelope(ALICE, [BOB.enc_pk, CAROL.enc_pk])
    assert callable(mutate)
    bad = mutate(env)
    with pytest.raises(EnvelopeError) as info:
        parse_header(bad)
    assert info.value.reason == reason
    assert str(info.value) == "envelope rejected"
    assert _assert_rejected(bad, BOB).reason == reason


def test_dropping_or_swapping_a_stanza_breaks_decryption_for_everyone() -> None:
    env = text_envelope(ALICE, [ALICE.enc_pk, BOB.enc_pk, CAROL.enc_pk])
    header = parse_header(env)
    stanzas = [env[43 + i * STANZA_BYTES : 43 + (i + 1) * STANZA_BYTES] for i in range(3)]
    dropped = _rebuild(env, stanzas=b"".join(stanzas[:2]))
    swapped = _rebuild(env, stanzas=b"".join([stanzas[1], stanzas[0], stanzas[2]]))
    assert len(header.stanzas) == 3
    for bad in (dropped, swapped):
        for keys in (ALICE, BOB, CAROL):
            if key_id(keys.enc_pk) in parse_header(bad).key_ids:
                assert _assert_rejected(bad, keys).reason == "decrypt_failed"


def test_recipient_who_knows_the_content_key_cannot_forge_another_sender() -> None:
    """SECURITY-TESTS 5: Bob (a recipient) has the content key of Alice's message; whatever he builds
    with it, Carol never accepts a modified message as Alice's."""
    import nacl.bindings as sodium

    from opgelucht_desk.protocol.envelope import INNER_OVERHEAD
    from opgelucht_desk.protocol.padding import pad, unpad

    env = text_envelope(ALICE, [BOB.enc_pk, CAROL.enc_pk], b"origineel")
    content_key = open_message(env, keys=BOB, expected_conv_id=CONV_ID).content_key
    header = parse_header(env)
    header_bytes, body = env[: header.size], env[header.size :]
    hh = header_hash(header_bytes)
    inner = unpad(
        bytes(
            sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                body[NONCE_BYTES:], hh, body[:NONCE_BYTES], content_key
            )
        )
    )
    assert len(inner) == INNER_OVERHEAD + len(b"origineel")
    # Bob swaps the payload, keeps Alice's key and signature, and re-encrypts correctly.
    forged_inner = inner[:105] + struct.pack(">I", 9) + b"vervalst!" + inner[-64:]
    forged_body = body[:NONCE_BYTES] + bytes(
        sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
            pad(forged_inner), hh, body[:NONCE_BYTES], content_key
        )
    )
    with pytest.raises(EnvelopeError) as info:
        open_with_content_key(header_bytes + forged_body, content_key, expected_conv_id=CONV_ID)
    assert info.value.reason == "bad_signature"
    with pytest.raises(EnvelopeError) as info:
        open_message(header_bytes + forged_body, keys=CAROL, expected_conv_id=CONV_ID)
    assert info.value.reason == "bad_signature"
    # Bob signs the forged payload himself but claims Alice's key: still bad.
    forged_sig = sign("opg/msg/v1", hh + inner[32:105] + b"vervalst!", BOB.sign_seed)
    forged_inner = inner[:105] + struct.pack(">I", 9) + b"vervalst!" + forged_sig
    forged_body = body[:NONCE_BYTES] + bytes(
        sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
            pad(forged_inner), hh, body[:NONCE_BYTES], content_key
        )
    )
    with pytest.raises(EnvelopeError) as info:
        open_message(header_bytes + forged_body, keys=CAROL, expected_conv_id=CONV_ID)
    assert info.value.reason == "bad_signature"


def test_seal_refuses_arguments_no_valid_envelope_can_carry() -> None:
    with pytest.raises(ValueError):
        text_envelope(ALICE, [])
    with pytest.raises(ValueError):
        text_envelope(ALICE, [BOB.enc_pk, BOB.enc_pk])
    with pytest.raises(ValueError):
        text_envelope(ALICE, [BOB.enc_pk], prev_hash=b"short")
    with pytest.raises(ValueError):
        text_envelope(ALICE, [BOB.enc_pk], seq=-1)


def test_first_message_prev_hash_is_zero_and_chain_uses_envelope_hash() -> None:
    first = text_envelope(ALICE, [BOB.enc_pk], seq=1)
    second = text_envelope(ALICE, [BOB.enc_pk], seq=2, prev_hash=envelope_hash(first))
    opened_first = open_message(first, keys=BOB, expected_conv_id=CONV_ID)
    opened_second = open_message(second, keys=BOB, expected_conv_id=CONV_ID)
    assert opened_first.prev_hash == ZERO_HASH
    assert opened_second.prev_hash == opened_first.envelope_hash


def test_repr_shows_no_payload() -> None:
    env = text_envelope(ALICE, [BOB.enc_pk], b"geheim-canary-123")
    opened = open_message(env, keys=BOB, expected_conv_id=CONV_ID)
    assert "geheim-canary-123" not in repr(opened)
    assert ALICE.enc_sk.hex() not in repr(ALICE)
