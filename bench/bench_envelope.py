"""Envelope throughput: seal/open per second for 1 KiB messages to 3 recipients, next to raw PyNaCl
SecretBox on the same plaintext. Writes the "## Envelope" section of docs/benchmarks.md.

    .venv/bin/python bench/bench_envelope.py [--seconds 2] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
import uuid
from collections.abc import Callable

import nacl.bindings as sodium
import nacl.secret
import nacl.utils
from benchreport import machine, write_section

from opgelucht_desk.protocol import (
    ZERO_HASH,
    DeviceKeys,
    MessageType,
    open_message,
    open_with_content_key,
    seal_message,
)

PAYLOAD = os.urandom(1024)
OPEN = "open (unwrap stanza + decrypt + verify)"
CACHED = "open with cached content key"


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second over at least `seconds` of wall-clock time."""
    operation()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            operation()
        count += 50
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = parser.parse_args()

    sender, *others = (DeviceKeys.generate() for _ in range(3))
    recipients = [sender.enc_pk] + [k.enc_pk for k in others]
    conv_id = uuid.uuid4()

    def seal() -> bytes:
        return seal_message(
            conv_id=conv_id, msg_id=uuid.uuid4(), roster_version=1, sender=sender, seq=1,
            msg_type=MessageType.TEXT, prev_hash=ZERO_HASH, roster_hash=ZERO_HASH, payload=PAYLOAD,
            recipients=recipients,
        )  # fmt: skip

    envelope = seal()
    content_key = open_message(envelope, keys=others[0], expected_conv_id=conv_id).content_key
    box = nacl.secret.SecretBox(nacl.utils.random(32))
    boxed = box.encrypt(PAYLOAD)
    # The same primitives called directly, without parsing, padding checks or Python objects.
    recipient = others[0]
    wrap = sodium.crypto_box_seal(content_key, recipient.enc_pk)
    nonce, ad = nacl.utils.random(24), nacl.utils.random(32)
    inner = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(bytes(1280), ad, nonce, content_key)
    signed = sodium.crypto_sign(PAYLOAD + bytes(140), sodium.crypto_sign_seed_keypair(sender.sign_seed)[1])

    def raw_open(with_unwrap: bool) -> None:
        if with_unwrap:
            sodium.crypto_box_seal_open(wrap, recipient.enc_pk, recipient.enc_sk)
        sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(inner, ad, nonce, content_key)
        sodium.crypto_sign_open(signed, sender.sign_pk)

    results = {
        "seal (1 KiB, 3 recipients)": rate(seal, args.seconds),
        OPEN: rate(lambda: open_message(envelope, keys=others[0], expected_conv_id=conv_id), args.seconds),
        CACHED: rate(
            lambda: open_with_content_key(envelope, content_key, expected_conv_id=conv_id), args.seconds
        ),
        "raw libsodium: unwrap + decrypt + verify": rate(lambda: raw_open(True), args.seconds),
        "raw libsodium: decrypt + verify": rate(lambda: raw_open(False), args.seconds),
        "raw SecretBox encrypt (1 KiB)": rate(lambda: box.encrypt(PAYLOAD), args.seconds),
        "raw SecretBox decrypt (1 KiB)": rate(lambda: box.decrypt(boxed), args.seconds),
    }
    lines = [
        "## Envelope",
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC with "
        f"`.venv/bin/python bench/bench_envelope.py` ({args.seconds:g} s per row, single thread).",
        f"Machine: {machine()}.",
        f"Envelope size for this message: {len(envelope)} bytes.",
        "",
        "| operation | per second | µs each |",
        "|---|---:|---:|",
        *(f"| {name} | {value:,.0f} | {1e6 / value:,.1f} |" for name, value in results.items()),
        "",
        f"Open vs the same libsodium calls made directly: "
        f"{results['raw libsodium: unwrap + decrypt + verify'] / results[OPEN]:.2f}x slower; "
        f"with a cached content key: "
        f"{results['raw libsodium: decrypt + verify'] / results[CACHED]:.2f}x slower (target: within 2x).",
        "",
        "Opening costs one X25519 (sealed-box unwrap), one XChaCha20-Poly1305 decryption of the padded",
        "inner part (1 KiB pads to 1280 bytes) and one Ed25519 verification. Raw SecretBox does none of",
        "the public-key work, so it is only an upper bound; the desktop caches content keys, so re-opening a",
        "stored message costs the 'cached content key' row (decrypt + signature check).",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    write_section("Envelope", section)


if __name__ == "__main__":
    main()
