"""Update integrity: only a fresh manifest signed by a pinned release key, offering a newer version, with
artefacts that match their hashes, is accepted; everything else is refused with a clear error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from opgelucht_desk.protocol import TAG_ROSTER, b64d, b64e, generate_signing_seed, sign, signing_public_key
from opgelucht_desk.updates import (
    Artefact,
    ArtefactMismatchError,
    Manifest,
    ManifestExpiredError,
    ManifestFormatError,
    ManifestSignatureError,
    RollbackError,
    SignedManifest,
    UpdateError,
    Version,
    describe_artefact,
    load_release_keys,
    parse_release_keys,
    sign_manifest,
    verify_artefact,
    verify_manifest,
)

NOW = 1_800_000_000
SEED = bytes(range(32))
KEY = signing_public_key(SEED)


@pytest.fixture
def msi(tmp_path: Path) -> Path:
    path = tmp_path / "OpgeluchtDesk-1.3.0.msi"
    path.write_bytes(os.urandom(4096))
    return path


def release(msi: Path, version: str = "1.3.0", *, issued: int = NOW - 10, days: int = 60) -> Manifest:
    return Manifest(
        version=Version.parse(version),
        issued=issued,
        expires=issued + days * 86400,
        artefacts=(describe_artefact(msi, "windows-x86_64"),),
    )


def published(signed: SignedManifest) -> SignedManifest:
    """What the app reads after download: the file as written, parsed again."""
    return SignedManifest.loads(signed.dumps())


def test_valid_manifest_is_accepted_and_artefact_matches(msi: Path) -> None:
    signed = published(sign_manifest(release(msi), SEED))
    manifest = verify_manifest(signed, trusted_keys=[KEY], installed_version="1.2.9", now=NOW)
    assert str(manifest.version) == "1.3.0"
    artefact = manifest.artefact_for("windows-x86_64")
    verify_artefact(msi, artefact)  # does not raise
    with pytest.raises(UpdateError, match="no download for linux-x86_64"):
        manifest.artefact_for("linux-x86_64")


def test_flipped_signature_bit_is_refused(msi: Path) -> None:
    signed = sign_manifest(release(msi), SEED)
    bad = SignedManifest(signed.body, bytes([signed.sig[0] ^ 1]) + signed.sig[1:])
    with pytest.raises(ManifestSignatureError, match="not signed by the Opgelucht release key"):
        verify_manifest(bad, trusted_keys=[KEY], installed_version="1.2.9", now=NOW)


def test_tampered_body_is_refused_before_parsing(msi: Path) -> None:
    signed = sign_manifest(release(msi), SEED)
    evil = signed.body.replace(b'"1.3.0"', b'"9.9.9"')
    assert evil != signed.body
    with pytest.raises(ManifestSignatureError):
        verify_manifest(
            SignedManifest(evil, signed.sig), trusted_keys=[KEY], installed_version="1.2.9", now=NOW
        )


def test_manifest_signed_by_another_key_is_refused(msi: Path) -> None:
    signed = sign_manifest(release(msi), generate_signing_seed())
    with pytest.raises(ManifestSignatureError):
        verify_manifest(signed, trusted_keys=[KEY], installed_version="1.2.9", now=NOW)


def test_any_pinned_key_may_sign_during_a_key_rotation(msi: Path) -> None:
    new_seed = generate_signing_seed()
    signed = sign_manifest(release(msi), new_seed)
    keys = [KEY, signing_public_key(new_seed)]
    assert verify_manifest(signed, trusted_keys=keys, installed_version="1.2.9", now=NOW).version == Version(
        1, 3, 0
    )


def test_signature_made_for_another_purpose_is_refused(msi: Path) -> None:
    body = release(msi).to_body()
    roster_sig = sign(TAG_ROSTER, body, SEED)  # same key, same bytes, other domain tag
    with pytest.raises(ManifestSignatureError):
        verify_manifest(
            SignedManifest(body, roster_sig), trusted_keys=[KEY], installed_version="1.2.9", now=NOW
        )


@pytest.mark.parametrize("installed", ["1.3.0", "1.3.1", "2.0.0", "1.10.0"])
def test_same_or_older_version_is_refused_as_rollback(msi: Path, installed: str) -> None:
    signed = sign_manifest(release(msi, "1.3.0"), SEED)
    with pytest.raises(RollbackError, match="downgrade is refused"):
        verify_manifest(signed, trusted_keys=[KEY], installed_version=installed, now=NOW)


def test_versions_compare_numerically_not_as_text(msi: Path) -> None:
    signed = sign_manifest(release(msi, "1.10.0"), SEED)
    assert verify_manifest(signed, trusted_keys=[KEY], installed_version="1.9.0", now=NOW).version == Version(
        1, 10, 0
    )


def test_expired_manifest_is_refused(msi: Path) -> None:
    signed = sign_manifest(release(msi, issued=NOW - 61 * 86400, days=60), SEED)
    with pytest.raises(ManifestExpiredError, match="expired"):
        verify_manifest(signed, trusted_keys=[KEY], installed_version="1.2.9", now=NOW)


def test_tampered_artefact_is_refused(msi: Path) -> None:
    artefact = describe_artefact(msi, "windows-x86_64")
    data = bytearray(msi.read_bytes())
    data[2000] ^= 0x80
    msi.write_bytes(bytes(data))
    with pytest.raises(ArtefactMismatchError, match="SHA-256 differs"):
        verify_artefact(msi, artefact)


def test_truncated_artefact_is_refused(msi: Path) -> None:
    artefact = describe_artefact(msi, "windows-x86_64")
    msi.write_bytes(msi.read_bytes()[:-1])
    with pytest.raises(ArtefactMismatchError, match="4095 bytes"):
        verify_artefact(msi, artefact)


def test_no_pinned_key_means_no_update_check(msi: Path) -> None:
    signed = sign_manifest(release(msi), SEED)
    with pytest.raises(UpdateError, match="no release key pinned"):
        verify_manifest(signed, trusted_keys=[], installed_version="1.2.9", now=NOW)


def _signed_body(obj: object) -> SignedManifest:
    body = json.dumps(obj).encode()
    from opgelucht_desk.updates import UPDATE_TAG

    return SignedManifest(body, sign(UPDATE_TAG, body, SEED))


def _good_obj(msi: Path) -> dict[str, object]:
    obj: dict[str, object] = json.loads(release(msi).to_body())
    return obj


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda o: o.update(version="1.3"), "MAJOR.MINOR.PATCH"),
        (lambda o: o.update(product="other-app"), "not opgelucht-desk"),
        (lambda o: o.update(format=2), "unsupported manifest format"),
        (lambda o: o.update(extra=1), "exactly the fields"),
        (lambda o: o.update(artefacts=[]), "no artefacts"),
        (lambda o: o["artefacts"][0].update(name="../../evil.exe"), "plain file name"),
        (lambda o: o["artefacts"][0].update(platform="amiga"), "unknown platform"),
        (lambda o: o["artefacts"][0].update(sha256="AB" * 32), "lower-case hex"),
        (lambda o: o["artefacts"][0].update(size=True), "positive integer"),
        (lambda o: o.update(expires=o["issued"]), "issued < expires"),
    ],
)
def test_malformed_signed_manifest_is_refused(msi: Path, mutate: object, message: str) -> None:
    obj = _good_obj(msi)
    mutate(obj)  # type: ignore[operator]
    with pytest.raises(ManifestFormatError, match=message):
        verify_manifest(_signed_body(obj), trusted_keys=[KEY], installed_version="0.0.1", now=NOW)


def test_duplicate_json_keys_are_refused(msi: Path) -> None:
    body = release(msi).to_body()
    doubled = body[:-1] + b',"version":"9.9.9"}'
    from opgelucht_desk.updates import UPDATE_TAG

    signed = SignedManifest(doubled, sign(UPDATE_TAG, doubled, SEED))
    with pytest.raises(ManifestFormatError, match="duplicate JSON key 'version'"):
        verify_manifest(signed, trusted_keys=[KEY], installed_version="0.0.1", now=NOW)


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"body": "AAAA"}',
        b'{"body": "AA AA", "sig": "AAAA"}',
        b'{"body": "AAAA", "sig": "AAAA"}',
        b'{"body": 1, "sig": 2}',
        b" " * (64 * 1024 + 1),
    ],
)
def test_unparsable_manifest_file_is_refused(data: bytes) -> None:
    with pytest.raises(ManifestFormatError):
        SignedManifest.loads(data)


def test_release_keys_file_of_this_build_parses() -> None:
    keys = load_release_keys()
    assert all(len(k) == 32 for k in keys)
    assert parse_release_keys({"keys": [b64e(KEY)]}) == (KEY,)
    with pytest.raises(UpdateError, match="32-byte"):
        parse_release_keys({"keys": [b64e(b"short")]})


def test_artefact_round_trips_through_json(msi: Path) -> None:
    artefact = describe_artefact(msi, "windows-x86_64")
    assert Artefact.from_json(artefact.to_json()) == artefact
    assert len(b64d(b64e(bytes.fromhex(artefact.sha256)))) == 32
