"""SECURITY-TESTS 15: no published statistics cell, nor any difference between published cells across
levels (code vs total) or nested periods (ISO week inside its month), covers fewer than 5 devices.

The checker below does not reuse the algorithm's reasoning: it finds every code set whose device number
can be derived from the published numbers by linear algebra over the rationals, then looks at the real
device sets.
"""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from opgelucht_relay.services.periods import Period, device_active, parse_period
from opgelucht_relay.services.stats_suppression import Decision, K, decide, round_published

START = dt.date(2026, 1, 1)
MONTHS = [parse_period(p) for p in ("2026-01", "2026-02", "2026-03")]
WEEKS = [parse_period(f"2026-W{w:02d}") for w in range(1, 14)]

Device = tuple[int, str, dt.date, dt.date]  # id, code, created, last seen


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r[:] for r in rows]
    rank, cols = 0, len(rows[0]) if rows else 0
    for col in range(cols):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                f = rows[i][col] / rows[rank][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def knowable_sets(codes: list[str], decision: Decision) -> list[frozenset[str]]:
    """Every code set whose device number is a linear combination of the published numbers."""
    published: list[list[Fraction]] = [
        [Fraction(int(c == p)) for c in codes] for p in codes if p not in decision.suppressed
    ]
    if decision.total_published:
        published.append([Fraction(1)] * len(codes))
    base = _rank(published) if published else 0
    found = []
    for size in range(1, len(codes) + 1):
        for subset in itertools.combinations(codes, size):
            vector = [Fraction(int(c in subset)) for c in codes]
            if published and _rank([*published, vector]) == base:
                found.append(frozenset(subset))
    return found


def devices_of(devices: list[Device], period: Period, codes: frozenset[str]) -> set[int]:
    return {i for i, code, created, seen in devices if code in codes and device_active(period, created, seen)}


def counts(devices: list[Device], codes: list[str], period: Period) -> dict[str, int]:
    return {c: len(devices_of(devices, period, frozenset({c}))) for c in codes}


@st.composite
def orgs(draw: st.DrawFn) -> tuple[list[str], list[Device]]:
    codes = [f"code{i}" for i in range(draw(st.integers(1, 5)))]
    n = draw(st.integers(0, 60))
    devices: list[Device] = []
    for i in range(n):
        created = START + dt.timedelta(days=draw(st.integers(0, 89)))
        seen = created + dt.timedelta(days=draw(st.integers(0, 40)))
        devices.append((i, draw(st.sampled_from(codes)), created, seen))
    return codes, devices


def small_difference(n: int) -> bool:
    return 0 < n < K


@settings(max_examples=400, deadline=None)
@given(orgs())
def test_no_published_number_or_difference_covers_fewer_than_five_devices(
    org: tuple[list[str], list[Device]],
) -> None:
    codes, devices = org
    decisions: dict[str, Decision] = {}
    for month in MONTHS:
        decisions[month.name] = decide(counts(devices, codes, month))
    for week in WEEKS:
        enclosing = week.enclosing_month()
        parent = (counts(devices, codes, enclosing), decisions[enclosing.name]) if enclosing else None
        decisions[week.name] = decide(counts(devices, codes, week), parent)

    for period in [*MONTHS, *WEEKS]:
        for codeset in knowable_sets(codes, decisions[period.name]):
            covered = len(devices_of(devices, period, codeset))
            assert not small_difference(covered), (period.name, sorted(codeset), covered)

    for week in WEEKS:
        month_of_week = week.enclosing_month()
        if month_of_week is None:
            continue
        month = month_of_week
        for x in knowable_sets(codes, decisions[month.name]):
            for y in knowable_sets(codes, decisions[week.name]):
                if not y <= x:
                    continue
                outer, inner = devices_of(devices, month, x), devices_of(devices, week, y)
                assert inner <= outer
                assert not small_difference(len(outer - inner)), (month.name, week.name, sorted(x), sorted(y))


def test_a_single_small_code_takes_the_smallest_other_code_with_it() -> None:
    decision = decide({"a": 3, "b": 7, "c": 40})
    assert decision.suppressed == {"a", "b"}
    assert decision.total_published


def test_subtraction_of_week_from_month_is_blocked() -> None:
    month = {"a": 20, "b": 30}
    month_decision = decide(month)
    assert month_decision.suppressed == frozenset()
    # Two devices of code a were active in the month but not in this week: publishing both would
    # isolate them, so the week hides a (and, to keep a from being derived from the total, b too).
    week_decision = decide({"a": 18, "b": 30}, (month, month_decision))
    assert "a" in week_decision.suppressed
    assert week_decision.suppressed != {"a"}


def test_an_org_below_five_devices_publishes_nothing() -> None:
    decision = decide({"a": 2, "b": 2})
    assert decision.suppressed == {"a", "b"}
    assert not decision.total_published


def test_rounding_to_multiples_of_five() -> None:
    assert [round_published(n) for n in (5, 7, 8, 12, 13)] == [5, 5, 10, 10, 15]
