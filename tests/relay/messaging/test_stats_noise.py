"""Issue 9, item 9 (d): differentially private noise on every published cell (docs/stats.md).

The property test plays the insider: it controls up to K - 1 established devices of the victim's code and
knows what every other device did. The only unknown is whether the victim reported the sensitive topic.
The test computes the exact distribution of the whole published report over the noise of the one cell
the victim can change (all other noise fixed at values hypothesis picks) with the relay's own
``publish``, and checks that no report reveals the victim's contribution with certainty.
"""

from __future__ import annotations

import itertools
import json
import math
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kit.actors import Actor

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.config import Settings
from opgelucht_relay.services.periods import parse_period
from opgelucht_relay.services.stats import ITEM_THRESHOLD, TrueCounts, cell_epsilon, noise_source, publish
from opgelucht_relay.services.stats_noise import Cell, geometric_noise, geometric_pmf
from opgelucht_relay.services.stats_suppression import K, decide
from relay.conftest import make_test_settings
from relay.messaging.stats_devices import START, at, register, report, use

PERIOD = parse_period("2026-11")
ORG = uuid.UUID(int=1)
TOPIC = ("topic", "intimidatie")
EPSILON = cell_epsilon(Settings())
SPAN = 30  # noise values enumerated per cell; the rest of the geometric tail weighs < 2e-7
SLACK = 1e-6  # for that truncation


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def test_production_default_has_noise_on() -> None:
    defaults = Settings()
    assert defaults.stats_noise is True and defaults.stats_epsilon == 5.5
    assert EPSILON == 0.5  # 5.5 over the device cell and 5 usage cells of the code and of the total
    noise = noise_source(defaults)
    counts = TrueCounts({"a": 12}, {"a": {TOPIC: 30}})
    seen = Counter(
        json.dumps(publish(PERIOD, ORG, {"a": "A"}, counts, decide(counts.devices), noise))
        for _ in range(300)
    )
    assert len(seen) > 3  # the same true figures give different published ones


def test_geometric_noise_matches_its_distribution() -> None:
    noise = geometric_noise(EPSILON)
    draws = Counter(noise(("devices", "a")) for _ in range(20000))
    for x in (-2, -1, 0, 1, 2):
        assert abs(draws[x] / 20000 - geometric_pmf(EPSILON, x)) < 0.02, x
    assert abs(sum(x * n for x, n in draws.items()) / 20000) < 0.15


def distribution(
    counts: TrueCounts, labels: dict[str, str], targets: list[Cell], fixed: Callable[[Cell], int]
) -> dict[str, float]:
    """P(report) over the noise of the ``targets`` (enumerated), every other cell's noise fixed."""
    out: dict[str, float] = {}
    decision = decide(counts.devices)
    for xs in itertools.product(range(-SPAN, SPAN + 1), repeat=len(targets)):
        chosen = dict(zip(targets, xs, strict=True))
        noise = lambda cell, chosen=chosen: chosen.get(cell, fixed(cell))  # noqa: E731
        published = json.dumps(publish(PERIOD, ORG, labels, counts, decision, noise), sort_keys=True)
        weight = math.prod(geometric_pmf(EPSILON, x) for x in xs)
        out[published] = out.get(published, 0.0) + weight
    return out


@st.composite
def insider_worlds(draw: st.DrawFn) -> tuple[TrueCounts, TrueCounts, dict[str, str], int]:
    """The victim's code ``v`` and up to 3 others; the insider's devices on ``v`` and how many of them
    report the topic; the honest others; world A: the victim reported it, world B: it did not."""
    others = draw(st.lists(st.integers(0, 40), max_size=3))
    labels = {"v": "Victim's team", **{f"c{i}": f"Team {i}" for i in range(len(others))}}
    insiders = draw(st.integers(0, K - 1))
    insiders_reporting = draw(st.integers(0, insiders))
    honest = draw(st.integers(0, 30))
    honest_reporting = draw(st.integers(0, honest))
    devices = {"v": 1 + insiders + honest, **{f"c{i}": n for i, n in enumerate(others)}}
    elsewhere = [draw(st.integers(0, n)) for n in others]
    items: dict[str, dict[tuple[str, str], int]] = {f"c{i}": {TOPIC: n} for i, n in enumerate(elsewhere) if n}
    screens = {("screen", "home"): devices["v"]}
    without = insiders_reporting + honest_reporting
    world_a = TrueCounts(devices, {**items, "v": {**screens, TOPIC: without + 1}})
    world_b = TrueCounts(devices, {**items, "v": {**screens, **({TOPIC: without} if without else {})}})
    return world_a, world_b, labels, without + sum(elsewhere)


@settings(max_examples=25, deadline=None)
@given(insider_worlds(), st.integers(0, 2**32 - 1))
def test_an_insider_with_k_minus_1_devices_never_learns_the_victims_topic_for_certain(
    worlds: tuple[TrueCounts, TrueCounts, dict[str, str], int], seed: int
) -> None:
    world_a, world_b, labels, others_reporting = worlds
    # The victim's report of the topic changes two cells: its code's and the total's.
    targets: list[Cell] = [("item", "v", *TOPIC), ("item", "", *TOPIC)]

    def fixed(cell: Cell) -> int:  # the other cells' noise: arbitrary but the same in both worlds
        return (hash((seed, cell)) % 11) - 5

    p_a = distribution(world_a, labels, targets, fixed)
    p_b = distribution(world_b, labels, targets, fixed)
    assert max(p_a.values()) < 1 and max(p_b.values()) < 1  # no report is certain in either world
    bound = math.exp(len(targets) * EPSILON)
    if others_reporting:
        # Some other device reported the topic, so both cells exist in both worlds: pure DP. Every
        # report the insider can see is at most e^(2 epsilon) times likelier in one world than in the
        # other: the outputs overlap completely and the insider's belief moves by at most that factor.
        for report_ in set(p_a) | set(p_b):
            a, b = p_a.get(report_, 0.0), p_b.get(report_, 0.0)
            assert a <= bound * b + SLACK and b <= bound * a + SLACK
    else:
        # Only the victim reported the topic: the reports differ only when one of its two noisy cells
        # reaches the threshold, which happens with probability delta (docs/stats.md).
        delta = sum(max(0.0, a - bound * p_b.get(r, 0.0)) for r, a in p_a.items())
        alpha = math.exp(-EPSILON)
        assert delta <= 2 * alpha ** (ITEM_THRESHOLD - 1) / (1 + alpha) + SLACK
        assert delta < 0.015


@settings(max_examples=100, deadline=None)
@given(st.integers(K, 40), st.integers(0, 2**32 - 1))
def test_the_victims_presence_in_a_published_code_is_deniable(others: int, seed: int) -> None:
    """Victim present or absent in a code that has at least K established devices without it."""
    labels = {"v": "Victim's team"}
    present = TrueCounts({"v": others + 1}, {})
    absent = TrueCounts({"v": others}, {})
    target: Cell = ("devices", "v")

    def fixed(cell: Cell) -> int:
        return (hash((seed, cell)) % 11) - 5

    p_a = distribution(present, labels, [target], fixed)
    p_b = distribution(absent, labels, [target], fixed)
    assert max(p_a.values()) < 1 and max(p_b.values()) < 1
    for report_ in set(p_a) | set(p_b):  # the same reports are possible either way, within e^epsilon
        a, b = p_a.get(report_, 0.0), p_b.get(report_, 0.0)
        assert a <= math.exp(EPSILON) * b + SLACK and b <= math.exp(EPSILON) * a + SLACK


async def test_a_published_report_is_frozen_so_asking_again_cannot_average_the_noise(
    admin: Actor, client: httpx.AsyncClient, clock: ManualClock, code: str, settings: Settings
) -> None:
    """With the production noise on: the first answer is stored and served from then on."""
    assert settings.stats_noise is True
    devices = await register(client, clock, code, 30)
    for day in (date(2026, 11, 2), date(2026, 11, 3)):
        at(clock, day)
        await use(devices, ("topic", "pesten"))
    at(clock, date(2026, 12, 2))
    first = await report(client, clock, admin, "2026-11")
    for _ in range(4):
        clock.advance(timedelta(minutes=5))
        assert await report(client, clock, admin, "2026-11") == first


def test_the_test_settings_keep_the_production_noise(tmp_path: Path) -> None:
    assert make_test_settings("sqlite+aiosqlite://", tmp_path).stats_noise is True
