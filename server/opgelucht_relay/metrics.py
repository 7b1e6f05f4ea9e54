"""Prometheus counters, served on a listener of their own (never on the API's port): counts only, never
ids or content.

``/metrics`` follows the Prometheus convention of a separate port: ``metrics_host`` (loopback by default)
and ``metrics_port`` (0: off), optionally behind ``Authorization: Bearer <metrics_token>``. With
``serve --workers N`` the workers write their counters to a shared directory (prometheus_client's
multiprocess mode) and the supervisor's one listener serves their sum.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, disable_created_metrics, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from opgelucht_relay.config import Settings

log = logging.getLogger("opgelucht.relay")
CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

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
        # Outcomes: ok, refused (unknown user, wrong password and wrong code alike), throttled.
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


def _error(
    start_response: StartResponse, status: str, code: str, extra: Sequence[tuple[str, str]] = ()
) -> list[bytes]:
    body = json.dumps({"error": {"code": code, "message": status.split(" ", 1)[1] + "."}}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *extra]
    start_response(status, headers)
    return [body]


def metrics_wsgi_app(registry: CollectorRegistry, token: str | None) -> WSGIApplication:
    """``GET /metrics`` (with the bearer token when one is set); 404 for every other path."""
    expected = f"Bearer {token}".encode() if token else None

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            return _error(start_response, "404 Not Found", "not_found")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _error(start_response, "405 Method Not Allowed", "method_not_allowed", [("Allow", "GET")])
        given = str(environ.get("HTTP_AUTHORIZATION", "")).encode()
        if expected is not None and not hmac.compare_digest(given, expected):
            return _error(
                start_response, "401 Unauthorized", "unauthenticated", [("WWW-Authenticate", "Bearer")]
            )
        body = generate_latest(registry)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))])
        return [body]

    return app


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class _Server6(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # no client addresses in any log
        pass


class MetricsListenerError(Exception):
    """The metrics listener cannot listen where the settings say (the message says why)."""


class MetricsListener:
    """The metrics HTTP listener, in a daemon thread of its own."""

    def __init__(self, server: WSGIServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread

    @classmethod
    def start(cls, host: str, port: int, registry: CollectorRegistry, token: str | None) -> MetricsListener:
        """Listen on ``host:port`` (0: any free port); ``MetricsListenerError`` when that is not possible."""
        server_class = _Server6 if ":" in host else _Server
        try:
            server = make_server(
                host,
                port,
                metrics_wsgi_app(registry, token),
                server_class=server_class,
                handler_class=_QuietHandler,
            )
        except OSError as exc:
            raise MetricsListenerError(
                f"cannot listen for metrics on {host}:{port} (metrics_host, metrics_port): {exc.strerror}"
            ) from None
        thread = threading.Thread(target=server.serve_forever, name="metrics-listener", daemon=True)
        thread.start()
        return cls(server, thread)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def metrics_listener(settings: Settings, registry: CollectorRegistry) -> Iterator[MetricsListener | None]:
    """The listener of ``settings`` for ``registry`` while the block runs (None when metrics_port is 0)."""
    if not settings.metrics_port:
        yield None
        return
    token = settings.metrics_token.get_secret_value() or None
    listener = MetricsListener.start(settings.metrics_host, settings.metrics_port, registry, token)
    log.info(
        "metrics listener",
        extra={"host": settings.metrics_host, "port": listener.port, "token": token is not None},
    )
    try:
        yield listener
    finally:
        listener.stop()


@contextmanager
def workers_metrics_listener(settings: Settings) -> Iterator[MetricsListener | None]:
    """For ``serve --workers``: set up prometheus_client's multiprocess mode for the worker processes
    (started after this, they inherit the directory) and serve the sum of their counters."""
    if not settings.metrics_port:
        yield None
        return
    directory = tempfile.mkdtemp(prefix="opg-relay-metrics-")
    os.environ[MULTIPROCESS_ENV] = directory
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    try:
        with metrics_listener(settings, registry) as listener:
            yield listener
    finally:
        del os.environ[MULTIPROCESS_ENV]
        shutil.rmtree(directory, ignore_errors=True)
