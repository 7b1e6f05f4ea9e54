"""Where the desk keeps its data and how it reaches the relay: :class:`DeskConfig`, and the relay
clients, keystores and clock made from it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import platformdirs
from keyring.backend import KeyringBackend

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.keystore import PRODUCTION_KDF, KdfParams, Keystore, service_name
from opgelucht_desk.core.model import AccountInfo

KEYS_FILE = "keys.bin"


def default_data_dir() -> Path:
    """The per-user data directory, the one source of it for the UI and the core
    (``platformdirs.user_data_dir("Opgelucht Desk", "Opgelucht")``)."""
    return Path(platformdirs.user_data_dir("Opgelucht Desk", "Opgelucht"))


@dataclass(frozen=True)
class DeskConfig:
    """Where the desk keeps its data and how it reaches the relay.

    ``keyring_backend`` None means the OS keyring (refused when insecure); tests pass a real backend
    explicitly. ``kdf`` is the Argon2id cost for new key blobs (tests use a cheap profile). ``transport``
    replaces httpx's network layer (tests only). ``clock`` returns Unix seconds (tests travel in time).
    """

    data_dir: Path
    relay_url: str | None = None
    ca_bundle: Path | None = None
    keyring_service: str = "opgelucht-desk"
    keyring_backend: KeyringBackend | None = None
    kdf: KdfParams = PRODUCTION_KDF
    transport: httpx.AsyncBaseTransport | None = None
    clock: Callable[[], int] | None = None
    poll_interval: float = 10.0
    request_timeout: float = 15.0
    request_retries: int = 4
    sync_page_size: int = 500
    max_backoff: float = 60.0

    def now(self) -> int:
        """Unix seconds (the test clock when one is set)."""
        return self.clock() if self.clock is not None else int(time.time())

    def client(self, relay_url: str, token: str | None = None) -> RelayClient:
        """A relay client with this desk's TLS, time-out and retry settings."""
        return RelayClient(
            relay_url,
            token=token,
            ca_bundle=self.ca_bundle,
            timeout=self.request_timeout,
            retries=self.request_retries,
            transport=self.transport,
        )

    def keystore(self, account: AccountInfo) -> Keystore:
        """The keyring entries and key blob of ``account``."""
        return Keystore(
            service_name(self.keyring_service, account.relay_url, account.username),
            self.data_dir / KEYS_FILE,
            self.keyring_backend,
        )
