"""The account file: the public profile of the enrolled account (no secrets), owner-only on disk."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from opgelucht_desk.core.model import AccountInfo

ACCOUNT_FILE = "account.json"


def make_private_dir(directory: Path) -> None:
    """The data directory, readable by its owner only (0700); an existing one (created by an older
    version, or with the umask's 0755) is tightened. Windows and macOS keep it in the user's profile."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(directory, 0o700)


def read_account(path: Path) -> AccountInfo:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return AccountInfo(
        username=raw["username"],
        display_name=raw["display_name"],
        role=raw["role"],
        org_id=uuid.UUID(raw["org_id"]),
        relay_url=raw["relay_url"],
        safety_number=raw["safety_number"],
        counsellor_id=uuid.UUID(raw["counsellor_id"]),
        device_id=uuid.UUID(raw["device_id"]),
    )


def write_account(path: Path, account: AccountInfo) -> None:
    """The public account profile (no secrets, but whom a counsellor works for): lets the login screen
    show who and where. Owner-only (0600), like everything in the data directory."""
    make_private_dir(path.parent)
    data = {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "org_id": str(account.org_id),
        "relay_url": account.relay_url,
        "safety_number": account.safety_number,
        "counsellor_id": str(account.counsellor_id),
        "device_id": str(account.device_id),
    }
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(json.dumps(data, indent=2))
    os.chmod(tmp, 0o600)  # a stale .tmp of an older version kept its mode through O_TRUNC
    os.replace(tmp, path)
