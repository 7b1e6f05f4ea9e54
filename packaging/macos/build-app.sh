#!/usr/bin/env bash
# Builds "dist/Opgelucht Desk.app" with the PyInstaller recipe, signs it with the hardened runtime and
# our entitlements, checks the signature and smoke-tests the app offscreen.
#
#   OPG_MACOS_SIGN_IDENTITY="Developer ID Application: Opgelucht B.V. (TEAMID1234)" packaging/macos/build-app.sh
#
# Without OPG_MACOS_SIGN_IDENTITY the app is built ad-hoc signed (local testing only; Gatekeeper
# refuses it on other Macs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
APP="$ROOT/dist/Opgelucht Desk.app"
ENTITLEMENTS="$ROOT/packaging/macos/entitlements.plist"
IDENTITY="${OPG_MACOS_SIGN_IDENTITY:--}"

# PyInstaller signs every binary inside-out with the same identity and entitlements (see the spec).
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" \
  "$ROOT/packaging/opgelucht-desk.spec"

# The bundle itself last, without --deep (Apple: sign nested code first, which PyInstaller did).
codesign --force --options runtime --timestamp --entitlements "$ENTITLEMENTS" --sign "$IDENTITY" "$APP"
codesign --verify --deep --strict --verbose=2 "$APP"
codesign --display --entitlements - "$APP" >/dev/null

QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/opgelucht-desk" --smoke-test
echo "build-app: OK $APP"
