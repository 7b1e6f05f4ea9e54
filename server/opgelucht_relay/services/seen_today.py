"""A per-process memory of the devices whose day is already recorded (issue 12): ``last_seen = day``
and the day's statistics presence rows (``stats_activity.record_presence``: ``stats_devices`` and
``stats_days`` of the day's buckets) are COMMITTED. A later post of that device on that day skips those
statements (on SQLite the ``last_seen`` UPDATE, on PostgreSQL the batch's ``seen``/presence rows and
the tags computed for them).

Why this is exact (docs/relay.md "Fast paths"):

- Only writes known committed are skipped: a device is marked after the transaction that ran the
  statements has committed (the SQLite writer's job returned; the PostgreSQL batch's statement
  returned), never before, and never for a refused nonce (a replay, a deleted device).
- The statements are idempotent (``WHERE last_seen <> day``, ``ON CONFLICT DO NOTHING``): running them
  again changes nothing, so another process (or a process without this memory) writing the same rows
  changes nothing either. The statistics figures are the same with and without it
  (tests/relay/messaging/test_stats_seen_today.py).
- What could undo the rows keeps the memory honest: a day's buckets are open (closed buckets are
  deleted only after their period, never today's); a deleted device cannot post (its nonce's foreign
  key refuses it), and one registered again has a new ``created_at``, which is part of the key.
- Bounded: at ``limit`` entries the memory is emptied and refills (each device then runs the
  statements once more: idempotent). A new day needs no clearing: the day is part of the check.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

LIMIT = 100_000


class SeenToday:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._days: dict[tuple[uuid.UUID, datetime], date] = {}

    def known(self, device_id: uuid.UUID, created_at: datetime, day: date) -> bool:
        """Whether ``last_seen`` and the presence of ``day`` are committed for this device."""
        return self._days.get((device_id, created_at)) == day

    def mark(self, device_id: uuid.UUID, created_at: datetime, day: date) -> None:
        """Call only after the commit of a transaction that ran the day's statements for the device."""
        key = (device_id, created_at)
        if key not in self._days and len(self._days) >= self._limit:
            self._days.clear()
        if self._days.get(key, date.min) <= day:
            self._days[key] = day

    def __len__(self) -> int:
        return len(self._days)
