"""Test-wide settings: Qt never needs a screen, and a canary that must never leak."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
