"""The geometric mechanism of differential privacy for the published statistics (docs/stats.md).

Each published cell counts distinct devices, and one device changes a cell by at most 1 (sensitivity 1).
Adding two-sided geometric noise with ``alpha = exp(-epsilon)``, ``P(X = x) = (1 - alpha) / (1 + alpha) *
alpha ** |x|``, makes the cell ``epsilon``-differentially private. The noise is drawn from the operating
system's CSPRNG (``secrets``), once per cell when a period is frozen; the frozen value is served from
then on, so asking again never averages the noise away.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable

Cell = tuple[str, ...]
"""Names one published cell: ``("devices", code)`` or ``("item", code, kind, item)`` (code ``""``: the
total)."""

Noise = Callable[[Cell], int]
"""Draws one noise value for one cell (the production sources ignore the name; tests use it)."""

_RANDOM = secrets.SystemRandom()


def _geometric(alpha: float) -> int:
    """``P(G >= k) = alpha ** k`` for k = 0, 1, …, by inversion of a uniform draw in [0, 1)."""
    return math.floor(math.log1p(-_RANDOM.random()) / math.log(alpha))


def geometric_noise(epsilon: float) -> Noise:
    """A source of two-sided geometric noise for cells of sensitivity 1 at ``epsilon`` each."""
    if not epsilon > 0:
        raise ValueError("epsilon must be positive")
    alpha = math.exp(-epsilon)
    return lambda _cell: _geometric(alpha) - _geometric(alpha)


def geometric_pmf(epsilon: float, x: int) -> float:
    """The probability of noise value ``x`` (for tests and the documentation)."""
    alpha = math.exp(-epsilon)
    return (1 - alpha) / (1 + alpha) * alpha ** abs(x)


def no_noise(_cell: Cell) -> int:
    """Tests only (setting ``stats_noise = false``): exact figures; the Sybil defence (d) is then off."""
    return 0
