#!/usr/bin/env bash
# Smoke-tests a Linux bundle: starts it offscreen with --smoke-test (it shows its first window, then
# exits 0) in a clean environment with a scratch HOME and a throwaway, unlocked GNOME keyring on a
# private D-Bus session, so the bundled keyring backend (Secret Service) is exercised for real and the
# developer's own keyring is never touched.
#
#   packaging/smoke-test-linux.sh dist/opgelucht-desk [TIMEOUT_SECONDS]
#
# Needs: dbus-run-session (dbus-daemon) and gnome-keyring-daemon (apt-get install dbus-daemon gnome-keyring).
set -euo pipefail

BUNDLE="$(realpath "${1:?usage: $0 BUNDLE_DIR [TIMEOUT_SECONDS]}")"
TIMEOUT="${2:-60}"
APP="$BUNDLE/opgelucht-desk"
[ -x "$APP" ] || { echo "smoke-test: $APP is not an executable bundle" >&2; exit 1; }
for tool in dbus-run-session gnome-keyring-daemon timeout; do
  command -v "$tool" >/dev/null || { echo "smoke-test: $tool missing (apt-get install dbus-daemon gnome-keyring)" >&2; exit 1; }
done

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
cd "$SCRATCH"
# shellcheck disable=SC2016 # expanded by the inner shell
env -i PATH=/usr/bin:/bin HOME="$SCRATCH" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen APP="$APP" TIMEOUT="$TIMEOUT" \
  dbus-run-session -- sh -c '
    printf "smoke-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 3
    exec timeout "$TIMEOUT" "$APP" --smoke-test
  '
