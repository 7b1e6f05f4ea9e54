"""Secrets at rest: the OS keyring plus one password-protected key blob (DESIGN §5 "Keys at rest").

The keyring holds, per relay + account (one keyring *service* each): a random 32-byte blob secret and
the session token. The device's private keys, the counsellor identity key, the org signing key (org
admins only) and the local-cache key live in ONE encrypted blob file in the data directory. Its key is
``BLAKE2b(key=blob_secret, Argon2id(password, salt))``: a thief needs the keyring entry (the user's
logged-in session) *and* the password. The Argon2id parameters are stored with the blob, so tests may
use a cheap profile while production uses :data:`PRODUCTION_KDF` (≥ 256 MiB, t = 3).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
import nacl.bindings
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.pwhash.argon2id
from keyring.backend import KeyringBackend

from opgelucht_desk.core.errors import InvalidCredentialsError, KeyringUnavailableError
from opgelucht_desk.protocol.encoding import b64d, b64e

MIN_MEMLIMIT = 256 * 1024 * 1024
MIN_OPSLIMIT = 3

_BLOB_MAGIC = b"OPGK1"
_HEADER = struct.Struct(">5sIQ16s24s")  # magic, opslimit, memlimit, salt, nonce
_SECRET_ENTRY = "blob-secret"  # noqa: S105 - a keyring entry name, not a secret
_SESSION_ENTRY = "session-token"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost of the key blob."""

    opslimit: int
    memlimit: int

    @property
    def meets_production_minimum(self) -> bool:
        return self.opslimit >= MIN_OPSLIMIT and self.memlimit >= MIN_MEMLIMIT


PRODUCTION_KDF = KdfParams(opslimit=MIN_OPSLIMIT, memlimit=MIN_MEMLIMIT)
# Only for tests and benchmarks: the parameters travel with the blob, so this never weakens a real one.
TEST_KDF = KdfParams(opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN, memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN)


@dataclass(frozen=True)
class KeySecrets:
    """Everything the blob protects. Raw key bytes; never logged, never written unencrypted."""

    device_id: str
    device_enc_sk: bytes
    device_sign_seed: bytes
    identity_seed: bytes
    cache_key: bytes
    org_seed: bytes | None = None

    def to_bytes(self) -> bytes:
        def enc(b: bytes | None) -> str | None:
            return None if b is None else b64e(b)

        return json.dumps(
            {
                "device_id": self.device_id,
                "device_enc_sk": enc(self.device_enc_sk),
                "device_sign_seed": enc(self.device_sign_seed),
                "identity_seed": enc(self.identity_seed),
                "cache_key": enc(self.cache_key),
                "org_seed": enc(self.org_seed),
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> KeySecrets:
        raw = json.loads(data)
        org = raw.get("org_seed")
        return cls(
            device_id=raw["device_id"],
            device_enc_sk=b64d(raw["device_enc_sk"]),
            device_sign_seed=b64d(raw["device_sign_seed"]),
            identity_seed=b64d(raw["identity_seed"]),
            cache_key=b64d(raw["cache_key"]),
            org_seed=None if org is None else b64d(org),
        )


def _is_plaintext_file_keyring(backend: KeyringBackend) -> bool:
    try:
        from keyrings.alt.file import PlaintextKeyring
    except ImportError:  # pragma: no cover - keyrings.alt is only installed for development
        return False
    return isinstance(backend, PlaintextKeyring)


def _insecure_reason(backend: KeyringBackend, *, explicit: bool) -> str | None:
    """Why ``backend`` must not hold secrets, or None when it is acceptable.

    keyrings.alt's file keyrings are never taken from the system's automatic choice (they would be
    picked up silently just because the package is installed); a caller may pass the encrypted one
    explicitly (the tests do). Its plain-text keyring is refused even then.
    """
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return "no keyring backend is available"
    if _is_plaintext_file_keyring(backend):
        return "the only keyring available stores secrets in a plain-text file"
    if not explicit and type(backend).__module__.startswith("keyrings.alt"):
        return "only a file-based development keyring (keyrings.alt) is available"
    if isinstance(backend, chainer.ChainerBackend):
        usable = [b for b in backend.backends if _insecure_reason(b, explicit=False) is None]
        if not usable:
            return "no secure keyring backend is available"
    return None


def _fix_hint() -> str:
    if sys.platform.startswith("win"):
        return "Use a Windows account with the Credential Manager enabled."
    if sys.platform == "darwin":
        return "Unlock the macOS login Keychain (Keychain Access) and try again."
    return (
        "Install and start a Secret Service keyring, e.g. GNOME Keyring (`sudo apt install gnome-keyring`) "
        "or KWallet, and log in to a desktop session so that it is unlocked."
    )


def require_secure_backend(backend: KeyringBackend | None = None) -> KeyringBackend:
    """Return ``backend`` (default: the system's automatic choice) or raise
    :class:`KeyringUnavailableError` whose message names the fix."""
    chosen = backend if backend is not None else keyring.get_keyring()
    reason = _insecure_reason(chosen, explicit=backend is not None)
    if reason is not None:
        raise KeyringUnavailableError(f"Opgelucht Desk cannot store its keys safely: {reason}. {_fix_hint()}")
    return chosen


def service_name(base: str, relay_url: str, username: str) -> str:
    """One keyring service per relay + account."""
    return f"{base}:{relay_url.rstrip('/')}:{username}"


class Keystore:
    """Keyring entries of one account plus the password-protected key blob file."""

    def __init__(self, service: str, blob_path: Path, backend: KeyringBackend | None = None) -> None:
        self.service = service
        self.blob_path = blob_path
        self._backend = require_secure_backend(backend)

    # -- keyring entries ------------------------------------------------------------------------------
    def _get(self, entry: str) -> str | None:
        try:
            return self._backend.get_password(self.service, entry)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(f"The keyring refused access: {exc}. {_fix_hint()}") from None

    def _set(self, entry: str, value: str) -> None:
        try:
            self._backend.set_password(self.service, entry, value)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(
                f"The keyring refused to store a secret: {exc}. {_fix_hint()}"
            ) from None

    def _delete(self, entry: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self._backend.delete_password(self.service, entry)

    def entries(self) -> list[str]:
        """Names of the keyring entries this account has (for the "what is stored" view)."""
        return [e for e in (_SECRET_ENTRY, _SESSION_ENTRY) if self._get(e) is not None]

    @property
    def session_token(self) -> str | None:
        return self._get(_SESSION_ENTRY)

    def save_session_token(self, token: str) -> None:
        self._set(_SESSION_ENTRY, token)

    def clear_session_token(self) -> None:
        self._delete(_SESSION_ENTRY)

    # -- key blob ------------------------------------------------------------------------------------
    def store(self, key_secrets: KeySecrets, password: str, kdf: KdfParams = PRODUCTION_KDF) -> bytes:
        """Encrypt and write the blob (slow: Argon2id; call it in a thread). Creates the keyring secret.
        Returns the blob key (kept in memory while unlocked, for :meth:`reseal`)."""
        secret_b64 = self._get(_SECRET_ENTRY)
        if secret_b64 is None:
            secret_b64 = b64e(secrets.token_bytes(32))
            self._set(_SECRET_ENTRY, secret_b64)
        salt = secrets.token_bytes(nacl.pwhash.argon2id.SALTBYTES)
        key = _blob_key(b64d(secret_b64), password, salt, kdf)
        self._write(key_secrets, key, salt, kdf)
        return key

    def reseal(self, key_secrets: KeySecrets, key: bytes) -> None:
        """Rewrite the blob with changed secrets under the same password (the blob key from
        :meth:`store` or :meth:`unlock`, same salt and cost, a fresh nonce). Fast: no Argon2id."""
        blob = self.blob_path.read_bytes()
        _, ops, mem, salt, _ = _HEADER.unpack_from(blob)
        open_blob_with_key(blob, key)  # the key must open the current blob: never lock the user out
        self._write(key_secrets, key, salt, KdfParams(ops, mem))

    def _write(self, key_secrets: KeySecrets, key: bytes, salt: bytes, kdf: KdfParams) -> None:
        nonce = secrets.token_bytes(24)
        header = _HEADER.pack(_BLOB_MAGIC, kdf.opslimit, kdf.memlimit, salt, nonce)
        ct = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
            key_secrets.to_bytes(), header, nonce, key
        )
        self.blob_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.blob_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + ct)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.blob_path)

    def load(self, password: str) -> KeySecrets:
        """Decrypt the blob (slow: Argon2id; call it in a thread); a wrong password raises.

        Raises InvalidCredentialsError for a wrong password."""
        return self.unlock(password)[0]

    def unlock(self, password: str) -> tuple[KeySecrets, bytes]:
        """As :meth:`load`, plus the blob key (for :meth:`reseal` while unlocked)."""
        secret_b64 = self._get(_SECRET_ENTRY)
        if secret_b64 is None or not self.blob_path.exists():
            raise KeyringUnavailableError(
                "The keys of this installation are missing from the keyring or the data directory; "
                "sign out and enrol this computer again."
            )
        blob = self.blob_path.read_bytes()
        if len(blob) < _HEADER.size + 16:
            raise InvalidCredentialsError("The key file is damaged.")
        _, ops, mem, salt, _ = _HEADER.unpack_from(blob)
        key = _blob_key(b64d(secret_b64), password, salt, KdfParams(ops, mem))
        return open_blob_with_key(blob, key), key

    def wipe(self) -> None:
        """Delete the keyring entries and the blob file (sign-out of this installation)."""
        self._delete(_SECRET_ENTRY)
        self._delete(_SESSION_ENTRY)
        self.blob_path.unlink(missing_ok=True)


def blob_params(blob: bytes) -> KdfParams:
    """The Argon2id parameters a blob was made with."""
    _, ops, mem, _, _ = _HEADER.unpack_from(blob)
    return KdfParams(opslimit=ops, memlimit=mem)


def open_blob(blob: bytes, blob_secret: bytes, password: str) -> KeySecrets:
    """Decrypt a key blob with the keyring secret and the password."""
    if len(blob) < _HEADER.size + 16:
        raise InvalidCredentialsError("The key file is damaged.")
    _, ops, mem, salt, _ = _HEADER.unpack_from(blob)
    return open_blob_with_key(blob, _blob_key(blob_secret, password, salt, KdfParams(ops, mem)))


def open_blob_with_key(blob: bytes, key: bytes) -> KeySecrets:
    """Decrypt a key blob with its (already derived) blob key."""
    if len(blob) < _HEADER.size + 16:
        raise InvalidCredentialsError("The key file is damaged.")
    magic, _, _, _, nonce = _HEADER.unpack_from(blob)
    if magic != _BLOB_MAGIC:
        raise InvalidCredentialsError("The key file is damaged.")
    try:
        plain = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            blob[_HEADER.size :], blob[: _HEADER.size], nonce, key
        )
    except nacl.exceptions.CryptoError:
        raise InvalidCredentialsError("Wrong password.") from None
    return KeySecrets.from_bytes(plain)


def _blob_key(blob_secret: bytes, password: str, salt: bytes, kdf: KdfParams) -> bytes:
    stretched = nacl.pwhash.argon2id.kdf(
        32, password.encode(), salt, opslimit=kdf.opslimit, memlimit=kdf.memlimit
    )
    return nacl.hash.blake2b(
        stretched, key=blob_secret, person=b"opg-keyblob-v1", digest_size=32, encoder=nacl.encoding.RawEncoder
    )
