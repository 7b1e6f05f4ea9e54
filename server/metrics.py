"""Prometheus counters for ``/metrics``: counts only, never ids or content."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, disable_created_metrics, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Counters only: no `*_created` gauges with process start times.
disable_created_metrics()  # type: ignore[no-untyped-call]


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._counters: dict[str, Counter] = {}
        self.requests = self.counter(
            "opg_http_requests",
            "HTTP requests by method, route template and status",
            ("method", "route", "status"),
        )
        self.logins = self.counter("opg_logins", "Counsellor login attempts by outcome", ("outcome",))

    def counter(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> Counter:
        """The counter ``name`` (created on first use). Label values must never be ids or content."""
        existing = self._counters.get(name)
        if existing is None:
            existing = Counter(name, documentation, labelnames, registry=self.registry)
            self._counters[name] = existing
        return existing

    def render(self) -> bytes:
        return generate_latest(self.registry)
