"""Offline key backups (DESIGN §2): one signing seed in a file encrypted with a passphrase.

Used for the org signing key (``kind`` ``org_key``, the org admin's offline backup) and for a
counsellor's identity key (``kind`` ``identity_key``, to add a further computer). The format is in
docs/desktop-core.md ("Key backup files"): JSON with the public header (kind, org, public key, Argon2id
parameters and salt, nonce) and the XChaCha20-Poly1305 ciphertext of the seed, whose associated data is
the canonical header, so changing any header field (e.g. lowering the cost) makes the file fail to open.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.bindings
import nacl.exceptions
import nacl.pwhash.argon2id

from opgelucht_desk.core.errors import BackupError
from opgelucht_desk.core.keystore import KdfParams
from opgelucht_desk.protocol.encoding import b64d_len, b64e
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import signing_public_key

FORMAT = "opgelucht-key-backup"
VERSION = 1
KIND_ORG_KEY = "org_key"
KIND_IDENTITY_KEY = "identity_key"
KINDS = (KIND_ORG_KEY, KIND_IDENTITY_KEY)
MIN_PASSPHRASE_CHARS = 12
# A file may not make the importer spend more than this (a tampered header would only fail later).
MAX_MEMLIMIT = 4 * 1024 * 1024 * 1024
MAX_OPSLIMIT = 64


@dataclass(frozen=True)
class KeyBackup:
    """A decrypted backup: the seed and its public, authenticated header fields."""

    kind: str
    org_id: str
    seed: bytes
    meta: dict[str, str]  # kind-specific public fields (identity_key: counsellor_id, username, org_key)

    @property
    def public_key(self) -> bytes:
        return signing_public_key(self.seed)


def _unb64(text: object, length: int) -> bytes:
    try:
        return b64d_len(text, length, "backup field")
    except ProtocolError:
        raise BackupError("This is not an Opgelucht key backup file.") from None


def _associated_data(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _key(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        32, passphrase.encode(), salt, opslimit=kdf.opslimit, memlimit=kdf.memlimit
    )


def encrypt_backup(backup: KeyBackup, passphrase: str, kdf: KdfParams) -> bytes:
    """The backup file's bytes (slow: Argon2id; call it in a thread)."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise BackupError(
            f"Choose a passphrase of at least {MIN_PASSPHRASE_CHARS} characters.", "short_passphrase"
        )
    if backup.kind not in KINDS:
        raise ValueError(f"unknown backup kind {backup.kind!r}")
    salt = secrets.token_bytes(nacl.pwhash.argon2id.SALTBYTES)
    nonce = secrets.token_bytes(24)
    header: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "kind": backup.kind,
        "org_id": backup.org_id,
        "public_key": b64e(backup.public_key),
        "meta": dict(backup.meta),
        "kdf": {"alg": "argon2id13", "opslimit": kdf.opslimit, "memlimit": kdf.memlimit, "salt": b64e(salt)},
        "aead": {"alg": "xchacha20poly1305-ietf", "nonce": b64e(nonce)},
    }
    ciphertext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        backup.seed, _associated_data(header), nonce, _key(passphrase, salt, kdf)
    )
    return json.dumps({**header, "ciphertext": b64e(ciphertext)}, indent=2).encode()


def decrypt_backup(data: bytes, passphrase: str) -> KeyBackup:
    """Open a backup file's bytes (slow: Argon2id; call it in a thread). Raises BackupError."""
    try:
        raw = json.loads(data)
        header = {k: v for k, v in raw.items() if k != "ciphertext"}
        ok = raw["format"] == FORMAT and raw["version"] == VERSION and raw["kind"] in KINDS
        kdf_raw, aead = raw["kdf"], raw["aead"]
        kdf = KdfParams(opslimit=int(kdf_raw["opslimit"]), memlimit=int(kdf_raw["memlimit"]))
        ok = ok and kdf_raw["alg"] == "argon2id13" and aead["alg"] == "xchacha20poly1305-ietf"
        meta = raw["meta"]
        ok = ok and isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())
        ok = ok and isinstance(raw["org_id"], str)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupError("This is not an Opgelucht key backup file.") from None
    if not ok:
        raise BackupError("This is not an Opgelucht key backup file (or of a newer, unknown version).")
    if not (
        nacl.pwhash.argon2id.OPSLIMIT_MIN <= kdf.opslimit <= MAX_OPSLIMIT
        and nacl.pwhash.argon2id.MEMLIMIT_MIN <= kdf.memlimit <= MAX_MEMLIMIT
    ):
        raise BackupError("The backup file is damaged (impossible key derivation parameters).", "damaged")
    salt = _unb64(kdf_raw["salt"], nacl.pwhash.argon2id.SALTBYTES)
    nonce = _unb64(aead["nonce"], 24)
    public_key = _unb64(raw["public_key"], 32)
    ciphertext = _unb64(raw["ciphertext"], 32 + 16)
    try:
        seed = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            ciphertext, _associated_data(header), nonce, _key(passphrase, salt, kdf)
        )
    except nacl.exceptions.CryptoError:
        raise BackupError(
            "Wrong passphrase, or the backup file has been changed.", "wrong_passphrase"
        ) from None
    if signing_public_key(seed) != public_key:  # cannot happen unless the writer was broken
        raise BackupError("The backup file is damaged.", "damaged")
    return KeyBackup(kind=str(raw["kind"]), org_id=raw["org_id"], seed=seed, meta=dict(meta))


def write_backup(path: Path, backup: KeyBackup, passphrase: str, kdf: KdfParams) -> None:
    """Encrypt and write atomically (mode 0600). Slow: call it in a thread."""
    data = encrypt_backup(backup, passphrase, kdf)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_backup(path: Path, passphrase: str, kind: str) -> KeyBackup:
    """Read and open a backup of ``kind``. Slow: call it in a thread. Raises BackupError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BackupError(f"The backup file cannot be read: {exc.strerror or exc}.", "unreadable") from None
    backup = decrypt_backup(data, passphrase)
    if backup.kind != kind:
        wanted = "organisation key" if kind == KIND_ORG_KEY else "identity key"
        raise BackupError(f"This backup file does not hold an {wanted}.", "wrong_kind")
    return backup
