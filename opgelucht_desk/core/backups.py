"""Key backups of an unlocked desk (docs/desktop-core.md "Key backups"): export and import the org
signing key, export the identity key for a further computer (enrolment.py reads that one)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from opgelucht_desk.core.admin import NO_ORG_KEY
from opgelucht_desk.core.errors import BackupError, NotAllowedError
from opgelucht_desk.core.org_backup import (
    KIND_IDENTITY_KEY,
    KIND_ORG_KEY,
    KeyBackup,
    read_backup,
    write_backup,
)
from opgelucht_desk.core.session import Session
from opgelucht_desk.protocol.encoding import b64e


async def export_org_key_backup(s: Session, path: Path | str, passphrase: str) -> None:
    """Write the org signing key to ``path``, encrypted with ``passphrase`` (Argon2id with this desk's
    cost, ≥ 256 MiB and t = 3 in production; XChaCha20-Poly1305). Org key holders only."""
    if s.secrets.org_seed is None:
        raise NotAllowedError(NO_ORG_KEY)
    backup = KeyBackup(KIND_ORG_KEY, str(s.account.org_id), s.secrets.org_seed, {})
    await asyncio.to_thread(write_backup, Path(path), backup, passphrase, s.config.kdf)


async def import_org_key_backup(s: Session, path: Path | str, passphrase: str) -> None:
    """Take the org signing key from a backup file (a new installation of an org admin). It must be the
    org key this desk trusts. Raises BackupError (wrong passphrase, tampered or other file)."""
    if s.account.role != "admin":
        raise NotAllowedError("Only an org admin can hold the organisation key.")
    backup = await asyncio.to_thread(read_backup, Path(path), passphrase, KIND_ORG_KEY)
    if backup.org_id != str(s.account.org_id):
        raise BackupError("This backup holds the key of another organisation.", "other_key")
    if backup.public_key != s.trust.org_pk:
        raise BackupError(
            "This backup holds another organisation key than the one this computer trusts "
            "(an older key, or a forgery).",
            "other_key",
        )
    await s.reseal(replace(s.secrets, org_seed=backup.seed))


async def export_identity_backup(s: Session, path: Path | str, passphrase: str) -> None:
    """Write this counsellor's identity key (plus the relay, username and trusted org key) to ``path``,
    encrypted with ``passphrase``, to add a further computer (``Desk.enrol_further_computer``)."""
    account = s.account
    meta = {
        "counsellor_id": str(account.counsellor_id),
        "username": account.username,
        "relay_url": account.relay_url,
        "org_key": b64e(s.trust.org_pk),
    }
    backup = KeyBackup(KIND_IDENTITY_KEY, str(account.org_id), s.secrets.identity_seed, meta)
    await asyncio.to_thread(write_backup, Path(path), backup, passphrase, s.config.kdf)
