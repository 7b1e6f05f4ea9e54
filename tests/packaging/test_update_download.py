"""Finding and downloading an update over real HTTP (a local web server in a thread): only a verified
newer release is offered, and only a download matching the signed manifest is kept."""

from __future__ import annotations

import functools
import os
import platform
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from opgelucht_desk.protocol import generate_signing_seed, signing_public_key
from opgelucht_desk.updates import (
    ArtefactMismatchError,
    Manifest,
    ManifestSignatureError,
    RollbackError,
    UpdateError,
    UpdateOffer,
    Version,
    current_platform,
    describe_artefact,
    download_artefact,
    find_update,
    sign_manifest,
)

SEED = generate_signing_seed()
KEY = signing_public_key(SEED)
NOW = 1_800_000_000
NAME = "opgelucht-desk-2.0.0-linux-x86_64.tar.gz"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over HTTP on loopback: (directory, base URL)."""
    root = tmp_path / "site"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/releases/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def publish(
    root: Path, version: str = "2.0.0", seed: bytes = SEED, platform_name: str = "linux-x86_64"
) -> bytes:
    releases = root / "releases"
    releases.mkdir(exist_ok=True)
    payload = os.urandom(100_000)
    (releases / NAME).write_bytes(payload)
    manifest = Manifest(
        version=Version.parse(version),
        issued=NOW - 60,
        expires=NOW + 86400,
        artefacts=(describe_artefact(releases / NAME, platform_name),),
    )
    (releases / "manifest.json").write_bytes(sign_manifest(manifest, seed).dumps())
    return payload


async def offer_for(base: str, installed: str = "1.4.0") -> UpdateOffer | None:
    async with httpx.AsyncClient() as client:
        return await find_update(
            client,
            base + "manifest.json",
            installed_version=installed,
            platform="linux-x86_64",
            trusted_keys=[KEY],
            now=NOW,
        )


async def test_newer_release_is_offered_and_downloaded(site: tuple[Path, str], tmp_path: Path) -> None:
    root, base = site
    payload = publish(root)
    offer = await offer_for(base)
    assert offer is not None
    assert str(offer.manifest.version) == "2.0.0"
    assert offer.url == base + NAME
    async with httpx.AsyncClient() as client:
        path = await download_artefact(client, offer, tmp_path / "downloads")
    assert path.read_bytes() == payload
    assert sorted(p.name for p in path.parent.iterdir()) == [NAME]


async def test_same_version_means_no_update(site: tuple[Path, str]) -> None:
    root, base = site
    publish(root, "1.4.0")
    assert await offer_for(base, installed="1.4.0") is None


async def test_older_release_is_refused(site: tuple[Path, str]) -> None:
    root, base = site
    publish(root, "1.3.9")
    with pytest.raises(RollbackError):
        await offer_for(base, installed="1.4.0")


async def test_manifest_signed_by_a_stranger_is_refused(site: tuple[Path, str]) -> None:
    root, base = site
    publish(root, seed=generate_signing_seed())
    with pytest.raises(ManifestSignatureError):
        await offer_for(base)


async def test_release_without_this_platform_is_an_error(site: tuple[Path, str]) -> None:
    root, base = site
    publish(root, platform_name="windows-x86_64")
    with pytest.raises(UpdateError, match="no download for linux-x86_64"):
        await offer_for(base)


async def test_missing_manifest_is_a_network_error(site: tuple[Path, str]) -> None:
    _, base = site
    with pytest.raises(httpx.HTTPStatusError):
        await offer_for(base)


@pytest.mark.parametrize("change", ["flip", "append"])
async def test_tampered_download_is_deleted(site: tuple[Path, str], tmp_path: Path, change: str) -> None:
    root, base = site
    payload = publish(root)
    offer = await offer_for(base)
    assert offer is not None
    swapped = bytes([payload[0] ^ 1]) + payload[1:] if change == "flip" else payload + b"x" * 70_000
    (root / "releases" / NAME).write_bytes(swapped)  # the mirror now serves something else
    downloads = tmp_path / "downloads"
    async with httpx.AsyncClient() as client:
        with pytest.raises(ArtefactMismatchError, match="deleted and not installed"):
            await download_artefact(client, offer, downloads)
    assert list(downloads.iterdir()) == []  # neither the file nor a partial download is left


def test_current_platform_names_this_machine() -> None:
    expected_arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
    assert current_platform() == f"linux-{expected_arch[platform.machine().lower()]}"
