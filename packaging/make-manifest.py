#!/usr/bin/env python3
"""Create, sign and check the release manifest (see opgelucht_desk/updates.py and packaging/README.md).

    make-manifest.py keygen --secret-out release-key.secret
    OPG_RELEASE_SIGNING_KEY=<b64 seed> make-manifest.py sign --version 1.2.3 \\
        --artefact windows-x86_64=dist/OpgeluchtDesk-1.2.3.msi --out dist/manifest.json
    make-manifest.py verify dist/manifest.json --installed 1.2.2 [--artefact-dir dist]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from opgelucht_desk.protocol import ProtocolError, b64d, b64e, generate_signing_seed, signing_public_key
from opgelucht_desk.updates import (
    Manifest,
    SignedManifest,
    UpdateError,
    Version,
    describe_artefact,
    load_release_keys,
    sign_manifest,
    verify_artefact,
    verify_manifest,
)

KEY_ENV = "OPG_RELEASE_SIGNING_KEY"


def keygen(args: argparse.Namespace) -> int:
    secret_out: Path = args.secret_out
    seed = generate_signing_seed()
    fd = os.open(secret_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(b64e(seed) + "\n")
    print(f"secret seed written to {secret_out} (store it as the {KEY_ENV} secret, then delete the file)")
    print(f"public key for opgelucht_desk/release_keys.json: {b64e(signing_public_key(seed))}")
    return 0


def sign(args: argparse.Namespace) -> int:
    encoded = os.environ.get(KEY_ENV, "")
    if not encoded:
        raise SystemExit(f"error: set {KEY_ENV} to the base64 release signing seed")
    try:
        seed = b64d(encoded.strip())
    except ProtocolError:
        raise SystemExit(f"error: {KEY_ENV} is not standard base64") from None
    if len(seed) != 32:
        raise SystemExit(f"error: {KEY_ENV} must hold a 32-byte Ed25519 seed")
    public = signing_public_key(seed)
    if not args.allow_unpinned_key and public not in load_release_keys():
        raise SystemExit(
            f"error: the key in {KEY_ENV} ({b64e(public)}) is not pinned in "
            "opgelucht_desk/release_keys.json; the app would refuse this manifest"
        )
    artefacts = []
    for spec in args.artefact:
        platform, sep, path = spec.partition("=")
        if not sep:
            raise SystemExit(f"error: --artefact takes PLATFORM=PATH, got {spec!r}")
        artefacts.append(describe_artefact(Path(path), platform))
    issued = int(time.time())
    manifest = Manifest(
        version=Version.parse(args.version),
        issued=issued,
        expires=issued + args.valid_days * 86400,
        artefacts=tuple(artefacts),
    )
    signed = sign_manifest(manifest, seed)
    args.out.write_bytes(signed.dumps())
    print(f"signed manifest for {manifest.version} with {len(artefacts)} artefact(s) written to {args.out}")
    return 0


def verify(args: argparse.Namespace) -> int:
    keys = tuple(b64d(k) for k in args.public_key) if args.public_key else load_release_keys()
    signed = SignedManifest.loads(args.manifest.read_bytes())
    manifest = verify_manifest(signed, trusted_keys=keys, installed_version=args.installed)
    if args.artefact_dir is not None:
        for artefact in manifest.artefacts:
            verify_artefact(args.artefact_dir / artefact.name, artefact)
    print(f"manifest OK: version {manifest.version}, {len(manifest.artefacts)} artefact(s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p_keygen = commands.add_parser("keygen", help="create a new release signing key")
    p_keygen.add_argument("--secret-out", type=Path, required=True, help="file for the secret seed (0600)")
    p_keygen.set_defaults(run=keygen)

    p_sign = commands.add_parser("sign", help=f"sign a manifest with the seed in ${KEY_ENV}")
    p_sign.add_argument("--version", required=True, help="release version MAJOR.MINOR.PATCH")
    p_sign.add_argument("--artefact", action="append", required=True, help="PLATFORM=PATH, repeatable")
    p_sign.add_argument("--valid-days", type=int, default=60, help="days until the manifest expires")
    p_sign.add_argument("--out", type=Path, required=True)
    p_sign.add_argument(
        "--allow-unpinned-key", action="store_true", help="skip the check against release_keys.json (tests)"
    )
    p_sign.set_defaults(run=sign)

    p_verify = commands.add_parser("verify", help="check a manifest as the app does")
    p_verify.add_argument("manifest", type=Path)
    p_verify.add_argument("--installed", default="0.0.0", help="version it must be newer than")
    p_verify.add_argument("--public-key", action="append", help="b64 key (default: release_keys.json)")
    p_verify.add_argument("--artefact-dir", type=Path, help="also check every artefact's size and SHA-256")
    p_verify.set_defaults(run=verify)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (UpdateError, ProtocolError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
