#!/usr/bin/env bash
# Builds the MSI of Opgelucht Desk with msitools' wixl (Linux) from a Windows one-folder bundle.
#
#   packaging/windows/build-msi.sh BUNDLE_DIR VERSION OUT.msi
#
# BUNDLE_DIR is dist/opgelucht-desk as built by PyInstaller on Windows (it must contain
# opgelucht-desk.exe). The Windows runner uses WiX 3 instead (build.ps1); both read opgelucht-desk.wxs.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 BUNDLE_DIR VERSION OUT.msi" >&2
  exit 2
fi
BUNDLE="$(realpath "$1")"
VERSION="$2"
OUT="$(realpath -m "$3")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ ! -f "$BUNDLE/opgelucht-desk.exe" ]; then
  echo "build-msi: $BUNDLE has no opgelucht-desk.exe; build the Windows bundle first" >&2
  exit 1
fi
if ! [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "build-msi: VERSION must be MAJOR.MINOR.PATCH, got '$VERSION'" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Harvest every file of the bundle into the component group AppFiles under INSTALLDIR.
# wixl-heat strips the prefix "$BUNDLE/"; files at the bundle's top land in a Directory named "." (MSI's
# "same as the parent"), i.e. straight in INSTALLDIR.
find "$BUNDLE" -type f | LC_ALL=C sort \
  | wixl-heat --prefix "$BUNDLE/" --var var.SourceDir --directory-ref INSTALLDIR --component-group AppFiles \
    --win64 > "$WORK/files.wxs"
# wixl resolves File sources relative to the working directory only (absolute paths fail).
(cd "$BUNDLE" && wixl --arch x64 -D Version="$VERSION" -D SourceDir=. -D Win64=yes -o "$OUT" \
  "$HERE/opgelucht-desk.wxs" "$WORK/files.wxs")
echo "build-msi: $OUT"
