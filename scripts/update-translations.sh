#!/usr/bin/env bash
# Extracts the user-visible strings of the desktop UI into the .ts files (lupdate), then compiles them
# into the shipped .qm files (lrelease). Translate new strings with pyside6-linguist in between, then
# run this again. Dutch (nl) is the default language and must stay complete (tests/ui checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
sources=(opgelucht_desk/__main__.py opgelucht_desk/ui/*.py)
for lang in nl en; do
    "$bin/pyside6-lupdate" -no-obsolete -locations none -target-language "$lang" "${sources[@]}" \
        -ts "resources/i18n/opgelucht_$lang.ts"
    "$bin/pyside6-lrelease" -silent "resources/i18n/opgelucht_$lang.ts" -qm "resources/i18n/opgelucht_$lang.qm"
done
# Qt's own dialogs: the strings qtbase_nl leaves in English (hand-kept, not extracted from our code).
"$bin/pyside6-lrelease" -silent resources/i18n/qtbase_extra_nl.ts -qm resources/i18n/qtbase_extra_nl.qm
