"""Thin PySide6 user interface over the Qt-free core (`opgelucht_desk.core.desk.Desk`).

Nothing in this package talks HTTP, SQL, the keyring or cryptography itself: every action goes
through the core facade, awaited on the Qt event loop via qasync.
"""
