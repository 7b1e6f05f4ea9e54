"""Offline key backups (DESIGN §2) and a further computer of the same counsellor, against the real
in-process relay: the org key survives the loss of the admin's computer, a second desktop gets the old
threads once the admin lists it, and a wrong passphrase or an altered file is a clear error."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import nacl.pwhash.argon2id
import pytest
from kit.reporter import CANARY_TEXT, Reporter

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import BackupError, DeskError, NotAllowedError
from opgelucht_desk.core.keystore import TEST_KDF, KdfParams
from opgelucht_desk.core.model import DeskState
from opgelucht_desk.core.org_backup import (
    KIND_ORG_KEY,
    KeyBackup,
    decrypt_backup,
    encrypt_backup,
    read_backup,
)
from opgelucht_desk.protocol.keys import generate_signing_seed
from opgelucht_relay.clock import ManualClock

from .desks import PASSWORD, EnrolledDesk

PASSPHRASE = "correct horse battery staple"


async def _further_computer(
    admin: EnrolledDesk, desk_config: Callable[[str], DeskConfig], clock: ManualClock, tmp_path: Path
) -> Desk:
    backup = tmp_path / "identity.opgbackup"
    await admin.desk.export_identity_backup(backup, PASSPHRASE)
    laptop = await Desk.open(desk_config("laptop"))
    await laptop.enrol_further_computer(backup, PASSPHRASE, PASSWORD, admin.totp(clock))
    return laptop


async def test_a_further_computer_gets_the_old_threads_once_listed(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    desk_config: Callable[[str], DeskConfig],
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    laptop = await _further_computer(admin_desk, desk_config, clock, tmp_path)
    try:
        assert laptop.state == DeskState.UNLOCKED
        assert laptop.account is not None and desk.account is not None
        assert laptop.account.safety_number == desk.account.safety_number  # the same identity key
        await laptop.sync_now()
        [conv] = laptop.conversations()
        assert CANARY_TEXT not in [m.text for m in laptop.messages(conv.conv_id)]  # not shared yet
        await desk.publish_roster()  # the admin lists the new device (signed by the identity key)
        assert [c.devices for c in await desk.counsellors()] == [2]
        assert await desk.share_conversations_with_new_devices() >= 1
        await laptop.sync_now()
        assert [m.text for m in laptop.messages(reporter.conv_id)] == [CANARY_TEXT]
        await laptop.reply(reporter.conv_id, "Vanaf mijn laptop.")
        await laptop.flush_outbox()
        assert await reporter.replies() == [("Vanaf mijn laptop.", "Anna Admin")]
        # The same identity backup cannot enrol a computer that is already enrolled.
        with pytest.raises(DeskError, match="already enrolled"):
            await laptop.enrol_further_computer(tmp_path / "identity.opgbackup", PASSPHRASE, PASSWORD, "0")
    finally:
        await laptop.close()


async def test_the_org_key_backup_restores_the_admin_on_a_new_installation(
    admin_desk: EnrolledDesk, desk_config: Callable[[str], DeskConfig], clock: ManualClock, tmp_path: Path
) -> None:
    org_backup = tmp_path / "org-key.opgbackup"
    await admin_desk.desk.export_org_key_backup(org_backup, PASSPHRASE)
    assert PASSPHRASE not in org_backup.read_text() and org_backup.stat().st_mode & 0o077 == 0
    laptop = await _further_computer(admin_desk, desk_config, clock, tmp_path)
    try:
        with pytest.raises(NotAllowedError):  # the new installation has no org key yet
            await laptop.publish_roster()
        with pytest.raises(BackupError, match="Wrong passphrase"):
            await laptop.import_org_key_backup(org_backup, "not the passphrase at all")
        await laptop.import_org_key_backup(org_backup, PASSPHRASE)
        assert await laptop.publish_roster() == 2
        # Kept in the password-protected key blob: still there after locking and logging in again.
        await laptop.lock()
        await laptop.login(PASSWORD, admin_desk.totp(clock))
        assert await laptop.publish_roster() == 3
    finally:
        await laptop.close()


async def test_an_org_key_backup_of_another_key_is_refused(admin_desk: EnrolledDesk, tmp_path: Path) -> None:
    desk = admin_desk.desk
    assert desk.account is not None
    other = tmp_path / "other.opgbackup"
    backup = KeyBackup(KIND_ORG_KEY, str(desk.account.org_id), generate_signing_seed(), {})
    other.write_bytes(encrypt_backup(backup, PASSPHRASE, TEST_KDF))
    with pytest.raises(BackupError, match="another organisation key"):
        await desk.import_org_key_backup(other, PASSPHRASE)
    identity = tmp_path / "identity.opgbackup"
    await desk.export_identity_backup(identity, PASSPHRASE)
    with pytest.raises(BackupError, match="does not hold an organisation key"):
        await desk.import_org_key_backup(identity, PASSPHRASE)


def _flip(text: str) -> str:
    data = bytearray(base64.b64decode(text))
    data[5] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


def _backup_file() -> tuple[bytes, bytes]:
    seed = generate_signing_seed()
    return seed, encrypt_backup(KeyBackup(KIND_ORG_KEY, "org", seed, {}), PASSPHRASE, TEST_KDF)


def test_backup_round_trip_and_its_parameters() -> None:
    seed, data = _backup_file()
    raw = json.loads(data)
    assert raw["kdf"]["opslimit"] == TEST_KDF.opslimit and raw["kdf"]["memlimit"] == TEST_KDF.memlimit
    assert seed.hex() not in data.decode()
    assert decrypt_backup(data, PASSPHRASE).seed == seed


@pytest.mark.parametrize(
    "tamper",
    [
        lambda raw: raw.update(ciphertext=_flip(raw["ciphertext"])),
        lambda raw: raw["kdf"].update(opslimit=raw["kdf"]["opslimit"] + 1),  # header is authenticated
        lambda raw: raw.update(org_id="another org"),
        lambda raw: raw.update(public_key="A" * 43 + "="),
    ],
)
def test_a_tampered_backup_is_a_clear_error(tamper: Callable[[dict[str, object]], None]) -> None:
    _seed, data = _backup_file()
    raw = json.loads(data)
    tamper(raw)
    with pytest.raises(BackupError, match="Wrong passphrase, or the backup file has been changed"):
        decrypt_backup(json.dumps(raw).encode(), PASSPHRASE)


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[]", b'{"format": "opgelucht-key-backup"}'],
)
def test_a_file_that_is_no_backup_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(BackupError, match="not an Opgelucht key backup"):
        decrypt_backup(data, PASSPHRASE)


def test_impossible_cost_and_short_passphrases_are_refused(tmp_path: Path) -> None:
    _seed, data = _backup_file()
    raw = json.loads(data)
    raw["kdf"]["memlimit"] = 2**45  # would make the importer allocate 32 TiB
    with pytest.raises(BackupError, match="damaged"):
        decrypt_backup(json.dumps(raw).encode(), PASSPHRASE)
    with pytest.raises(BackupError, match="at least 12"):
        encrypt_backup(KeyBackup(KIND_ORG_KEY, "org", generate_signing_seed(), {}), "short", TEST_KDF)
    with pytest.raises(BackupError, match="cannot be read"):
        read_backup(tmp_path / "missing.opgbackup", PASSPHRASE, KIND_ORG_KEY)


def test_production_cost_is_at_least_256_mib_and_three_passes() -> None:
    from opgelucht_desk.core.keystore import PRODUCTION_KDF

    assert KdfParams(opslimit=3, memlimit=256 * 1024 * 1024) == PRODUCTION_KDF
    assert PRODUCTION_KDF.memlimit >= nacl.pwhash.argon2id.MEMLIMIT_MIN
