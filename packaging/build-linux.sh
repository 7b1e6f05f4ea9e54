#!/usr/bin/env bash
# Builds the Linux one-folder bundle of Opgelucht Desk, smoke-tests it offscreen, and packs it.
#
#   packaging/build-linux.sh            # -> dist/opgelucht-desk/ and dist/opgelucht-desk-<version>-linux-x86_64.tar.gz
#
# Environment: PYTHON (default .venv/bin/python, needs the desktop and packaging extras),
# DIST_DIR (default dist), WORK_DIR (default build/pyinstaller), SMOKE_TIMEOUT seconds (default 60).
# The smoke test needs dbus-daemon and gnome-keyring (see packaging/smoke-test-linux.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
DIST_DIR="$(realpath -m "${DIST_DIR:-$ROOT/dist}")"
WORK_DIR="$(realpath -m "${WORK_DIR:-$ROOT/build/pyinstaller}")"
SMOKE_TIMEOUT="${SMOKE_TIMEOUT:-60}"
VERSION="$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$ROOT/pyproject.toml")"
ARCHIVE="$DIST_DIR/opgelucht-desk-$VERSION-linux-x86_64.tar.gz"

echo "build-linux: building Opgelucht Desk $VERSION into $DIST_DIR"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$DIST_DIR" --workpath "$WORK_DIR" "$ROOT/packaging/opgelucht-desk.spec"

BUNDLE="$DIST_DIR/opgelucht-desk"
echo "build-linux: smoke test (offscreen, at most ${SMOKE_TIMEOUT}s)"
"$ROOT/packaging/smoke-test-linux.sh" "$BUNDLE" "$SMOKE_TIMEOUT"

# Menu entry for installs into /opt/opgelucht-desk (docs/install-it.md).
install -m 0644 "$ROOT/packaging/linux/opgelucht-desk.desktop" "$BUNDLE/opgelucht-desk.desktop"
tar -C "$DIST_DIR" -czf "$ARCHIVE" opgelucht-desk
echo "build-linux: OK $ARCHIVE"
