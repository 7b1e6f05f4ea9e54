#!/usr/bin/env bash
# Notarises signed artefacts with Apple, waits for the verdict, staples the ticket and checks Gatekeeper.
#
#   packaging/macos/notarize.sh dist/OpgeluchtDesk-1.2.3.pkg dist/OpgeluchtDesk-1.2.3.dmg
#
# Environment: an App Store Connect API key (preferred over an Apple ID password in CI)
#   APPLE_API_KEY_P8_BASE64   the .p8 key file, base64
#   APPLE_API_KEY_ID          its key id
#   APPLE_API_ISSUER_ID       the issuer id of the team
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 FILE.pkg|FILE.dmg ..." >&2; exit 2; }
: "${APPLE_API_KEY_P8_BASE64:?}" "${APPLE_API_KEY_ID:?}" "${APPLE_API_ISSUER_ID:?}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
umask 077
KEY="$WORK/AuthKey_$APPLE_API_KEY_ID.p8"
printf '%s' "$APPLE_API_KEY_P8_BASE64" | base64 --decode > "$KEY"

for file in "$@"; do
  echo "notarize: submitting $file"
  xcrun notarytool submit "$file" --key "$KEY" --key-id "$APPLE_API_KEY_ID" --issuer "$APPLE_API_ISSUER_ID" \
    --wait --timeout 30m --output-format json | tee "$WORK/result.json"
  if ! grep -q '"status" *: *"Accepted"' "$WORK/result.json"; then
    id="$(sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' "$WORK/result.json" | head -n 1)"
    [ -n "$id" ] && xcrun notarytool log "$id" --key "$KEY" --key-id "$APPLE_API_KEY_ID" --issuer "$APPLE_API_ISSUER_ID"
    echo "notarize: $file was not accepted" >&2
    exit 1
  fi
  xcrun stapler staple "$file"
  xcrun stapler validate "$file"
  case "$file" in
    *.pkg) spctl --assess --type install --verbose=2 "$file" ;;
    *.dmg) spctl --assess --type open --context context:primary-signature --verbose=2 "$file" ;;
  esac
done
