"""Aggregated statistics of an org for one fixed period (docs/stats.md): distinct established devices,
k >= 5 suppression, geometric noise on every published cell, and a report frozen once published."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from opgelucht_relay.config import Settings
from opgelucht_relay.errors import BadRequest
from opgelucht_relay.models import OrgCode
from opgelucht_relay.models.messaging import StatsDay, StatsDevice, StatsItem, StatsReport, StatsSalt
from opgelucht_relay.services.periods import Period, parse_period
from opgelucht_relay.services.sql import insert_ignore, write_lock
from opgelucht_relay.services.stats_activity import bucket_of, discard_bucket
from opgelucht_relay.services.stats_noise import Noise, geometric_noise, no_noise
from opgelucht_relay.services.stats_suppression import Decision, K, decide, round_published

ITEM_THRESHOLD = 2 * K
"""A usage cell is published only when its *noisy* number of devices reaches this. Thresholding the noisy
value (not the true one) keeps a device's presence in a cell deniable; a threshold of 2K keeps the chance
that a cell only one device contributed to appears at all small (delta, docs/stats.md)."""

Cells = dict[tuple[str, str], int]


class PeriodNotOver(BadRequest):
    """Statistics of a period are published only once it (and the month it is compared with) ended."""


@dataclass(frozen=True)
class TrueCounts:
    """Distinct established devices of a period, per code and per code and usage cell."""

    devices: dict[str, int]
    items: dict[str, Cells]


def cell_epsilon(settings: Settings) -> float:
    """The epsilon of one cell: one device changes its code's device cell and, for at most
    ``stats_items_per_device`` usage cells, its code's cell and the total's, by 1 each; so a period
    costs it ``stats_epsilon`` at most."""
    return settings.stats_epsilon / (1 + 2 * settings.stats_items_per_device)


def noise_source(settings: Settings) -> Noise:
    return geometric_noise(cell_epsilon(settings)) if settings.stats_noise else no_noise


async def true_counts(db: AsyncSession, codes: list[str], period: Period) -> TrueCounts:
    """Devices counted in ``period``: registered well before its bucket began, active on at least two
    days of the bucket, and active in the period; each counted once per cell however often it sent."""
    bucket = bucket_of(period).name
    established = (
        select(StatsDevice.tag, StatsDevice.org_code)
        .join(StatsDay, (StatsDay.bucket == StatsDevice.bucket) & (StatsDay.tag == StatsDevice.tag))
        .where(StatsDevice.bucket == bucket, StatsDevice.org_code.in_(codes), StatsDevice.registered_early)
        .group_by(StatsDevice.tag, StatsDevice.org_code)
        .having(func.count() >= 2)
        .subquery()
    )
    active = select(StatsDay.tag).where(
        StatsDay.bucket == bucket, StatsDay.day >= period.first, StatsDay.day <= period.last
    )
    rows = await db.execute(
        select(established.c.org_code, func.count())
        .where(established.c.tag.in_(active))
        .group_by(established.c.org_code)
    )
    found = {code: int(n) for code, n in rows.all()}
    item_rows = await db.execute(
        select(established.c.org_code, StatsItem.kind, StatsItem.item, func.count(distinct(StatsItem.tag)))
        .join(established, StatsItem.tag == established.c.tag)
        .where(StatsItem.bucket == bucket, StatsItem.day >= period.first, StatsItem.day <= period.last)
        .group_by(established.c.org_code, StatsItem.kind, StatsItem.item)
    )
    items: dict[str, Cells] = {}
    for code, kind, item, n in item_rows.all():
        items.setdefault(code, {})[(kind, item)] = int(n)
    return TrueCounts({code: found.get(code, 0) for code in codes}, items)


def _shown_cells(noisy: Cells) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (kind, item), n in sorted(noisy.items()):
        if n >= ITEM_THRESHOLD:
            out.setdefault(kind, {})[item] = round_published(n)
    return out


def publish(
    period: Period,
    org_id: uuid.UUID,
    labels: dict[str, str],
    counts: TrueCounts,
    decision: Decision,
    noise: Noise,
) -> dict[str, Any]:
    """The report: suppression decided on the true numbers (k rule), every cell noised once; usage cells
    shown when their noisy value reaches ITEM_THRESHOLD; the total of devices is the sum of the noisy
    code cells (no further privacy loss), the totals of usage cells have noise of their own; rounding
    last."""
    noisy_devices = {c: counts.devices[c] + noise(("devices", c)) for c in sorted(labels)}
    # Every code gets a noisy value for every usage cell seen anywhere in the org (0 where none of its
    # devices touched it), so a code's cell and the totals built from it exist whether or not one given
    # device contributed; only a cell touched by no device at all is absent (delta, docs/stats.md).
    domain = sorted({cell for cells in counts.items.values() for cell in cells})
    noisy_items: dict[str, Cells] = {
        c: {cell: counts.items.get(c, {}).get(cell, 0) + noise(("item", c, *cell)) for cell in domain}
        for c in sorted(labels)
    }
    out_codes = []
    for code in sorted(labels, key=lambda c: (labels[c], c)):
        hidden = code in decision.suppressed
        out_codes.append(
            {
                "label": labels[code],
                "devices": None if hidden else round_published(max(K, noisy_devices[code])),
                "suppressed": hidden,
                "counts": {} if hidden else _shown_cells(noisy_items[code]),
            }
        )
    # The totals of the usage cells are noised on their own: summing the codes' noisy cells would let
    # the noise of codes nobody used there decide whether a cell only one device touched shows up.
    true_total: Cells = {}
    for cells in counts.items.values():
        for cell, n in cells.items():
            true_total[cell] = true_total.get(cell, 0) + n
    total_items = {cell: n + noise(("item", "", *cell)) for cell, n in sorted(true_total.items())}
    shown = decision.total_published
    # The k rule publishes a total of 0 or at least K true devices; an empty org shows 0.
    total = 0 if sum(counts.devices.values()) == 0 else round_published(max(K, sum(noisy_devices.values())))
    return {
        "period": period.name,
        "org_id": str(org_id),
        "codes": out_codes,
        "total": {
            "devices": total if shown else None,
            "suppressed": not shown,
            "counts": _shown_cells(total_items) if shown else {},
        },
    }


async def _compute(db: AsyncSession, org_id: uuid.UUID, period: Period, noise: Noise) -> dict[str, Any]:
    code_rows = list(await db.execute(select(OrgCode.code, OrgCode.label).where(OrgCode.org_id == org_id)))
    labels = {c: label for c, label in code_rows}
    codes = sorted(labels)
    current = await true_counts(db, codes, period)
    parent: tuple[dict[str, int], Decision] | None = None
    month = period.enclosing_month()
    if month is not None:
        month_counts = (await true_counts(db, codes, month)).devices
        parent = (month_counts, decide(month_counts))
    return publish(period, org_id, labels, current, decide(current.devices, parent), noise)


async def org_stats(
    db: AsyncSession, org_id: uuid.UUID, period: Period, today: date, noise: Noise
) -> dict[str, Any]:
    """The period's report: the frozen one when it was published before, else computed and frozen now
    (written once; concurrent first readers all get the one that was stored)."""
    month = period.enclosing_month()
    if not period.ended_before(today) or (month is not None and not month.ended_before(today)):
        raise PeriodNotOver(
            "statistics are published once the period has ended "
            "(an ISO week inside a month: once the month has)"
        )
    frozen = select(StatsReport.report).where(StatsReport.org_id == org_id, StatsReport.period == period.name)
    stored = (await db.execute(frozen)).scalar()
    if stored is None:
        report = await _compute(db, org_id, period, noise)
        async with write_lock(db):
            row = {
                "org_id": org_id, "period": period.name, "report": json.dumps(report, sort_keys=True),
                "frozen_at": datetime.now(UTC),
            }  # fmt: skip
            await insert_ignore(db, StatsReport, row)
            await db.commit()
        stored = (await db.execute(frozen)).scalar_one()
    result: dict[str, Any] = json.loads(stored)
    return result


async def close_buckets(db: AsyncSession, today: date, noise: Noise) -> int:
    """Freeze the reports of every org for the periods of each bucket that has ended (a month and the ISO
    weeks inside it, or a week across two months), then delete the bucket's activity and salt. Returns
    the number of buckets closed."""
    closed = 0
    for name in sorted(await db.scalars(select(StatsSalt.bucket))):
        bucket = parse_period(name)
        if not bucket.ended_before(today):
            continue
        orgs = await db.scalars(
            select(OrgCode.org_id)
            .join(StatsDevice, StatsDevice.org_code == OrgCode.code)
            .where(StatsDevice.bucket == name)
            .distinct()
        )
        for org_id in sorted(orgs):
            for period in [bucket, *bucket.weeks_inside()]:
                await org_stats(db, org_id, period, today, noise)
        async with write_lock(db):
            await discard_bucket(await db.connection(), name)
            await db.commit()
        closed += 1
    return closed
