"""Counsellor authentication: passwords, TOTP, throttling, session tokens."""
