"""Keys at rest (DESIGN §5, SECURITY-TESTS 22/23) and refusal of insecure keyring backends."""

from __future__ import annotations

import base64
import secrets
import shutil
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail, null
from keyrings.alt.file import EncryptedKeyring, PlaintextKeyring

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import InvalidCredentialsError, KeyringUnavailableError
from opgelucht_desk.core.keystore import (
    MIN_MEMLIMIT,
    MIN_OPSLIMIT,
    PRODUCTION_KDF,
    TEST_KDF,
    KeySecrets,
    Keystore,
    blob_params,
    open_blob,
    require_secure_backend,
)

from .conftest import make_keyring

PASSWORD = "een heel lang wachtwoord"


def _secrets() -> KeySecrets:
    return KeySecrets(
        device_id="2f1d4a4e-7b0c-4c55-9d7c-0d5f7a1b2c3d",
        device_enc_sk=secrets.token_bytes(32),
        device_sign_seed=secrets.token_bytes(32),
        identity_seed=secrets.token_bytes(32),
        cache_key=secrets.token_bytes(32),
        org_seed=secrets.token_bytes(32),
    )


def _all_key_bytes(ks: KeySecrets) -> list[bytes]:
    assert ks.org_seed is not None
    return [ks.device_enc_sk, ks.device_sign_seed, ks.identity_seed, ks.cache_key, ks.org_seed]


def test_production_kdf_meets_the_minimum() -> None:
    assert PRODUCTION_KDF.memlimit >= 256 * 1024 * 1024 == MIN_MEMLIMIT
    assert PRODUCTION_KDF.opslimit >= 3 == MIN_OPSLIMIT
    assert PRODUCTION_KDF.meets_production_minimum
    assert not TEST_KDF.meets_production_minimum
    # A desk that does not choose otherwise protects its keys with the production cost.
    assert DeskConfig(data_dir=Path("unused")).kdf == PRODUCTION_KDF


def test_round_trip_and_parameters_travel_with_the_blob(
    tmp_path: Path, keyring_backend: EncryptedKeyring
) -> None:
    store = Keystore("opgelucht-desk:test:alice", tmp_path / "keys.bin", keyring_backend)
    ks = _secrets()
    store.store(ks, PASSWORD, TEST_KDF)
    assert store.load(PASSWORD) == ks
    assert blob_params((tmp_path / "keys.bin").read_bytes()) == TEST_KDF
    assert (tmp_path / "keys.bin").stat().st_mode & 0o077 == 0


def test_wrong_password_is_refused(tmp_path: Path, keyring_backend: EncryptedKeyring) -> None:
    store = Keystore("opgelucht-desk:test:alice", tmp_path / "keys.bin", keyring_backend)
    store.store(_secrets(), PASSWORD, TEST_KDF)
    with pytest.raises(InvalidCredentialsError):
        store.load("een heel lang wachtwoorD")


def test_thief_with_data_dir_and_keyring_entry_but_no_password_cannot_decrypt(
    tmp_path: Path, keyring_backend: EncryptedKeyring
) -> None:
    """SECURITY-TESTS 23: a copy of the data directory plus the keyring entry is not enough."""
    data_dir = tmp_path / "data"
    store = Keystore("opgelucht-desk:test:alice", data_dir / "keys.bin", keyring_backend)
    ks = _secrets()
    store.store(ks, PASSWORD, TEST_KDF)
    loot = tmp_path / "loot"
    shutil.copytree(data_dir, loot)
    entry = keyring_backend.get_password("opgelucht-desk:test:alice", "blob-secret")
    assert entry is not None
    stolen_secret = base64.b64decode(entry)
    blob = (loot / "keys.bin").read_bytes()
    for key in _all_key_bytes(ks):
        for f in loot.rglob("*"):
            assert key not in f.read_bytes()
        assert key not in stolen_secret
    for guess in ("", "password", PASSWORD.upper(), entry):
        with pytest.raises(InvalidCredentialsError):
            open_blob(blob, stolen_secret, guess)
    # And the password alone, without the keyring entry, is not enough either.
    with pytest.raises(InvalidCredentialsError):
        open_blob(blob, secrets.token_bytes(32), PASSWORD)
    assert open_blob(blob, stolen_secret, PASSWORD) == ks


def test_wipe_removes_keyring_entries_and_blob(tmp_path: Path, keyring_backend: EncryptedKeyring) -> None:
    store = Keystore("opgelucht-desk:test:alice", tmp_path / "keys.bin", keyring_backend)
    store.store(_secrets(), PASSWORD, TEST_KDF)
    store.save_session_token("token")
    assert store.entries() == ["blob-secret", "session-token"]
    store.wipe()
    assert store.entries() == []
    assert not (tmp_path / "keys.bin").exists()


class _OnlyPlaintext(chainer.ChainerBackend):
    backends = (PlaintextKeyring(),)


class _OnlyDevelopmentKeyrings(chainer.ChainerBackend):
    backends = (EncryptedKeyring(), PlaintextKeyring())


@pytest.mark.parametrize(
    "insecure",
    [PlaintextKeyring(), fail.Keyring(), null.Keyring(), _OnlyPlaintext()],  # type: ignore[no-untyped-call]
    ids=["plaintext", "fail", "null", "chainer-of-plaintext"],
)
def test_insecure_backends_are_refused_with_the_fix(insecure: keyring.backend.KeyringBackend) -> None:
    with pytest.raises(KeyringUnavailableError) as err:
        require_secure_backend(insecure)
    assert "gnome-keyring" in str(err.value) or "Keychain" in str(err.value) or "Credential" in str(err.value)


def test_development_keyrings_are_never_picked_up_silently(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's automatic choice may be a chainer of keyrings.alt backends merely because that
    package is installed: refused. Passing the encrypted one explicitly (as tests do) is allowed."""
    monkeypatch.setattr(keyring, "get_keyring", _OnlyDevelopmentKeyrings)
    with pytest.raises(KeyringUnavailableError, match="keyring"):
        require_secure_backend(None)
    explicit = EncryptedKeyring()
    assert require_secure_backend(explicit) is explicit


async def test_desk_open_refuses_an_insecure_keyring(tmp_path: Path) -> None:
    with pytest.raises(KeyringUnavailableError):
        await Desk.open(DeskConfig(data_dir=tmp_path, keyring_backend=PlaintextKeyring()))


def test_make_keyring_is_a_real_encrypted_file(tmp_path: Path) -> None:
    backend = make_keyring(tmp_path)
    backend.set_password("svc", "user", "s3cret-value")
    assert b"s3cret-value" not in (tmp_path / "keyring.cfg").read_bytes()
    assert make_keyring(tmp_path).get_password("svc", "user") == "s3cret-value"
