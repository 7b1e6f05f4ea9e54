#!/usr/bin/env bash
# CI only: imports the Developer ID certificates into a temporary keychain so that codesign and
# productbuild can use them without a password prompt. The keychain is deleted by cleanup-keychain.sh
# (the release workflow runs it even when a step fails).
#
# Environment (GitHub secrets, see packaging/README.md):
#   MACOS_APP_CERT_P12_BASE64        "Developer ID Application" certificate + key, .p12, base64
#   MACOS_INSTALLER_CERT_P12_BASE64  "Developer ID Installer" certificate + key, .p12, base64
#   MACOS_CERT_PASSWORD              password of both .p12 files
#   RUNNER_TEMP                      scratch directory (set by GitHub Actions)
set -euo pipefail

: "${MACOS_APP_CERT_P12_BASE64:?}" "${MACOS_INSTALLER_CERT_P12_BASE64:?}" "${MACOS_CERT_PASSWORD:?}"
KEYCHAIN="${RUNNER_TEMP:?}/opgelucht-signing.keychain-db"
KEYCHAIN_PASSWORD="$(openssl rand -base64 24)"

security create-keychain -p "$KEYCHAIN_PASSWORD" "$KEYCHAIN"
security set-keychain-settings -lut 3600 "$KEYCHAIN"
security unlock-keychain -p "$KEYCHAIN_PASSWORD" "$KEYCHAIN"
umask 077
for name in APP INSTALLER; do
  var="MACOS_${name}_CERT_P12_BASE64"
  printf '%s' "${!var}" | base64 --decode > "$RUNNER_TEMP/$name.p12"
  security import "$RUNNER_TEMP/$name.p12" -k "$KEYCHAIN" -P "$MACOS_CERT_PASSWORD" \
    -T /usr/bin/codesign -T /usr/bin/productbuild -T /usr/bin/pkgbuild
  rm -f "$RUNNER_TEMP/$name.p12"
done
security set-key-partition-list -S apple-tool:,apple: -s -k "$KEYCHAIN_PASSWORD" "$KEYCHAIN" >/dev/null
# Search the new keychain first, keep the runner's own ones.
# shellcheck disable=SC2046 # the list of keychains is meant to split into words
security list-keychains -d user -s "$KEYCHAIN" $(security list-keychains -d user | tr -d '"')
security find-identity -v -p codesigning "$KEYCHAIN"
