"""Deterministic test vectors for other implementations (the Swift and Kotlin apps).

    .venv/bin/python tests/protocol/vector_generator.py --write tests/vectors   # (re)generate
    .venv/bin/python tests/protocol/vector_generator.py --check tests/vectors   # regenerate and compare

A test tool, not part of the installed protocol package: tests/protocol/test_vectors.py imports it.

Every binary value in the files is lower-case hex. All keys come from fixed labels
(seed = BLAKE2b-256(label)); the randomness a sender would draw is written out next to each case, so an
implementation can reproduce the bytes by injecting it (docs/protocol.md, "Test vectors").
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import struct
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nacl.bindings as sodium

from opgelucht_desk.protocol.attachment import FileRef
from opgelucht_desk.protocol.blob import (
    BLOB_HEAD_BYTES,
    CHUNK_BYTES,
    SEALED_CHUNK_BYTES,
    SIZE_PREFIX_BYTES,
    seal_blob,
)
from opgelucht_desk.protocol.encoding import SIGNATURE_TAGS, TAG_MSG, b64e, tagged
from opgelucht_desk.protocol.envelope import (
    HEADER_FIXED_BYTES,
    NONCE_BYTES,
    STANZA_BYTES,
    ZERO_HASH,
    MessageType,
    envelope_hash,
    header_hash,
    open_message,
    parse_header,
    seal_message,
)
from opgelucht_desk.protocol.keys import (
    DeviceKeys,
    fingerprint,
    key_id,
    qr_fingerprint,
    safety_number,
    signing_public_key,
)
from opgelucht_desk.protocol.padding import pad, unpad
from opgelucht_desk.protocol.profile import Profile
from opgelucht_desk.protocol.qr import qr_payload
from opgelucht_desk.protocol.recipients import Consent, HandoverRequest, Membership
from opgelucht_desk.protocol.request_auth import canonical_request, register_proof, sign_request
from opgelucht_desk.protocol.rewrap import make_rewrap
from opgelucht_desk.protocol.rng import DeterministicRng
from opgelucht_desk.protocol.roster import (
    CounsellorEntry,
    Roster,
    SignedRoster,
    make_device_entry,
    make_org_key_certificate,
    roster_hash,
    sign_roster,
    verify_roster,
)
from opgelucht_desk.protocol.signing import sign

FORMAT = "opgelucht-test-vectors"
VECTOR_VERSION = 1
NOW = 1_800_000_000
CONV_ID = uuid.UUID("6f9b1c2e-4a3d-4e5f-8a7b-9c0d1e2f3a4b")
ORG_ID = uuid.UUID("0b0b0b0b-0000-4000-8000-000000000001")


def label_seed(label: str) -> bytes:
    """seed(label) = BLAKE2b-256(UTF-8 label), unkeyed, no personalisation."""
    return hashlib.blake2b(label.encode("utf-8"), digest_size=32).digest()


def label_device(label: str) -> DeviceKeys:
    return DeviceKeys(enc_sk=label_seed(label + "/enc"), sign_seed=label_seed(label + "/sign"))


def label_uuid(label: str) -> uuid.UUID:
    return uuid.UUID(bytes=label_seed("uuid/" + label)[:16], version=4)


class RecordingRng:
    """A DeterministicRng that remembers what each call returned."""

    def __init__(self, seed_label: str) -> None:
        self._inner = DeterministicRng(label_seed(seed_label))
        self.draws: list[bytes] = []

    def __call__(self, n: int) -> bytes:
        out = self._inner(n)
        self.draws.append(out)
        return out


def _keys_json(keys: DeviceKeys) -> dict[str, str]:
    return {
        "enc_sk": keys.enc_sk.hex(),
        "enc_pk": keys.enc_pk.hex(),
        "key_id": key_id(keys.enc_pk).hex(),
        "sign_seed": keys.sign_seed.hex(),
        "sign_pk": keys.sign_pk.hex(),
    }


def _envelope_case(
    name: str,
    *,
    sender: str,
    recipients: list[str],
    msg_type: MessageType,
    payload: bytes,
    seq: int = 1,
    prev_hash: bytes = ZERO_HASH,
    roster_hash_value: bytes = ZERO_HASH,
    roster_version: int = 1,
) -> tuple[dict[str, Any], bytes]:
    rng = RecordingRng("rng/" + name)
    sender_keys = label_device(sender)
    msg_id = label_uuid("msg/" + name)
    envelope = seal_message(
        conv_id=CONV_ID,
        msg_id=msg_id,
        roster_version=roster_version,
        sender=sender_keys,
        seq=seq,
        msg_type=msg_type,
        prev_hash=prev_hash,
        roster_hash=roster_hash_value,
        payload=payload,
        recipients=[label_device(r).enc_pk for r in recipients],
        rng=rng,
    )
    header = parse_header(envelope)
    case = {
        "name": name,
        "sender": {"label": sender, **_keys_json(sender_keys)},
        "recipients": [{"label": r, **_keys_json(label_device(r))} for r in recipients],
        "conv_id": str(CONV_ID),
        "msg_id": str(msg_id),
        "roster_version": roster_version,
        "seq": seq,
        "msg_type": int(msg_type),
        "prev_hash": prev_hash.hex(),
        "roster_hash": roster_hash_value.hex(),
        "payload": payload.hex(),
        "random": {
            "content_key": rng.draws[0].hex(),
            "nonce": rng.draws[1].hex(),
            "ephemeral_sks_in_stanza_order": [d.hex() for d in rng.draws[2:]],
        },
        "stanza_key_ids": [kid.hex() for kid in header.key_ids],
        "header_hash": header_hash(envelope[: header.size]).hex(),
        "envelope": envelope.hex(),
        "envelope_hash": envelope_hash(envelope).hex(),
    }
    return case, envelope


def envelope_vectors() -> dict[str, Any]:
    profile = Profile(
        "Merel", "25-34", "vrouw", label_device("reporter").enc_pk, label_device("reporter").sign_pk
    )
    staff = ["anna-laptop", "bram-laptop"]
    hello, hello_env = _envelope_case(
        "hello-profile",
        sender="reporter",
        recipients=[*staff, "reporter"],
        msg_type=MessageType.HELLO,
        payload=profile.to_payload(),
    )
    text, _ = _envelope_case(
        "text-chained",
        sender="reporter",
        recipients=[*staff, "reporter"],
        msg_type=MessageType.TEXT,
        payload=b"Ik wil iets melden.",
        seq=2,
        prev_hash=envelope_hash(hello_env),
    )
    reply, reply_env = _envelope_case(
        "reply-from-counsellor",
        sender="anna-laptop",
        recipients=[*staff, "reporter"],
        msg_type=MessageType.TEXT,
        payload=b"Dank je, ik lees mee.",
    )
    note, _ = _envelope_case(
        "note-single-recipient",
        sender="anna-laptop",
        recipients=["anna-laptop"],
        msg_type=MessageType.NOTE,
        payload=b"",
    )
    big, _ = _envelope_case(
        "meta-5000-bytes",
        sender="bram-laptop",
        recipients=staff,
        msg_type=MessageType.META,
        payload=b"{" + b" " * 4998 + b"}",
    )
    rewrap_rng = RecordingRng("rng/rewrap")
    reply_key = open_message(
        reply_env, keys=label_device("bram-laptop"), expected_conv_id=CONV_ID
    ).content_key
    record = make_rewrap(
        conv_id=CONV_ID,
        msg_id=parse_header(reply_env).msg_id,
        content_key=reply_key,
        target_enc_pk=label_device("anna-desktop").enc_pk,
        signer=label_device("bram-laptop"),
        rng=rewrap_rng,
    )
    return {
        "format": FORMAT,
        "vector_version": VECTOR_VERSION,
        "kind": "envelope-v1",
        "description": "Valid envelopes: every recipient opens each one to exactly the given fields. "
        "Sealing with the given random values reproduces the envelope byte for byte.",
        "profile": {
            "payload": hello["payload"],
            "pseudonym": "Merel",
            "age_category": "25-34",
            "gender": "vrouw",
        },
        "cases": [hello, text, reply, note, big],
        "rewraps": [
            {
                "name": "rewrap-reply-to-anna-desktop",
                "envelope_case": "reply-from-counsellor",
                "signer": {"label": "bram-laptop", **_keys_json(label_device("bram-laptop"))},
                "target": {"label": "anna-desktop", **_keys_json(label_device("anna-desktop"))},
                "content_key": reply_key.hex(),
                "ephemeral_sk": rewrap_rng.draws[0].hex(),
                "record": record.to_bytes().hex(),
            }
        ],
    }


def _org_roster(version: int, prev: bytes, devices: dict[str, list[str]]) -> Roster:
    counsellors = []
    for name, labels in devices.items():
        identity_seed = label_seed(name + "/identity")
        counsellors.append(
            CounsellorEntry(
                counsellor_id=label_uuid("counsellor/" + name),
                display_name=name.capitalize(),
                identity_key=signing_public_key(identity_seed),
                devices=tuple(
                    make_device_entry(identity_seed, label_device(lab), label_uuid("device/" + lab))
                    for lab in labels
                ),
            )
        )
    return Roster(ORG_ID, version, prev, NOW, NOW + 14 * 86400, tuple(counsellors))


def roster_vectors() -> dict[str, Any]:
    org_seed = label_seed("org")
    org_pk = signing_public_key(org_seed)
    v1 = sign_roster(_org_roster(1, ZERO_HASH, {"anna": ["anna-laptop"], "bram": ["bram-laptop"]}), org_seed)
    v2 = sign_roster(
        _org_roster(2, roster_hash(v1), {"anna": ["anna-laptop", "anna-desktop"], "bram": ["bram-laptop"]}),
        org_seed,
    )
    new_org_seed = label_seed("org-2")
    identities = {
        name: {
            "identity_seed": label_seed(name + "/identity").hex(),
            "identity_key": signing_public_key(label_seed(name + "/identity")).hex(),
        }
        for name in ("anna", "bram")
    }
    return {
        "format": FORMAT,
        "vector_version": VECTOR_VERSION,
        "kind": "roster-v1",
        "description": "Signed rosters (body is the exact signed UTF-8 JSON), their hashes, the recipients a "
        "client derives, the org key's fingerprints and an org key change certificate.",
        "now": NOW,
        "org": {
            "org_id": str(ORG_ID),
            "org_seed": org_seed.hex(),
            "org_pk": org_pk.hex(),
            "fingerprint": fingerprint(org_pk).hex(),
            "qr_fingerprint": qr_fingerprint(org_pk),
            "safety_number": safety_number(org_pk),
            "qr_payload": qr_payload("https://relay.example.nl", "ACME-2026", org_pk),
        },
        "identities": identities,
        "rosters": [_roster_entry(v1, org_pk), _roster_entry(v2, org_pk)],
        "org_key_change": {
            "old_pk": org_pk.hex(),
            "new_seed": new_org_seed.hex(),
            "new_pk": signing_public_key(new_org_seed).hex(),
            "certificate": make_org_key_certificate(org_seed, signing_public_key(new_org_seed)).hex(),
        },
        "tags": {tag: tagged(tag, b"").hex() for tag in SIGNATURE_TAGS},
    }


def _roster_entry(signed: SignedRoster, org_pk: bytes) -> dict[str, Any]:
    roster = verify_roster(signed, org_pk, now=NOW)
    return {
        "version": roster.version,
        "body_utf8": signed.body.decode("utf-8"),
        "sig": signed.sig.hex(),
        "roster_hash": roster_hash(signed).hex(),
        "recipient_key_ids": [key_id(pk).hex() for pk in roster.recipient_keys()],
    }


def request_vectors() -> dict[str, Any]:
    keys = label_device("reporter")
    device_id = label_uuid("device/reporter")
    cases = []
    for method, path, body in [
        ("GET", "/v1/device/roster", b""),
        ("POST", f"/v1/device/conversations/{CONV_ID}/messages", b'{"envelope":"T1BNMQ=="}'),
        ("GET", f"/v1/device/conversations/{CONV_ID}/messages?after=3&limit=50", b""),
        ("DELETE", "/v1/device", b""),
    ]:
        nonce_bytes = label_seed(f"nonce/{method}/{path}")[:16]
        nonce = b64e(nonce_bytes)
        headers = sign_request(device_id, keys.sign_seed, method, path, body, now=NOW, nonce=nonce)
        cases.append(
            {
                "method": method,
                "path": path,
                "body": body.hex(),
                "timestamp": NOW,
                "nonce": nonce,
                "canonical_utf8": canonical_request(method, path, body, NOW, nonce, device_id).decode(),
                "headers": headers,
            }
        )
    return {
        "format": FORMAT,
        "vector_version": VECTOR_VERSION,
        "kind": "request-v1",
        "description": "Signed device requests (docs/api.md) and the registration proof.",
        "device": {"device_id": str(device_id), **_keys_json(keys)},
        "requests": cases,
        "register": {
            "org_code": "ACME-2026",
            "message_hex": (device_id.bytes + keys.enc_pk + keys.sign_pk + b"ACME-2026").hex(),
            "proof": register_proof(device_id, keys.enc_pk, keys.sign_pk, "ACME-2026", keys.sign_seed).hex(),
        },
    }


def _reseal_inner(
    envelope: bytes, content_key: bytes, edit: Callable[[bytes], bytes], *, raw_pad: bool = False
) -> bytes:
    """Decrypt, let `edit` change the padded (raw_pad) or unpadded inner, re-encrypt with the same key."""
    header = parse_header(envelope)
    header_bytes, body = envelope[: header.size], envelope[header.size :]
    hh = header_hash(header_bytes)
    nonce = body[:NONCE_BYTES]
    padded = bytes(
        sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(body[NONCE_BYTES:], hh, nonce, content_key)
    )
    new_padded = edit(padded) if raw_pad else pad(edit(unpad(padded)))
    return (
        header_bytes
        + nonce
        + bytes(sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(new_padded, hh, nonce, content_key))
    )


def _set_n(envelope: bytes, stanzas: bytes, n: int | None = None) -> bytes:
    header = parse_header(envelope)
    count = len(stanzas) // STANZA_BYTES if n is None else n
    return envelope[:41] + struct.pack(">H", count) + stanzas + envelope[header.size :]


def must_fail_vectors() -> dict[str, Any]:
    base_case, base = _envelope_case(
        "must-fail-base",
        sender="reporter",
        recipients=["anna-laptop", "bram-laptop", "reporter"],
        msg_type=MessageType.TEXT,
        payload=b"must fail",
    )
    anna = label_device("anna-laptop")
    header = parse_header(base)
    stanzas = base[HEADER_FIXED_BYTES : header.size]
    ck = open_message(base, keys=anna, expected_conv_id=CONV_ID).content_key
    anna_index = header.key_ids.index(key_id(anna.enc_pk))
    wrap_byte = HEADER_FIXED_BYTES + anna_index * STANZA_BYTES + 8 + 40
    other_conv = label_uuid("conv/other")

    def flip(position: int) -> bytes:
        data = bytearray(base)
        data[position] ^= 0x01
        return bytes(data)

    def forged_payload(inner: bytes) -> bytes:
        return inner[:105] + struct.pack(">I", 9) + b"must pass" + inner[-64:]

    def resign_type(inner: bytes) -> bytes:
        hh = header_hash(base[: header.size])
        new = inner[:40] + b"\x09" + inner[41:]
        sig = sign(TAG_MSG, hh + new[32:105] + new[109:-64], label_device("reporter").sign_seed)
        return new[:-64] + sig

    cases: list[tuple[str, bytes, uuid.UUID, str]] = [
        ("bad-magic", b"OPX1" + base[4:], CONV_ID, "bad_magic"),
        ("unknown-version", base[:4] + b"\x02" + base[5:], CONV_ID, "unknown_version"),
        ("zero-recipients", _set_n(base, b"", 0), CONV_ID, "zero_recipients"),
        ("too-many-recipients", _set_n(base, stanzas, 1025), CONV_ID, "too_many_recipients"),
        ("truncated-header", base[:42], CONV_ID, "truncated_header"),
        ("truncated-stanzas", _set_n(base, stanzas, 40), CONV_ID, "truncated_header"),
        (
            "duplicate-key-id",
            _set_n(base, stanzas[:STANZA_BYTES] * 2 + stanzas[STANZA_BYTES:]),
            CONV_ID,
            "duplicate_key_id",
        ),
        ("trailing-byte", base + b"\x00", CONV_ID, "bad_body_length"),
        ("truncated-body", base[:-1], CONV_ID, "bad_body_length"),
        ("retargeted-conversation", base[:5] + other_conv.bytes + base[21:], CONV_ID, "conv_id_mismatch"),
        (
            "retargeted-conversation-expected",
            base[:5] + other_conv.bytes + base[21:],
            other_conv,
            "decrypt_failed",
        ),
        ("flipped-msg-id", flip(21), CONV_ID, "decrypt_failed"),
        ("flipped-roster-version", flip(40), CONV_ID, "decrypt_failed"),
        ("flipped-own-wrap", flip(wrap_byte), CONV_ID, "bad_stanza"),
        ("flipped-nonce", flip(header.size), CONV_ID, "decrypt_failed"),
        ("flipped-ciphertext", flip(header.size + NONCE_BYTES + 3), CONV_ID, "decrypt_failed"),
        ("flipped-tag", flip(len(base) - 1), CONV_ID, "decrypt_failed"),
        (
            "swapped-stanzas",
            _set_n(
                base,
                stanzas[STANZA_BYTES : 2 * STANZA_BYTES]
                + stanzas[:STANZA_BYTES]
                + stanzas[2 * STANZA_BYTES :],
            ),
            CONV_ID,
            "decrypt_failed",
        ),
        (
            "dropped-other-stanza",
            _set_n(
                base,
                b"".join(
                    stanzas[i * STANZA_BYTES : (i + 1) * STANZA_BYTES]
                    for i in range(3)
                    if i != (anna_index + 1) % 3
                ),
            ),
            CONV_ID,
            "decrypt_failed",
        ),
        ("forged-payload-by-recipient", _reseal_inner(base, ck, forged_payload), CONV_ID, "bad_signature"),
        ("unknown-type", _reseal_inner(base, ck, resign_type), CONV_ID, "unknown_type"),
        (
            "bad-payload-length",
            _reseal_inner(base, ck, lambda i: i[:105] + struct.pack(">I", 10) + i[109:]),
            CONV_ID,
            "bad_payload_length",
        ),
        (
            "non-canonical-padding",
            _reseal_inner(base, ck, lambda p: p[:-1] + b"\x01", raw_pad=True),
            CONV_ID,
            "bad_padding",
        ),
    ]
    ghost = label_device("ghost")
    envelope_cases: list[dict[str, Any]] = [
        {"name": name, "envelope": env.hex(), "expected_conv_id": str(conv), "reason": reason}
        for name, env, conv, reason in cases
    ]
    envelope_cases.append(
        {
            "name": "not-a-recipient",
            "envelope": base.hex(),
            "expected_conv_id": str(CONV_ID),
            "reason": "not_a_recipient",
            "recipient": {"label": "ghost", **_keys_json(ghost)},
        }
    )
    for case in envelope_cases:
        case.setdefault("recipient", {"label": "anna-laptop", **_keys_json(anna)})
    org_seed = label_seed("org")
    good_roster = _org_roster(1, ZERO_HASH, {"anna": ["anna-laptop"]})
    good = sign_roster(good_roster, org_seed)
    bad_sig = bytearray(good.sig)
    bad_sig[0] ^= 1
    return {
        "format": FORMAT,
        "vector_version": VECTOR_VERSION,
        "kind": "must-fail-v1",
        "description": "Inputs every implementation must reject. Envelope cases: open with the "
        "recipient's keys and expected_conv_id; the rejection must carry `reason` (documented in "
        "docs/protocol.md). The cases are derived from the valid base envelope.",
        "base": base_case,
        "envelopes": envelope_cases,
        "rosters": [
            {
                "name": "bad-signature",
                "body_utf8": good.body.decode(),
                "sig": bytes(bad_sig).hex(),
                "org_pk": signing_public_key(org_seed).hex(),
                "now": NOW,
                "kind": "bad_signature",
            },
            {
                "name": "signed-by-other-key",
                "body_utf8": good.body.decode(),
                "sig": sign_roster(good_roster, label_seed("mallory")).sig.hex(),
                "org_pk": signing_public_key(org_seed).hex(),
                "now": NOW,
                "kind": "bad_signature",
            },
            {
                "name": "expired",
                "body_utf8": good.body.decode(),
                "sig": good.sig.hex(),
                "org_pk": signing_public_key(org_seed).hex(),
                "now": NOW + 14 * 86400,
                "kind": "expired",
            },
        ],
        "requests": _request_must_fail(),
    }


def _request_must_fail() -> list[dict[str, Any]]:
    keys = label_device("reporter")
    device_id = label_uuid("device/reporter")
    nonce = "AAECAwQFBgcICQoLDA0ODw=="
    path = f"/v1/device/conversations/{CONV_ID}/messages"
    headers = sign_request(device_id, keys.sign_seed, "POST", path, b"{}", now=NOW, nonce=nonce)
    base = {"headers": headers, "sign_pk": keys.sign_pk.hex()}
    return [
        {
            "name": "other-path",
            **base,
            "method": "POST",
            "path": path + "x",
            "body": "7b7d",
            "now": NOW,
            "code": "bad_signature",
        },
        {
            "name": "other-body",
            **base,
            "method": "POST",
            "path": path,
            "body": "7b7d0a",
            "now": NOW,
            "code": "bad_signature",
        },
        {
            "name": "other-method",
            **base,
            "method": "PUT",
            "path": path,
            "body": "7b7d",
            "now": NOW,
            "code": "bad_signature",
        },
        {
            "name": "clock-skew",
            **base,
            "method": "POST",
            "path": path,
            "body": "7b7d",
            "now": NOW + 301,
            "code": "clock_skew",
        },
    ]


def _file_bytes(label: str, size: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.blake2b(counter.to_bytes(8, "big"), key=label_seed(label)).digest()
        counter += 1
    return out[:size]


def _file_case(name: str, data: bytes, media_type: str) -> tuple[dict[str, Any], bytes, FileRef]:
    rng = RecordingRng("rng/" + name)
    key = rng(32)
    blob = seal_blob(data, key, rng=rng)
    ref = FileRef(
        blob_id=label_uuid("blob/" + name),
        key=key,
        sha256=hashlib.sha256(data).digest(),
        size=len(data),
        media_type=media_type,
    )
    envelope_case, _ = _envelope_case(
        "file-" + name,
        sender="reporter",
        recipients=["anna-laptop", "bram-laptop", "reporter"],
        msg_type=MessageType.FILE,
        payload=ref.to_payload(),
    )
    case = {
        "name": name,
        "file": data.hex(),
        "media_type": media_type,
        "random": {"file_key": key.hex(), "stream_header": rng.draws[1].hex()},
        "reference": {
            "blob_id": str(ref.blob_id),
            "key": key.hex(),
            "sha256": ref.sha256.hex(),
            "size": ref.size,
            "payload": ref.to_payload().hex(),
        },
        "blob_length": len(blob),
        "blob": blob.hex(),
        "envelope_case": envelope_case,
    }
    return case, blob, ref


def file_vectors() -> dict[str, Any]:
    """File blobs (docs/protocol.md §15): valid ones and edits of them that must fail."""
    small, _, small_ref = _file_case("small-png", b"\x89PNG\r\n\x1a\n" + b"canary" * 4, "image/png")
    # One byte more than fits one chunk (65,536 − 8 for the size prefix): two chunks.
    two_data = _file_bytes("file/two-chunks", CHUNK_BYTES - SIZE_PREFIX_BYTES + 1)
    two, two_blob, _ = _file_case("two-chunks", two_data, "application/pdf")
    wrong_key = label_seed("file/wrong-key")
    wrong_hash = hashlib.sha256(b"another file").digest()
    must_fail = [
        {"name": "truncated-after-first-chunk", "base": "two-chunks",
         "edit": {"op": "truncate", "length": BLOB_HEAD_BYTES + SEALED_CHUNK_BYTES}, "reason": "truncated"},
        {"name": "truncated-mid-chunk", "base": "two-chunks",
         "edit": {"op": "truncate", "length": len(two_blob) - 100}, "reason": "decrypt_failed"},
        {"name": "reordered-chunks", "base": "two-chunks", "edit": {"op": "swap_chunks", "a": 0, "b": 1},
         "reason": "decrypt_failed"},
        {"name": "tampered-byte", "base": "small-png", "edit": {"op": "flip", "offset": BLOB_HEAD_BYTES + 5},
         "reason": "decrypt_failed"},
        {"name": "wrong-key", "base": "small-png", "edit": {"op": "key", "key": wrong_key.hex()},
         "reason": "decrypt_failed"},
        {"name": "wrong-hash", "base": "small-png", "edit": {"op": "sha256", "sha256": wrong_hash.hex()},
         "reason": "hash_mismatch"},
        {"name": "wrong-size", "base": "small-png", "edit": {"op": "size", "size": small_ref.size + 1},
         "reason": "size_mismatch"},
        {"name": "bad-magic", "base": "small-png", "edit": {"op": "flip", "offset": 0},
         "reason": "bad_magic"},
    ]  # fmt: skip
    return {
        "format": FORMAT,
        "vector_version": VECTOR_VERSION,
        "kind": "file-v1",
        "description": "File blobs: opening `blob` with the reference gives exactly `file`; sealing `file` "
        "with `random.file_key` and `random.stream_header` (secretstream state from init_pull over that "
        "header) reproduces `blob`. Each must-fail case applies `edit` to its base case's blob or "
        "reference (truncate to `length`; swap sealed chunks `a` and `b`, counted from 0 after the "
        f"{BLOB_HEAD_BYTES}-byte head, {SEALED_CHUNK_BYTES} bytes each; flip the bits of the byte at "
        "`offset`; replace the reference's key, sha256 or size) and must be refused with `reason`.",
        "chunk_bytes": CHUNK_BYTES,
        "sealed_chunk_bytes": SEALED_CHUNK_BYTES,
        "cases": [small, two],
        "must_fail": must_fail,
    }


# -- recipients-v1: who reads (docs/protocol.md §16) ----------------------------------------------------
def _presented_roster(version: int, prev: bytes, names: list[str]) -> Roster:
    """anna, bram (with role, introduction and availability) and cora, one laptop each."""
    base = _org_roster(version, prev, {name: [name + "-laptop"] for name in names})
    counsellors = tuple(
        dataclasses.replace(
            c,
            role="extern",
            intro=(("nl", "Ik ben Bram, extern vertrouwenspersoon."), ("en", "I am Bram.")),
            availability=(("nl", "afwezig tot 12 januari"),),
        )
        if c.display_name == "Bram"
        else c
        for c in base.counsellors
    )
    return dataclasses.replace(base, counsellors=counsellors)


def _cid(name: str) -> uuid.UUID:
    return label_uuid("counsellor/" + name)


def recipients_vectors() -> dict[str, Any]:
    org_seed = label_seed("org")
    org_pk = signing_public_key(org_seed)
    v1 = sign_roster(_presented_roster(1, ZERO_HASH, ["anna", "bram", "cora"]), org_seed)
    v2 = sign_roster(_presented_roster(2, roster_hash(v1), ["anna", "bram"]), org_seed)
    chosen = tuple(sorted([_cid("bram"), _cid("cora")]))
    reporter = label_device("reporter")
    profile = Profile("Merel", None, None, reporter.enc_pk, reporter.sign_pk, to=chosen)
    members_0 = Membership(CONV_ID, chosen, 0)
    chosen_devices = ["bram-laptop", "cora-laptop", "reporter"]
    hello, hello_env = _envelope_case(
        "hello-chosen",
        sender="reporter",
        recipients=chosen_devices,
        msg_type=MessageType.HELLO,
        payload=profile.to_payload(),
        roster_hash_value=roster_hash(v1),
    )
    request = HandoverRequest(_cid("anna"), 0)
    ask, ask_env = _envelope_case(
        "handover-request",
        sender="bram-laptop",
        recipients=chosen_devices,
        msg_type=MessageType.HANDOVER,
        payload=request.to_payload(),
        roster_hash_value=roster_hash(v1),
    )
    consent = members_0.consent_for([*chosen, _cid("anna")], request=parse_header(ask_env).msg_id)
    members_1 = members_0.apply(consent)
    yes, _ = _envelope_case(
        "consent-yes",
        sender="reporter",
        recipients=["anna-laptop", *chosen_devices],
        msg_type=MessageType.CONSENT,
        payload=consent.to_payload(),
        seq=2,
        prev_hash=envelope_hash(hello_env),
        roster_hash_value=roster_hash(v1),
    )

    def failing(name: str, **kwargs: Any) -> dict[str, Any]:
        case, _env = _envelope_case(name, roster_hash_value=roster_hash(v1), **kwargs)
        return case

    # A relay adds a stanza for anna to the chosen HELLO: every recipient's decryption fails.
    header = parse_header(hello_env)
    extra = key_id(label_device("anna-laptop").enc_pk) + bytes(80)
    stanzas = sorted(
        [hello_env[HEADER_FIXED_BYTES + i * STANZA_BYTES : HEADER_FIXED_BYTES + (i + 1) * STANZA_BYTES]
         for i in range(len(header.stanzas))] + [extra]
    )  # fmt: skip
    added = _set_n(hello_env, b"".join(stanzas))
    other_conv = Consent(label_uuid("conv/other"), 1, "yes", consent.members, members_0.digest, None)
    must_fail = [
        {
            "name": "wrapped-to-non-member",
            "rule": "stanzas",
            "roster_version": 1,
            "members": [str(m) for m in chosen],
            "reason": "wrapped_to_non_member",
            "case": failing(
                "recipients-to-non-member",
                sender="reporter",
                recipients=[*chosen_devices, "anna-laptop"],
                msg_type=MessageType.TEXT,
                payload=b"ook voor Anna",
            ),
        },
        {
            "name": "stale-member-after-roster-removal",
            "rule": "stanzas",
            "roster_version": 2,
            "members": [str(m) for m in chosen],
            "reason": "wrapped_to_non_member",
            "case": failing(
                "recipients-stale-member",
                sender="reporter",
                recipients=chosen_devices,
                msg_type=MessageType.TEXT,
                payload=b"nog aan Cora",
            ),
        },
        {
            "name": "membership-change-without-the-reporters-signature",
            "rule": "consent",
            "reason": "not_reporter",
            "state": {"members": [str(m) for m in chosen], "counter": 0},
            "case": failing(
                "recipients-consent-by-counsellor",
                sender="bram-laptop",
                recipients=["anna-laptop", *chosen_devices],
                msg_type=MessageType.CONSENT,
                payload=consent.to_payload(),
            ),
        },
        {
            "name": "replayed-older-consent",
            "rule": "consent",
            "reason": "stale_consent",
            "state": {"members": [str(m) for m in members_1.members or ()], "counter": 1},
            "case": yes,
        },
        {
            "name": "consent-for-another-conversation",
            "rule": "consent",
            "reason": "other_conversation",
            "state": {"members": [str(m) for m in chosen], "counter": 0},
            "case": failing(
                "recipients-consent-other-conversation",
                sender="reporter",
                recipients=["anna-laptop", *chosen_devices],
                msg_type=MessageType.CONSENT,
                payload=other_conv.to_payload(),
                seq=2,
                prev_hash=envelope_hash(hello_env),
            ),
        },
        {
            "name": "relay-added-stanza",
            "rule": "envelope",
            "reason": "decrypt_failed",
            "recipient": "bram-laptop",
            "envelope": added.hex(),
        },
    ]
    return {
        "format": FORMAT,
        "vector_version": VECTOR_VERSION,
        "kind": "recipients-v1",
        "description": "The reporter's choice of counsellors (HELLO key 'to'), a handover request and the "
        "reporter's consent, the set hashes, rosters with role/intro/availability, and what must fail: "
        "stanzas outside the set (also a member's device after a roster removed it), a consent not signed "
        "by the reporter's pinned key, a replayed or foreign consent, and a stanza added by the relay.",
        "now": NOW,
        "org_pk": org_pk.hex(),
        "rosters": [_roster_entry(v1, org_pk), _roster_entry(v2, org_pk)],
        "counsellor_ids": {name: str(_cid(name)) for name in ("anna", "bram", "cora")},
        "reporter": {"label": "reporter", **_keys_json(reporter)},
        "cases": [hello, ask, yes],
        "sets": [
            {"counter": 0, "members": [str(m) for m in chosen], "set_hash": members_0.digest.hex()},
            {
                "counter": 1,
                "members": [str(m) for m in members_1.members or ()],
                "set_hash": members_1.digest.hex(),
            },
        ],
        "must_fail": must_fail,
    }


def all_vectors() -> dict[str, dict[str, Any]]:
    """File name → content."""
    return {
        "envelope-v1.json": envelope_vectors(),
        "roster-v1.json": roster_vectors(),
        "request-v1.json": request_vectors(),
        "must-fail-v1.json": must_fail_vectors(),
        "file-v1.json": file_vectors(),
        "recipients-v1.json": recipients_vectors(),
    }


def render(content: dict[str, Any]) -> str:
    return json.dumps(content, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tests/protocol/vector_generator.py", description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, metavar="DIR", help="write the vector files into DIR")
    group.add_argument(
        "--check", type=Path, metavar="DIR", help="fail unless DIR holds exactly these vectors"
    )
    args = parser.parse_args(argv)
    files = {name: render(content) for name, content in all_vectors().items()}
    if args.write is not None:
        args.write.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (args.write / name).write_text(text, encoding="utf-8")
            print(f"wrote {args.write / name}")
        return 0
    stale = [name for name, text in files.items() if _read(args.check / name) != text]
    for name in stale:
        print(f"{args.check / name} differs from the generated vectors", file=sys.stderr)
    return 1 if stale else 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
