"""The messaging side's Prometheus counters (counts only: label values are fixed words, never ids)."""

from __future__ import annotations

from opgelucht_relay.metrics import Metrics


def message_stored(metrics: Metrics, channel: str, sender: str) -> None:
    """``channel`` chat/staff, ``sender`` device/counsellor."""
    metrics.counter(
        "opg_messages_stored", "Envelopes stored, by channel and kind of sender", ("channel", "sender")
    ).labels(channel, sender).inc()


def device_registered(metrics: Metrics) -> None:
    metrics.counter("opg_devices_registered", "Reporter devices registered").inc()


def device_registration_refused(metrics: Metrics) -> None:
    metrics.counter(
        "opg_device_registrations_refused", "Reporter registrations refused by the per-code rate limit"
    ).inc()


def device_registration_burst(metrics: Metrics) -> None:
    metrics.counter(
        "opg_device_registration_bursts", "Bursts of reporter registrations on one org code (audit log)"
    ).inc()


def usage_events_accepted(metrics: Metrics, n: int) -> None:
    metrics.counter("opg_usage_events", "Usage events accepted (aggregated counters)").inc(n)


def retention_deleted(metrics: Metrics, counts: dict[str, int]) -> None:
    counter = metrics.counter(
        "opg_retention_deleted", "Rows deleted by the retention job, by kind", ("kind",)
    )
    for kind, n in counts.items():
        counter.labels(kind).inc(n)
