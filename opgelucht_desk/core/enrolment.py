"""Enrolment of this computer: with a one-time invitation (:func:`start` + :func:`finish`; the org's
first admin also creates the org key and roster v1) or as a further computer of a counsellor enrolled
elsewhere (:func:`further_computer`, from an identity backup). Both end in :func:`_install`: keys
protected by the password, session token saved, old cache wiped, account file written."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opgelucht_desk.core.account import ACCOUNT_FILE, write_account
from opgelucht_desk.core.admin import new_roster
from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.cache import wipe_cache_files
from opgelucht_desk.core.config import DeskConfig
from opgelucht_desk.core.errors import BackupError, DeskError, VerificationError
from opgelucht_desk.core.keystore import KeySecrets
from opgelucht_desk.core.model import AccountInfo, EnrolmentChallenge, EnrolmentResult
from opgelucht_desk.core.org_backup import KIND_IDENTITY_KEY, read_backup
from opgelucht_desk.core.trust import Trust
from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import (
    DeviceKeys,
    generate_signing_seed,
    safety_number,
    signing_public_key,
)
from opgelucht_desk.protocol.roster import CounsellorEntry, DeviceEntry, make_device_entry

ProgressCallback = Callable[[float, str], None]


def no_progress(_fraction: float, _text: str) -> None:
    """The progress callback when the caller gives none."""


@dataclass
class PendingEnrolment:
    """An enrolment started with an invitation, waiting for the TOTP code."""

    password: str
    relay_url: str
    started: dict[str, Any]

    @property
    def creates_org_key(self) -> bool:
        """The org's first admin: the relay says so in the enrolment start (role admin, no org key)."""
        s = self.started
        return s.get("role") == "admin" and "org_key" in s and s["org_key"] is None and "org_id" in s


@dataclass
class Enrolled:
    """An enrolled computer, installed on disk, about to be unlocked: ``org`` is the relay's org
    answer (its roster is verified next), ``api`` holds the new session."""

    account: AccountInfo
    secrets: KeySecrets
    blob_key: bytes
    api: RelayClient
    trust: Trust
    org: dict[str, Any]
    result: EnrolmentResult


async def start(
    config: DeskConfig,
    pending: dict[str, PendingEnrolment],
    relay_url: str,
    invitation: str,
    username: str,
    display_name: str,
    password: str,
) -> EnrolmentChallenge:
    """Redeem the one-time invitation and set the password; returns the TOTP secret to scan."""
    relay_url = (config.relay_url or relay_url).rstrip("/")
    api = config.client(relay_url)
    try:
        started = await api.enrolment_start(invitation.strip(), username, display_name, password)
    finally:
        await api.aclose()
    token = str(started["enrolment_token"])
    pending[token] = PendingEnrolment(password=password, relay_url=relay_url, started=dict(started))
    return EnrolmentChallenge(
        relay_url=relay_url,
        username=username,
        display_name=display_name,
        enrolment_token=token,
        totp_secret=str(started["totp_secret"]),
        totp_uri=str(started["totp_uri"]),
    )


def _generate_device() -> tuple[bytes, DeviceKeys, uuid.UUID, DeviceEntry]:
    identity_seed = generate_signing_seed()
    device_keys = DeviceKeys.generate()
    device_id = uuid.uuid4()
    return identity_seed, device_keys, device_id, make_device_entry(identity_seed, device_keys, device_id)


async def finish(
    config: DeskConfig,
    pending: dict[str, PendingEnrolment],
    challenge: EnrolmentChallenge,
    totp_code: str,
    report: ProgressCallback,
) -> Enrolled:
    """Confirm TOTP, generate and upload the keys (the org's first admin also creates the org key and
    roster v1) and install them."""
    started = pending.get(challenge.enrolment_token)
    if started is None:
        raise DeskError("This enrolment was not started here; start again with the invitation.")
    report(0.05, "Generating keys")
    identity_seed, device_keys, device_id, entry = await asyncio.to_thread(_generate_device)
    api = config.client(started.relay_url)
    try:
        report(0.2, "Registering this computer")
        body: dict[str, Any] = {
            "enrolment_token": challenge.enrolment_token,
            "totp_code": totp_code.strip(),
            "identity_key": b64e(signing_public_key(identity_seed)),
            "device": entry.to_json(),
        }
        org_seed: bytes | None = None
        if started.creates_org_key:
            report(0.3, "Creating the organisation key")
            org_seed = generate_signing_seed()
            me = CounsellorEntry(
                uuid.UUID(str(started.started["counsellor_id"])),
                challenge.display_name,
                signing_public_key(identity_seed),
                (entry,),
            )
            first = new_roster(uuid.UUID(str(started.started["org_id"])), [me], None, org_seed, config.now())
            body["org_key"] = b64e(signing_public_key(org_seed))
            body["roster"] = first.to_json()
        result = await api.enrolment_finish(body)
        del pending[challenge.enrolment_token]
        api.token = str(result["token"])
        org = await api.org()
        if org.get("org_key") is None:
            raise DeskError("The organisation has no key yet: its admin must enrol first.")
        trust = Trust.new(b64d(str(org["org_key"])))
        return await _install(
            config,
            api,
            org,
            trust,
            result["counsellor"],
            KeySecrets(
                device_id=str(device_id),
                device_enc_sk=device_keys.enc_sk,
                device_sign_seed=device_keys.sign_seed,
                identity_seed=identity_seed,
                cache_key=secrets.token_bytes(32),
                org_seed=org_seed,
            ),
            username=challenge.username,
            display_name=challenge.display_name,
            relay_url=started.relay_url,
            password=started.password,
            report=report,
        )
    except BaseException:
        await api.aclose()
        raise


async def further_computer(
    config: DeskConfig,
    backup_path: Path | str,
    passphrase: str,
    password: str,
    totp_code: str,
    report: ProgressCallback,
) -> Enrolled:
    """Open the identity backup, log in (password + TOTP), register a new device signed by the identity
    key (``POST /v1/me/devices``), pin the org key the other computer trusted, and install the keys."""
    report(0.05, "Opening the key backup")
    backup = await asyncio.to_thread(read_backup, Path(backup_path), passphrase, KIND_IDENTITY_KEY)
    try:
        relay_url = (config.relay_url or backup.meta["relay_url"]).rstrip("/")
        username, pinned = backup.meta["username"], b64d(backup.meta["org_key"])
    except (KeyError, ValueError, ProtocolError):
        raise BackupError("This identity backup is incomplete.", "damaged") from None
    api = config.client(relay_url)
    try:
        report(0.2, "Logging in")
        result = await api.login(username, password, totp_code.strip())
        api.token = str(result["token"])
        counsellor = result["counsellor"]
        if b64d(str(counsellor["identity_key"])) != backup.public_key:
            with contextlib.suppress(DeskError):
                await api.logout()
            raise BackupError("This backup holds the identity key of another account.", "other_key")
        report(0.3, "Registering this computer")
        device_keys, device_id = DeviceKeys.generate(), uuid.uuid4()
        entry = make_device_entry(backup.seed, device_keys, device_id)
        await api.add_device(entry.to_json())
        org = await api.org()
        trust = Trust.new(pinned)
        if not trust.follow_org_key(org.get("org_key"), org.get("org_key_chain", [])):
            raise VerificationError(
                "The relay's organisation key is not the one your other computer trusts, and no "
                "certificate links them. Ask your organisation's admin before going on."
            )
        return await _install(
            config,
            api,
            org,
            trust,
            counsellor,
            KeySecrets(
                device_id=str(device_id),
                device_enc_sk=device_keys.enc_sk,
                device_sign_seed=device_keys.sign_seed,
                identity_seed=backup.seed,
                cache_key=secrets.token_bytes(32),
            ),
            username=str(counsellor["username"]),
            display_name=str(counsellor["display_name"]),
            relay_url=relay_url,
            password=password,
            report=report,
        )
    except BaseException:
        await api.aclose()
        raise


async def _install(
    config: DeskConfig,
    api: RelayClient,
    org: dict[str, Any],
    trust: Trust,
    counsellor: dict[str, Any],
    key_secrets: KeySecrets,
    *,
    username: str,
    display_name: str,
    relay_url: str,
    password: str,
    report: ProgressCallback,
) -> Enrolled:
    """The one tail of both enrolments: the account as the relay knows it, the keys protected by the
    password, the session token saved, any older cache wiped, the account file written."""
    identity_pk = signing_public_key(key_secrets.identity_seed)
    account = AccountInfo(
        username=username,
        display_name=display_name,
        role=str(counsellor["role"]),
        org_id=uuid.UUID(str(counsellor["org_id"])),
        relay_url=relay_url,
        safety_number=safety_number(identity_pk),
        counsellor_id=uuid.UUID(str(counsellor["counsellor_id"])),
        device_id=uuid.UUID(key_secrets.device_id),
    )
    report(0.5, "Protecting the keys with your password")
    keystore = config.keystore(account)
    blob_key = await asyncio.to_thread(keystore.store, key_secrets, password, config.kdf)
    assert api.token is not None
    keystore.save_session_token(api.token)
    wipe_cache_files(config.data_dir)
    await asyncio.to_thread(write_account, config.data_dir / ACCOUNT_FILE, account)
    result = EnrolmentResult(
        safety_number=account.safety_number,
        is_admin=account.role == "admin",
        created_org_key=key_secrets.org_seed is not None,
    )
    return Enrolled(account, key_secrets, blob_key, api, trust, org, result)
