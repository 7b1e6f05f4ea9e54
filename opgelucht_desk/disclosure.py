"""Small-cell suppression shared by the relay's usage statistics and the desk's annual report (k-anonymity).

Pure functions, standard library only, so that both the relay (opgelucht_relay/services/stats.py) and the
desktop core (opgelucht_desk/core/annual_report.py) import the same rules; neither layer reaches the
other (docs/layout.md). The relay feeds in device numbers per org code, the annual report case numbers
per org code; both get back which cells may be published. See docs/stats.md for the model, the
guarantees and the limits, and docs/case-register.md for the annual report's use.

Published, per fixed period: the device number of every code that is not suppressed and the total over
all codes (unless suppressed). Whatever an attacker can derive by subtracting published numbers is a
*knowable* code set; the rules below keep every knowable set, and every difference between a knowable set
of a month and one of a week inside that month, at 0 or at least ``K`` devices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

K = 5
"""Smallest number of devices (or cases) a published number (or any difference of them) may cover."""

ROUND_TO = 5
"""Published numbers are rounded to a multiple of this."""


@dataclass(frozen=True)
class Decision:
    """Which cells of one period may be published."""

    suppressed: frozenset[str]
    total_published: bool

    def published(self, codes: Mapping[str, int]) -> list[str]:
        return sorted(c for c in codes if c not in self.suppressed)


def _ok(n: int) -> bool:
    """A number of devices that may be learnt: none at all, or at least K."""
    return n == 0 or n >= K


def decide(current: Mapping[str, int], parent: tuple[Mapping[str, int], Decision] | None = None) -> Decision:
    """Choose the suppressed codes of one period.

    ``current`` maps each code of the org to its number of active devices in the period. ``parent`` is the
    device numbers and the decision of the enclosing month when the period is an ISO week lying entirely
    inside one calendar month (every device counted in the week is then counted in the month too).
    """
    suppressed = {c for c, n in current.items() if n < K}
    if parent is not None:
        parent_counts, parent_decision = parent
        # A code hidden in the month stays hidden in its weeks: this keeps every difference month - week
        # a sum of per-block differences that are each checked below.
        suppressed |= set(parent_decision.suppressed) & set(current)
    total_published = parent is None or parent[1].total_published

    def smallest_published() -> str | None:
        candidates = [c for c in current if c not in suppressed]
        return min(candidates, key=lambda c: (current[c], c)) if candidates else None

    while True:
        changed = False
        if parent is not None:
            parent_counts = parent[0]
            for code in sorted(c for c in current if c not in suppressed):
                if not _ok(parent_counts.get(code, 0) - current[code]):
                    suppressed.add(code)
                    changed = True
        if suppressed:
            hidden = sum(current[c] for c in suppressed)
            hidden_diff = sum(parent[0].get(c, 0) for c in suppressed) - hidden if parent is not None else 0
            if not (_ok(hidden) and _ok(hidden_diff)):
                extra = smallest_published()
                if extra is None:
                    # Everything is hidden and the total alone would still isolate too few devices.
                    total_published = False
                else:
                    suppressed.add(extra)
                    changed = True
        if not changed:
            break
    if not _ok(sum(current.values())):
        total_published = False
    return Decision(frozenset(suppressed), total_published)


def round_published(n: int) -> int:
    """Round to the nearest multiple of ROUND_TO (halves up)."""
    return ((n + ROUND_TO // 2) // ROUND_TO) * ROUND_TO
