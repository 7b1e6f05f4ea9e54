#!/usr/bin/env bash
# Wraps the signed .app into a signed installer package for silent installs (MDM, `installer -pkg`).
#
#   OPG_MACOS_INSTALLER_IDENTITY="Developer ID Installer: Opgelucht B.V. (TEAMID1234)" \
#     packaging/macos/make-pkg.sh 1.2.3          # -> dist/OpgeluchtDesk-1.2.3.pkg
set -euo pipefail

VERSION="${1:?usage: $0 VERSION}"
: "${OPG_MACOS_INSTALLER_IDENTITY:?set OPG_MACOS_INSTALLER_IDENTITY to the Developer ID Installer identity}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="$ROOT/dist/Opgelucht Desk.app"
WORK="$ROOT/build/pkg"
OUT="$ROOT/dist/OpgeluchtDesk-$VERSION.pkg"

rm -rf "$WORK" && mkdir -p "$WORK/root/Applications"
ditto "$APP" "$WORK/root/Applications/Opgelucht Desk.app"
# Always install into /Applications, even when a copy of the app exists elsewhere.
pkgbuild --analyze --root "$WORK/root" "$WORK/component.plist"
plutil -replace 0.BundleIsRelocatable -bool NO "$WORK/component.plist"
pkgbuild --root "$WORK/root" --component-plist "$WORK/component.plist" --install-location / \
  --identifier nl.opgelucht.desk.pkg --version "$VERSION" "$WORK/desk-component.pkg"
productbuild --package "$WORK/desk-component.pkg" --identifier nl.opgelucht.desk.pkg --version "$VERSION" \
  --sign "$OPG_MACOS_INSTALLER_IDENTITY" --timestamp "$OUT"
pkgutil --check-signature "$OUT"
echo "make-pkg: $OUT"
