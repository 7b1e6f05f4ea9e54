#!/usr/bin/env bash
# CI only: deletes the temporary signing keychain made by import-certificates.sh.
set -euo pipefail
security delete-keychain "${RUNNER_TEMP:?}/opgelucht-signing.keychain-db" 2>/dev/null || true
