#!/usr/bin/env bash
# Authenticode-signs a Windows artefact (MSI, EXE, DLL) with osslsigncode, from a Linux or macOS host.
#
#   packaging/windows/sign.sh FILE            # signs FILE in place (SHA-256, signed description + URL)
#
# The key comes from the environment, never from arguments (they show up in `ps`):
#   either a PKCS#12 file
#     OPG_SIGN_PKCS12        path to the .pfx/.p12 with the code-signing certificate, its chain and key
#     OPG_SIGN_PASSWORD      its password (handed to osslsigncode through a private temporary file)
#   or a hardware token / cloud HSM through PKCS#11 (publicly trusted code-signing keys must live in one)
#     OPG_SIGN_PKCS11_MODULE path to the PKCS#11 module (.so)
#     OPG_SIGN_PKCS11_KEY    the key's PKCS#11 URI or id
#     OPG_SIGN_CERTS         PEM file with the certificate and its chain
#     OPG_SIGN_PASSWORD      the token PIN
# Optional:
#   OPG_SIGN_TIMESTAMP_URL   RFC 3161 time-stamping server (releases: always set one, so the signature
#                            stays valid after the certificate expires)
#
# On the Windows runner the release workflow uses signtool instead (see packaging/README.md).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 FILE   (signs FILE in place; key from OPG_SIGN_* environment variables)" >&2
  exit 2
fi
FILE="$1"
: "${OPG_SIGN_PASSWORD:?set OPG_SIGN_PASSWORD (PKCS#12 password or token PIN)}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
umask 077
printf '%s' "$OPG_SIGN_PASSWORD" > "$WORK/pass"

if [ -n "${OPG_SIGN_PKCS11_MODULE:-}" ]; then
  : "${OPG_SIGN_PKCS11_KEY:?set OPG_SIGN_PKCS11_KEY to the key id or PKCS#11 URI}"
  : "${OPG_SIGN_CERTS:?set OPG_SIGN_CERTS to the PEM certificate chain}"
  key_args=(-pkcs11module "$OPG_SIGN_PKCS11_MODULE" -key "$OPG_SIGN_PKCS11_KEY" -certs "$OPG_SIGN_CERTS")
else
  : "${OPG_SIGN_PKCS12:?set OPG_SIGN_PKCS12 to the .pfx file (or OPG_SIGN_PKCS11_MODULE for a token)}"
  [ -f "$OPG_SIGN_PKCS12" ] || { echo "sign: $OPG_SIGN_PKCS12 does not exist" >&2; exit 1; }
  key_args=(-pkcs12 "$OPG_SIGN_PKCS12")
fi

ts_args=()
if [ -n "${OPG_SIGN_TIMESTAMP_URL:-}" ]; then
  ts_args=(-ts "$OPG_SIGN_TIMESTAMP_URL")
else
  echo "sign: warning: OPG_SIGN_TIMESTAMP_URL not set; the signature will not be time-stamped" >&2
fi

osslsigncode sign "${key_args[@]}" -readpass "$WORK/pass" -h sha256 \
  -n "Opgelucht Desk" -i "https://opgelucht.nl" "${ts_args[@]}" \
  -in "$FILE" -out "$WORK/signed"
# Replace only after a successful signature; keep the original's permissions.
cat "$WORK/signed" > "$FILE"
echo "sign: signed $FILE"
