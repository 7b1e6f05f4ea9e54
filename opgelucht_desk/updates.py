"""Update integrity: a release manifest signed by the Ed25519 release key, checked before offering an update.

A release publishes `manifest.json` = `{"body": b64, "sig": b64}`. `body` is the exact signed JSON bytes of

    {"format": 1, "product": "opgelucht-desk", "version": "1.2.3", "issued": <unix s>, "expires": <unix s>,
     "artefacts": [{"name": "...", "platform": "windows-x86_64", "sha256": "<hex>", "size": <bytes>}, ...]}

and `sig` is the release key's Ed25519 signature over `tagged("opg/update/v1", body)` (the same
domain separation `u8 len | tag | msg` as every other signature of the project, so no message, roster
or request signature can ever pass as a release). The app refuses a manifest that is not signed by a
pinned release key, is malformed, has expired (a frozen mirror cannot hide a security release for
ever), or does not raise the installed version; a downloaded artefact must match the manifest's size
and SHA-256 before anything runs it. Qt-free.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import platform as _platform
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from opgelucht_desk.protocol import ProtocolError, SignatureError, b64d, b64e, canonical_json, sign, verify

UPDATE_TAG = "opg/update/v1"
MANIFEST_FORMAT = 1
PRODUCT = "opgelucht-desk"
PLATFORMS = frozenset({"windows-x86_64", "macos-arm64", "macos-x86_64", "linux-x86_64"})
MAX_MANIFEST_BYTES = 64 * 1024

_VERSION_RE = re.compile(r"(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


class UpdateError(Exception):
    """An update was refused; `str()` says why in words a counsellor or IT can act on."""


class ManifestFormatError(UpdateError):
    """The manifest is not well-formed (after its signature was checked, or the envelope itself)."""


class ManifestSignatureError(UpdateError):
    """The manifest is not signed by a pinned release key (tampered, or signed by another key)."""


class ManifestExpiredError(UpdateError):
    """The manifest's validity ended: a mirror may be serving stale release information."""


class RollbackError(UpdateError):
    """The manifest does not offer a version above the installed one."""


class NoArtefactError(UpdateError):
    """The release has no download for this computer's platform."""


class ArtefactMismatchError(UpdateError):
    """A downloaded file differs from what the signed manifest describes."""


@dataclass(frozen=True, order=True)
class Version:
    """A release version `MAJOR.MINOR.PATCH`; ordered numerically."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION_RE.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ManifestFormatError(f"version {text!r} is not of the form MAJOR.MINOR.PATCH")
        return cls(int(match[1]), int(match[2]), int(match[3]))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class Artefact:
    """One downloadable file of a release."""

    name: str
    platform: str
    sha256: str  # lower-case hex
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "platform": self.platform, "sha256": self.sha256, "size": self.size}

    @classmethod
    def from_json(cls, obj: object) -> Artefact:
        fields = _exact_object(obj, {"name", "platform", "sha256", "size"}, "artefact")
        name, platform, digest, size = fields["name"], fields["platform"], fields["sha256"], fields["size"]
        if not isinstance(name, str) or _NAME_RE.fullmatch(name) is None:
            raise ManifestFormatError(f"artefact name {name!r} is not a plain file name")
        if platform not in PLATFORMS:
            raise ManifestFormatError(f"artefact {name}: unknown platform {platform!r}")
        if not isinstance(digest, str) or _SHA256_RE.fullmatch(digest) is None:
            raise ManifestFormatError(f"artefact {name}: sha256 must be 64 lower-case hex digits")
        if type(size) is not int or size <= 0:
            raise ManifestFormatError(f"artefact {name}: size must be a positive integer")
        return cls(name=name, platform=platform, sha256=digest, size=size)


@dataclass(frozen=True)
class Manifest:
    """The signed content of a release manifest."""

    version: Version
    issued: int
    expires: int
    artefacts: tuple[Artefact, ...]

    def to_body(self) -> bytes:
        """The canonical JSON bytes that get signed."""
        obj = {
            "format": MANIFEST_FORMAT,
            "product": PRODUCT,
            "version": str(self.version),
            "issued": self.issued,
            "expires": self.expires,
            "artefacts": [a.to_json() for a in self.artefacts],
        }
        return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_body(cls, body: bytes) -> Manifest:
        fields = _exact_object(
            _load_json(body, "manifest body"),
            {"format", "product", "version", "issued", "expires", "artefacts"},
            "manifest",
        )
        if fields["format"] != MANIFEST_FORMAT or type(fields["format"]) is not int:
            raise ManifestFormatError(f"unsupported manifest format {fields['format']!r}")
        if fields["product"] != PRODUCT:
            raise ManifestFormatError(f"manifest is for {fields['product']!r}, not {PRODUCT}")
        issued, expires = fields["issued"], fields["expires"]
        if type(issued) is not int or type(expires) is not int or not 0 < issued < expires:
            raise ManifestFormatError("manifest needs integer times with 0 < issued < expires")
        raw_artefacts = fields["artefacts"]
        if not isinstance(raw_artefacts, list) or not raw_artefacts:
            raise ManifestFormatError("manifest lists no artefacts")
        artefacts = tuple(Artefact.from_json(a) for a in raw_artefacts)
        names = [a.name for a in artefacts]
        if len(set(names)) != len(names):
            raise ManifestFormatError("manifest lists an artefact name twice")
        return cls(Version.parse(fields["version"]), issued, expires, artefacts)

    def artefact_for(self, platform: str) -> Artefact:
        """The artefact to install on `platform` (the first one listed for it)."""
        for artefact in self.artefacts:
            if artefact.platform == platform:
                return artefact
        raise NoArtefactError(f"release {self.version} has no download for {platform}")


@dataclass(frozen=True)
class SignedManifest:
    """`manifest.json` as published: the exact signed body and its signature."""

    body: bytes
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"body": b64e(self.body), "sig": b64e(self.sig)}

    def dumps(self) -> bytes:
        return json.dumps(self.to_json(), indent=2).encode() + b"\n"

    @classmethod
    def loads(cls, data: bytes) -> SignedManifest:
        """Parse a downloaded `manifest.json` (structure only; `verify_manifest` checks the rest)."""
        if len(data) > MAX_MANIFEST_BYTES:
            raise ManifestFormatError("manifest file is larger than 64 KiB")
        fields = _exact_object(_load_json(data, "manifest file"), {"body", "sig"}, "manifest file")
        try:
            body, sig = b64d(fields["body"]), b64d(fields["sig"])
        except Exception as exc:  # b64d raises ProtocolError; a non-str value raises TypeError
            raise ManifestFormatError("manifest file: body and sig must be standard base64") from exc
        if len(sig) != 64:
            raise ManifestFormatError("manifest file: sig must be a 64-byte Ed25519 signature")
        return cls(body=body, sig=sig)


def sign_manifest(manifest: Manifest, release_seed: bytes) -> SignedManifest:
    """Sign `manifest` with the release key's 32-byte Ed25519 seed."""
    body = manifest.to_body()
    return SignedManifest(body=body, sig=sign(UPDATE_TAG, body, release_seed))


def verify_manifest(
    signed: SignedManifest,
    *,
    trusted_keys: Sequence[bytes],
    installed_version: str,
    now: int | None = None,
) -> Manifest:
    """The manifest's content if it may be offered as an update; otherwise raise an `UpdateError`.

    Order matters: the signature is checked before a single byte of the body is parsed.
    """
    if not trusted_keys:
        raise UpdateError("this build has no release key pinned; it cannot check for updates")
    if not any(_signed_by(signed, key) for key in trusted_keys):
        raise ManifestSignatureError(
            "the release manifest is not signed by the Opgelucht release key (tampered or foreign); "
            "the update is refused"
        )
    manifest = Manifest.from_body(signed.body)
    current = int(time.time()) if now is None else now
    if current >= manifest.expires:
        raise ManifestExpiredError(
            f"the release manifest of version {manifest.version} expired; the download site may be "
            "serving stale release information"
        )
    installed = Version.parse(installed_version)
    if manifest.version <= installed:
        raise RollbackError(
            f"the manifest offers version {manifest.version}, not newer than the installed {installed}; "
            "a downgrade is refused"
        )
    return manifest


def verify_artefact(path: Path, artefact: Artefact) -> None:
    """Raise `ArtefactMismatchError` unless the file at `path` has the manifest's size and SHA-256."""
    size = path.stat().st_size
    if size != artefact.size:
        raise ArtefactMismatchError(
            f"{artefact.name}: the download has {size} bytes, the signed manifest says {artefact.size}; "
            "it is deleted and not installed"
        )
    if _sha256_file(path) != artefact.sha256:
        raise ArtefactMismatchError(
            f"{artefact.name}: the download's SHA-256 differs from the signed manifest; "
            "it is deleted and not installed"
        )


def describe_artefact(path: Path, platform: str) -> Artefact:
    """The manifest entry of a built file (used by `packaging/make-manifest.py`)."""
    return Artefact.from_json(
        {"name": path.name, "platform": platform, "sha256": _sha256_file(path), "size": path.stat().st_size}
    )


@dataclass(frozen=True)
class UpdateOffer:
    """A verified newer release for this platform, and where to download its artefact."""

    manifest: Manifest
    artefact: Artefact
    url: str


def current_platform() -> str:
    """This computer's platform name as used in manifests (e.g. ``windows-x86_64``)."""
    machine = _platform.machine().lower()
    arch = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "arm64"}.get(machine, machine)
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    return f"{system}-{arch}"


async def find_update(
    client: httpx.AsyncClient,
    manifest_url: str,
    *,
    installed_version: str,
    platform: str | None = None,
    trusted_keys: Sequence[bytes] | None = None,
    now: int | None = None,
) -> UpdateOffer | None:
    """Fetch and verify the release manifest; ``None`` when it offers exactly the installed version.

    Anything else that is not a verified newer release for this platform raises an `UpdateError`
    (a downgrade is a refusal, not "no update"); network failures raise ``httpx.HTTPError``.
    Artefacts are downloaded from beside the manifest.
    """
    response = await client.get(manifest_url, follow_redirects=True)
    response.raise_for_status()
    signed = SignedManifest.loads(response.content)
    keys = load_release_keys() if trusted_keys is None else trusted_keys
    try:
        manifest = verify_manifest(signed, trusted_keys=keys, installed_version=installed_version, now=now)
    except RollbackError:
        if Manifest.from_body(signed.body).version == Version.parse(installed_version):
            return None
        raise
    artefact = manifest.artefact_for(current_platform() if platform is None else platform)
    return UpdateOffer(manifest=manifest, artefact=artefact, url=urljoin(manifest_url, artefact.name))


async def download_artefact(client: httpx.AsyncClient, offer: UpdateOffer, directory: Path) -> Path:
    """Download the offered artefact into ``directory`` and return its path once it matches the manifest.

    The download stops as soon as it exceeds the manifest's size; a file that does not match is deleted
    and `ArtefactMismatchError` is raised, so nothing unverified is ever left to run.
    """
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    target = directory / offer.artefact.name
    partial = target.with_name(target.name + ".part")
    try:
        handle = await asyncio.to_thread(partial.open, "wb")
        try:
            async with client.stream("GET", offer.url, follow_redirects=True) as response:
                response.raise_for_status()
                received = 0
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
                    if received > offer.artefact.size:
                        raise ArtefactMismatchError(
                            f"{offer.artefact.name}: the download is larger than the signed manifest says; "
                            "it is deleted and not installed"
                        )
                    await asyncio.to_thread(handle.write, chunk)
        finally:
            await asyncio.to_thread(handle.close)
        await asyncio.to_thread(verify_artefact, partial, offer.artefact)
    except BaseException:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
        raise
    await asyncio.to_thread(os.replace, partial, target)
    return target


def load_release_keys() -> tuple[bytes, ...]:
    """The release public keys pinned in this build (`opgelucht_desk/release_keys.json`)."""
    text = resources.files("opgelucht_desk").joinpath("release_keys.json").read_text(encoding="utf-8")
    return parse_release_keys(json.loads(text))


def parse_release_keys(obj: object) -> tuple[bytes, ...]:
    """Keys from `{"keys": ["<b64 Ed25519 public key>", ...]}`."""
    fields = _exact_object(obj, {"keys"}, "release key file")
    raw = fields["keys"]
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        raise UpdateError("release key file: keys must be a list of base64 strings")
    keys = tuple(b64d(k) for k in raw)
    if any(len(k) != 32 for k in keys):
        raise UpdateError("release key file: every key must be a 32-byte Ed25519 public key")
    return keys


def _signed_by(signed: SignedManifest, public_key: bytes) -> bool:
    try:
        verify(UPDATE_TAG, signed.body, signed.sig, public_key)
    except SignatureError:
        return False
    return True


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_json(data: bytes, what: str) -> object:
    """The protocol's strict JSON decoder (UTF-8, no duplicate keys, no NaN), as a manifest error."""
    try:
        return canonical_json.loads(data)
    except ProtocolError as exc:
        raise ManifestFormatError(f"{what} is not valid strict JSON: {exc}") from exc


def _exact_object(obj: object, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ManifestFormatError(f"{what} must be a JSON object")
    if set(obj) != keys:
        raise ManifestFormatError(f"{what} must have exactly the fields {sorted(keys)}")
    return obj
