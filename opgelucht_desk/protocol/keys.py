"""Device key pairs, key ids, fingerprints and the Signal-style safety number."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import nacl.bindings as sodium

from .encoding import PERSON_FINGERPRINT, blake2b_256
from .rng import Rng, resolve

ENC_PK_BYTES = 32
ENC_SK_BYTES = 32
KEY_ID_BYTES = 8
SAFETY_NUMBER_ITERATIONS = 5200
SAFETY_NUMBER_VERSION = 0


def generate_signing_seed(rng: Rng | None = None) -> bytes:
    """A fresh 32-byte Ed25519 seed."""
    return resolve(rng)(32)


def signing_public_key(seed: bytes) -> bytes:
    """The Ed25519 public key (32 bytes) of a seed."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    pk, _sk = sodium.crypto_sign_seed_keypair(seed)
    return bytes(pk)


def encryption_public_key(enc_sk: bytes) -> bytes:
    """The X25519 public key of a secret key (`crypto_scalarmult_base`)."""
    if len(enc_sk) != ENC_SK_BYTES:
        raise ValueError("an X25519 secret key is 32 bytes")
    return bytes(sodium.crypto_scalarmult_base(enc_sk))


@dataclass(frozen=True)
class PublicDeviceKeys:
    """The public half of a device: X25519 encryption key and Ed25519 signing key."""

    enc_pk: bytes
    sign_pk: bytes

    def __post_init__(self) -> None:
        if len(self.enc_pk) != ENC_PK_BYTES or len(self.sign_pk) != 32:
            raise ValueError("device public keys are 32 bytes each")


@dataclass(frozen=True)
class DeviceKeys:
    """A device's private keys: X25519 secret key and Ed25519 seed (32 bytes each)."""

    enc_sk: bytes
    sign_seed: bytes

    def __post_init__(self) -> None:
        if len(self.enc_sk) != ENC_SK_BYTES or len(self.sign_seed) != 32:
            raise ValueError("device private keys are 32 bytes each")

    def __repr__(self) -> str:  # never show key bytes
        return f"DeviceKeys(enc_pk={self.enc_pk.hex()[:16]}…)"

    @classmethod
    def generate(cls, rng: Rng | None = None) -> DeviceKeys:
        source = resolve(rng)
        return cls(enc_sk=source(ENC_SK_BYTES), sign_seed=source(32))

    @functools.cached_property
    def enc_pk(self) -> bytes:
        return encryption_public_key(self.enc_sk)

    @functools.cached_property
    def sign_pk(self) -> bytes:
        return signing_public_key(self.sign_seed)

    @property
    def public(self) -> PublicDeviceKeys:
        return PublicDeviceKeys(enc_pk=self.enc_pk, sign_pk=self.sign_pk)

    def to_bytes(self) -> bytes:
        """64 bytes: `enc_sk | sign_seed`."""
        return self.enc_sk + self.sign_seed

    @classmethod
    def from_bytes(cls, data: bytes) -> DeviceKeys:
        if len(data) != ENC_SK_BYTES + 32:
            raise ValueError("serialised device keys are 64 bytes")
        return cls(enc_sk=bytes(data[:32]), sign_seed=bytes(data[32:]))


def key_id(enc_pk: bytes) -> bytes:
    """8-byte stanza key id: the first 8 bytes of unkeyed, unpersonalised BLAKE2b-256(X25519 pk)."""
    if len(enc_pk) != ENC_PK_BYTES:
        raise ValueError("an X25519 public key is 32 bytes")
    return blake2b_256(enc_pk)[:KEY_ID_BYTES]


def fingerprint(pk: bytes) -> bytes:
    """32-byte fingerprint of a public key: BLAKE2b-256(pk, person="opg/fpr/v1")."""
    if len(pk) != 32:
        raise ValueError("public keys are 32 bytes")
    return blake2b_256(pk, PERSON_FINGERPRINT)


def qr_fingerprint(pk: bytes) -> str:
    """The QR code's pin: the first 16 bytes (128 bits) of `fingerprint(pk)` as lower-case hex."""
    return fingerprint(pk)[:16].hex()


def safety_number(pk: bytes) -> str:
    """Signal-style 60-digit numeric fingerprint in 12 groups of 5 digits, separated by spaces.

    h = SHA-512(u16 BE version 0 | pk | "opg/safety/v1"); then 5200 times h = SHA-512(h | pk). The first
    60 bytes of h are cut into 12 chunks of 5 bytes; each chunk, read as a big-endian integer mod 100000,
    gives 5 decimal digits (zero-padded).
    """
    if len(pk) != 32:
        raise ValueError("public keys are 32 bytes")
    digest = hashlib.sha512(SAFETY_NUMBER_VERSION.to_bytes(2, "big") + pk + b"opg/safety/v1").digest()
    for _ in range(SAFETY_NUMBER_ITERATIONS):
        digest = hashlib.sha512(digest + pk).digest()
    groups = [int.from_bytes(digest[i : i + 5], "big") % 100000 for i in range(0, 60, 5)]
    return " ".join(f"{group:05d}" for group in groups)
