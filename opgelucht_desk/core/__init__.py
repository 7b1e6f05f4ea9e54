"""Qt-free desktop client core: keystore, encrypted cache, API client, sync engine, outbox, facade.

The Qt UI uses only :mod:`opgelucht_desk.core.desk` (the :class:`~opgelucht_desk.core.desk.Desk`
facade), :mod:`opgelucht_desk.core.model` (the view types) and :mod:`opgelucht_desk.core.errors`.
"""
