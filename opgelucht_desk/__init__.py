"""Opgelucht Desk: the counsellor's desktop app and its Qt-free core.

`opgelucht_desk.protocol` (envelopes, keys, roster, request signing, reference reporter client) and
`opgelucht_desk.core` (keystore, encrypted cache, sync, outbox) never import Qt; only
`opgelucht_desk.ui` does.
"""

__version__ = "0.1.0"
