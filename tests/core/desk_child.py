"""A desk in its own process, driven line by line over stdin (the app-crash test kills it).

Usage: python desk_child.py DATA_DIR KEYRING_DIR RELAY_URL INVITATION
Commands: ``sync`` → prints ``synced <conv_id> ...``; ``reply <conv_id> <text>`` → prints ``queued``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from pathlib import Path

import pyotp
from keyrings.alt.file import EncryptedKeyring

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import OfflineError
from opgelucht_desk.core.keystore import TEST_KDF

PASSWORD = "lange wachtzin voor de test"


def config(data_dir: Path, keyring_dir: Path, relay_url: str) -> DeskConfig:
    backend = EncryptedKeyring()
    backend.file_path = str(keyring_dir / "keyring.cfg")
    backend.keyring_key = "keyring file password"
    return DeskConfig(data_dir=data_dir, relay_url=relay_url, keyring_backend=backend, kdf=TEST_KDF)


async def main(data_dir: Path, keyring_dir: Path, relay_url: str, invitation: str) -> None:
    desk = await Desk.open(config(data_dir, keyring_dir, relay_url))
    challenge = await desk.enrol_start(relay_url, invitation, "child", "Kind Proces", PASSWORD)
    await desk.enrol_finish(challenge, pyotp.TOTP(challenge.totp_secret).now())
    print("enrolled", flush=True)
    while True:
        line = (await asyncio.to_thread(sys.stdin.readline)).strip()
        if not line:
            return
        command, _, rest = line.partition(" ")
        if command == "sync":
            await desk.sync_now()
            print("synced", *[c.conv_id for c in desk.conversations()], flush=True)
        elif command == "reply":
            conv_id, _, text = rest.partition(" ")
            with contextlib.suppress(OfflineError):
                await desk.reply(uuid.UUID(conv_id), text)
            print("queued", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]))
