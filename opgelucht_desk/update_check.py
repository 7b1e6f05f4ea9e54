"""The app's update check (Qt-free): at start and once a day, fetch the signed release manifest and say
whether a verified newer release exists; download its installer only when the user asks.

What goes over the network is one plain ``GET`` of the manifest URL (and, after the user clicks, of the
installer beside it) with a generic ``User-Agent: OpgeluchtDesk/<version>``: no account, relay,
organisation, counts or cookies (a fresh client per check keeps none). TLS is verified. Nothing is ever
installed or run: the verified installer is saved for the user or IT to install. IT turns the check off
or points it elsewhere with the presets in `opgelucht_desk.preset` (docs/install-it.md); an unusable
preset turns it off too. Failures are quiet (logged by kind and host only) and retried an hour later; a
refused manifest (bad signature, expired, downgrade) is reported as a refusal, never as an offer.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from opgelucht_desk import __version__
from opgelucht_desk.preset import PresetError, UpdatePreset, update_preset
from opgelucht_desk.updates import (
    ManifestExpiredError,
    ManifestFormatError,
    ManifestSignatureError,
    NoArtefactError,
    RollbackError,
    UpdateError,
    UpdateOffer,
    download_artefact,
    find_update,
    load_release_keys,
)

log = logging.getLogger(__name__)

# Where this build looks for its signed release manifest unless IT presets another (`UpdateUrl`).
DEFAULT_MANIFEST_URL = "https://updates.opgelucht.nl/desk/manifest.json"
USER_AGENT = f"OpgeluchtDesk/{__version__}"
CHECK_INTERVAL = 24 * 3600.0  # after a check that got an answer (offer, none, refusal)
RETRY_INTERVAL = 3600.0  # after a network failure
TICK = 600.0  # the daily loop looks at the wall clock this often (a suspended laptop catches up)
TIMEOUT = 30.0
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Outcome(enum.StrEnum):
    OFFER = "offer"  # a verified newer release for this platform
    UP_TO_DATE = "up_to_date"
    REFUSED = "refused"  # the manifest was refused: never an offer
    FAILED = "failed"  # network or server trouble: retried later


class Refusal(enum.StrEnum):
    SIGNATURE = "signature"
    EXPIRED = "expired"
    DOWNGRADE = "downgrade"
    MALFORMED = "malformed"
    NO_RELEASE_KEY = "no_release_key"  # this build pins no release key
    NO_PLATFORM = "no_platform"  # the release has no installer for this computer


class UpdatesDisabledError(Exception):
    """The check is off (IT turned it off, or its preset is unusable): nothing was sent."""


@dataclass(frozen=True)
class UpdatePolicy:
    """Whether the app may check, and where (from IT's presets)."""

    manifest_url: str = DEFAULT_MANIFEST_URL
    it_disabled: bool = False
    it_source: str | None = None  # where IT's setting came from, for the Settings page
    problem: str | None = None  # the preset exists but is unusable (then the check is off)

    @property
    def allowed(self) -> bool:
        return not self.it_disabled and self.problem is None

    @classmethod
    def from_preset(cls, read: Callable[[], UpdatePreset] = update_preset) -> UpdatePolicy:
        try:
            preset = read()
        except PresetError as exc:
            return cls(problem=str(exc))
        return cls(
            manifest_url=preset.manifest_url or DEFAULT_MANIFEST_URL,
            it_disabled=not preset.enabled,
            it_source=preset.source,
        )


@dataclass(frozen=True)
class CheckResult:
    outcome: Outcome
    checked_at: float  # unix seconds
    offer: UpdateOffer | None = None
    refusal: Refusal | None = None


class UpdateListener(Protocol):
    def update_checked(self, result: CheckResult) -> None: ...


def redacted(url: str) -> str:
    """``scheme://host/path`` of `url`: what may be logged (no query values, no credentials)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"


async def _refuse_plain_http(request: httpx.Request) -> None:
    """No redirect may leave TLS (plain http only to this computer, as for the relay)."""
    if request.url.scheme != "https" and request.url.host not in _LOOPBACK_HOSTS:
        raise httpx.UnsupportedProtocol("the update check only follows https:// URLs")


class UpdateChecker:
    """One app-wide checker. `set_automatic(True)` runs the check now and then daily; `check_now` once."""

    def __init__(
        self,
        policy: UpdatePolicy,
        *,
        installed_version: str = __version__,
        trusted_keys: Sequence[bytes] | None = None,
        platform: str | None = None,
        clock: Callable[[], float] = time.time,
        interval: float = CHECK_INTERVAL,
        retry_interval: float = RETRY_INTERVAL,
        tick: float = TICK,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self.installed_version = installed_version
        self._trusted_keys = trusted_keys
        self._platform = platform
        self._clock = clock
        self._interval = interval
        self._retry_interval = retry_interval
        self._tick = tick
        self._transport = transport
        self._listeners: list[UpdateListener] = []
        self._lock = asyncio.Lock()
        self._loop_task: asyncio.Task[None] | None = None
        self.last: CheckResult | None = None

    def add_listener(self, listener: UpdateListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: UpdateListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @property
    def automatic(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    def set_automatic(self, on: bool) -> None:
        """Start (check now, then daily) or stop the automatic check; off when IT turned it off."""
        if on and self.policy.allowed and not self.automatic:
            self._loop_task = asyncio.ensure_future(self._run())
        elif not on and self._loop_task is not None:
            self._loop_task.cancel()
            self._loop_task = None

    async def stop(self) -> None:
        task, self._loop_task = self._loop_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _client(self) -> httpx.AsyncClient:
        # A fresh client each time: no cookie or connection outlives one check or download.
        return httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT},
            timeout=TIMEOUT,
            verify=True,
            transport=self._transport,
            event_hooks={"request": [_refuse_plain_http]},
        )

    async def check_now(self) -> CheckResult:
        """Fetch and verify the manifest once; tell the listeners. Never raises for a failed check."""
        if not self.policy.allowed:
            raise UpdatesDisabledError("the update check is turned off by IT")
        async with self._lock:
            result = await self._check()
            self.last = result
        for listener in list(self._listeners):
            listener.update_checked(result)
        return result

    async def _check(self) -> CheckResult:
        now = self._clock()
        try:
            keys = load_release_keys() if self._trusted_keys is None else tuple(self._trusted_keys)
        except (UpdateError, OSError, ValueError) as exc:
            log.warning("update check: the pinned release keys are unusable (%s)", type(exc).__name__)
            keys = ()
        if not keys:  # nothing could be verified: ask nobody
            return CheckResult(Outcome.REFUSED, now, refusal=Refusal.NO_RELEASE_KEY)
        try:
            async with self._client() as client:
                offer = await find_update(
                    client,
                    self.policy.manifest_url,
                    installed_version=self.installed_version,
                    platform=self._platform,
                    trusted_keys=keys,
                    now=int(now),
                )
        except httpx.HTTPError as exc:
            log.info("update check failed (%s) at %s", type(exc).__name__, redacted(self.policy.manifest_url))
            return CheckResult(Outcome.FAILED, now)
        except UpdateError as exc:
            refusal = _refusal(exc)
            log.warning("update manifest refused (%s) from %s", refusal, redacted(self.policy.manifest_url))
            return CheckResult(Outcome.REFUSED, now, refusal=refusal)
        if offer is None:
            return CheckResult(Outcome.UP_TO_DATE, now)
        return CheckResult(Outcome.OFFER, now, offer=offer)

    async def download(self, offer: UpdateOffer, directory: Path) -> Path:
        """The offer's installer saved in `directory` once it matches the signed manifest; never run.

        Raises `ArtefactMismatchError` (the file is deleted) or ``httpx.HTTPError``.
        """
        if not self.policy.allowed:
            raise UpdatesDisabledError("the update check is turned off by IT")
        async with self._client() as client:  # the timeout bounds each read, not the whole download
            return await download_artefact(client, offer, directory)

    def _next_due(self) -> float:
        last = self.last
        if last is None:
            return self._clock()
        wait = self._retry_interval if last.outcome is Outcome.FAILED else self._interval
        return last.checked_at + wait

    async def _run(self) -> None:
        while True:
            if self._clock() >= self._next_due():
                try:
                    await self.check_now()
                except Exception as exc:  # a listener failed: keep the daily check alive
                    log.error("update check listener failed: %s", type(exc).__name__)
            await asyncio.sleep(max(0.0, min(self._tick, self._next_due() - self._clock())))


def _refusal(exc: UpdateError) -> Refusal:
    if isinstance(exc, ManifestSignatureError):
        return Refusal.SIGNATURE
    if isinstance(exc, ManifestExpiredError):
        return Refusal.EXPIRED
    if isinstance(exc, RollbackError):
        return Refusal.DOWNGRADE
    if isinstance(exc, ManifestFormatError):
        return Refusal.MALFORMED
    if isinstance(exc, NoArtefactError):
        return Refusal.NO_PLATFORM
    return Refusal.MALFORMED
