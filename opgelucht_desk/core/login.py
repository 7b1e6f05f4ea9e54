"""Relay sessions: the login (Argon2id unlocks the keys locally, then password + TOTP at the relay with
this computer's device proven by its signing key), ending a session no longer used, and logging out."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.config import DeskConfig
from opgelucht_desk.core.errors import DeskError, OfflineError
from opgelucht_desk.core.keystore import KeySecrets
from opgelucht_desk.core.model import AccountInfo
from opgelucht_desk.core.session import Background


async def authenticate(
    config: DeskConfig, account: AccountInfo, password: str, totp_code: str, background: Background
) -> tuple[KeySecrets, bytes, RelayClient]:
    """Unlock the keys with the password and start a new relay session bound to this computer's device;
    returns the secrets, the blob key and the relay client holding the session. Offline with a saved
    session: that one is used.

    Raises InvalidCredentialsError (wrong password or code), DeviceRefusedError (the relay refuses
    this computer: removed from the organisation's roster), LockedOutError, OfflineError when the
    relay cannot be reached and no earlier session exists, KeyringUnavailableError."""
    keystore = config.keystore(account)
    # Argon2id (slow by design) first, in a worker thread: the login signs with the device key the
    # blob holds (a wrong password fails here and never reaches the relay, nor uses up the code).
    key_secrets, blob_key = await asyncio.to_thread(keystore.unlock, password)
    api = config.client(account.relay_url)
    device = (uuid.UUID(key_secrets.device_id), key_secrets.device_sign_seed)
    try:
        previous = keystore.session_token
        try:
            result = await api.login(account.username, password, totp_code.strip(), device)
            token = str(result["token"])
            api.token = token
            keystore.save_session_token(token)
            if previous is not None and previous != token:
                background.spawn(end_session(config, account.relay_url, previous))
        except OfflineError:
            saved = keystore.session_token
            if saved is None:
                raise
            api.token = saved  # work offline on the cache; sync reconnects later
    except BaseException:
        await api.aclose()
        raise
    return key_secrets, blob_key, api


async def end_session(config: DeskConfig, relay_url: str, token: str) -> None:
    """Best effort: log out a session we no longer use (it would otherwise idle out)."""
    old = config.client(relay_url, token)
    try:
        with contextlib.suppress(DeskError):
            await old.logout()
    finally:
        await old.aclose()


async def log_out(api: RelayClient) -> None:
    """Best effort: end the session ``api`` holds, if any."""
    if api.token is not None:
        with contextlib.suppress(DeskError):
            await api.logout()
