"""Aggregated statistics of an org for one fixed period, with k >= 5 suppression (docs/stats.md)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import OrgCode
from server.models.messaging import Device, UsageCounter
from server.services.periods import Period
from server.services.stats_suppression import Decision, K, decide, round_published


class PeriodNotOver(ValueError):
    """Statistics of a period are published only once it (and the month it is compared with) ended."""


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def device_counts(db: AsyncSession, codes: list[str], period: Period) -> dict[str, int]:
    """Devices per code registered by the period's end and last seen at or after its start."""
    rows = await db.execute(
        select(Device.org_code, func.count())
        .where(
            Device.org_code.in_(codes),
            Device.created_at < _start_of(period.last + timedelta(days=1)),
            Device.last_seen >= period.first,
        )
        .group_by(Device.org_code)
    )
    found = {code: int(n) for code, n in rows.all()}
    return {code: found.get(code, 0) for code in codes}


async def event_counts(
    db: AsyncSession, codes: list[str], period: Period
) -> dict[str, dict[str, dict[str, int]]]:
    rows = await db.execute(
        select(UsageCounter.org_code, UsageCounter.kind, UsageCounter.item, func.sum(UsageCounter.count))
        .where(
            UsageCounter.org_code.in_(codes),
            UsageCounter.day >= period.first,
            UsageCounter.day <= period.last,
        )
        .group_by(UsageCounter.org_code, UsageCounter.kind, UsageCounter.item)
    )
    out: dict[str, dict[str, dict[str, int]]] = {}
    for code, kind, item, n in rows.all():
        out.setdefault(code, {}).setdefault(kind, {})[item] = int(n)
    return out


def _published_counts(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Counts below K are left out, the rest rounded to a multiple of 5."""
    out: dict[str, dict[str, int]] = {}
    for kind, items in sorted(counts.items()):
        kept = {item: round_published(n) for item, n in sorted(items.items()) if n >= K}
        if kept:
            out[kind] = kept
    return out


async def org_stats(db: AsyncSession, org_id: uuid.UUID, period: Period, today: date) -> dict[str, Any]:
    month = period.enclosing_month()
    if not period.ended_before(today) or (month is not None and not month.ended_before(today)):
        raise PeriodNotOver(
            "statistics are published once the period has ended "
            "(an ISO week inside a month: once the month has)"
        )
    code_rows = list(await db.execute(select(OrgCode.code, OrgCode.label).where(OrgCode.org_id == org_id)))
    codes = [c for c, _ in code_rows]
    labels = dict((c, label) for c, label in code_rows)
    current = await device_counts(db, codes, period)
    parent: tuple[dict[str, int], Decision] | None = None
    if month is not None:
        month_counts = await device_counts(db, codes, month)
        parent = (month_counts, decide(month_counts))
    decision = decide(current, parent)
    events = await event_counts(db, codes, period)
    out_codes = []
    for code in sorted(codes, key=lambda c: (labels[c], c)):
        hidden = code in decision.suppressed
        out_codes.append(
            {
                "label": labels[code],
                "devices": None if hidden else round_published(current[code]),
                "suppressed": hidden,
                "counts": {} if hidden else _published_counts(events.get(code, {})),
            }
        )
    totals: dict[str, dict[str, int]] = {}
    for per_code in events.values():
        for kind, items in per_code.items():
            for item, n in items.items():
                totals.setdefault(kind, {})[item] = totals.get(kind, {}).get(item, 0) + n
    total_shown = decision.total_published
    return {
        "period": period.name,
        "org_id": str(org_id),
        "codes": out_codes,
        "total": {
            "devices": round_published(sum(current.values())) if total_shown else None,
            "suppressed": not total_shown,
            "counts": _published_counts(totals) if total_shown else {},
        },
    }
