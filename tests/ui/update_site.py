"""A release site on 127.0.0.1 for the update-check tests: serves a signed manifest and its installer from
a directory, and records every request (path and headers) so tests can see exactly what the app sent."""

from __future__ import annotations

import functools
import os
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from opgelucht_desk.protocol import generate_signing_seed, signing_public_key
from opgelucht_desk.updates import Manifest, Version, current_platform, describe_artefact, sign_manifest

SEED = generate_signing_seed()  # the test release key
KEY = signing_public_key(SEED)
INSTALLER = "OpgeluchtDesk-test-installer.bin"


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str  # as on the request line, with any query
    headers: dict[str, str]  # names in lower case


class _Handler(SimpleHTTPRequestHandler):
    seen: list[SeenRequest]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> BytesIO | BinaryIO | None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.seen.append(SeenRequest(self.command, self.path, headers))
        return super().send_head()


class UpdateSite:
    """``with UpdateSite(directory) as site: site.publish("1.2.4")``; ``site.manifest_url`` is the URL."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "releases").mkdir(parents=True, exist_ok=True)
        self.requests: list[SeenRequest] = []
        handler = type("Handler", (_Handler,), {"seen": self.requests})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}/releases/"
        self.manifest_url = self.base + "manifest.json"

    def __enter__(self) -> UpdateSite:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def publish(
        self,
        version: str,
        *,
        seed: bytes = SEED,
        platform: str | None = None,
        issued: int | None = None,
        size: int = 50_000,
    ) -> bytes:
        """Sign and serve a manifest of `version` with one installer; returns the installer's bytes."""
        releases = self.root / "releases"
        payload = os.urandom(size)
        (releases / INSTALLER).write_bytes(payload)
        start = int(time.time()) - 60 if issued is None else issued
        manifest = Manifest(
            version=Version.parse(version),
            issued=start,
            expires=start + 30 * 86400,
            artefacts=(describe_artefact(releases / INSTALLER, platform or current_platform()),),
        )
        (releases / "manifest.json").write_bytes(sign_manifest(manifest, seed).dumps())
        return payload

    def replace_installer(self, data: bytes) -> None:
        """The mirror now serves another file under the installer's name."""
        (self.root / "releases" / INSTALLER).write_bytes(data)

    def write_manifest(self, data: bytes) -> None:
        (self.root / "releases" / "manifest.json").write_bytes(data)
