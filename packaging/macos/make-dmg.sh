#!/usr/bin/env bash
# A signed disk image with the .app and an Applications link, for manual installs.
#
#   OPG_MACOS_SIGN_IDENTITY="Developer ID Application: …" packaging/macos/make-dmg.sh 1.2.3
#   # -> dist/OpgeluchtDesk-1.2.3.dmg
set -euo pipefail

VERSION="${1:?usage: $0 VERSION}"
: "${OPG_MACOS_SIGN_IDENTITY:?set OPG_MACOS_SIGN_IDENTITY to the Developer ID Application identity}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STAGE="$ROOT/build/dmg"
OUT="$ROOT/dist/OpgeluchtDesk-$VERSION.dmg"

rm -rf "$STAGE" && mkdir -p "$STAGE"
ditto "$ROOT/dist/Opgelucht Desk.app" "$STAGE/Opgelucht Desk.app"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Opgelucht Desk" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$OUT"
codesign --force --timestamp --sign "$OPG_MACOS_SIGN_IDENTITY" "$OUT"
codesign --verify --verbose=2 "$OUT"
echo "make-dmg: $OUT"
