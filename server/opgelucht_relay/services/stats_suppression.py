"""Small-cell suppression for the aggregated usage statistics (k-anonymity over devices).

The rules themselves live in :mod:`opgelucht_desk.disclosure` (pure, shared with the desk's annual
report); this module is the relay's name for them, so the relay's callers and tests are unchanged.
"""

from __future__ import annotations

from opgelucht_desk.disclosure import ROUND_TO, Decision, K, decide, round_published

__all__ = ["ROUND_TO", "Decision", "K", "decide", "round_published"]
