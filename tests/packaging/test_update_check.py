"""The app's update check over real HTTP (a recording release site on 127.0.0.1): a verified newer release
is an offer; the same version is none; a tampered, foreign-signed, expired or downgrade manifest is a
refusal, never an offer; IT's "off" sends nothing; the request carries nothing about the user; the
daily check runs at start and again when due, and a failure is retried."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui.update_site import INSTALLER, KEY, UpdateSite

from opgelucht_desk import __version__
from opgelucht_desk.protocol import b64d, b64e, generate_signing_seed
from opgelucht_desk.update_check import (
    CheckResult,
    Outcome,
    Refusal,
    UpdateChecker,
    UpdatePolicy,
    UpdatesDisabledError,
)
from opgelucht_desk.updates import ArtefactMismatchError, current_platform

INSTALLED = "1.2.3"
# What httpx sends by itself; anything else (cookies, authorisation, custom headers) would be data.
GENERIC_HEADERS = {"host", "accept", "accept-encoding", "connection", "user-agent"}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[UpdateSite]:
    with UpdateSite(tmp_path / "site") as running:
        yield running


def checker(site: UpdateSite, **kwargs: object) -> UpdateChecker:
    policy = kwargs.pop("policy", None) or UpdatePolicy(manifest_url=site.manifest_url)
    assert isinstance(policy, UpdatePolicy)
    return UpdateChecker(policy, installed_version=INSTALLED, trusted_keys=[KEY], **kwargs)  # type: ignore[arg-type]


async def test_a_newer_signed_release_is_offered_and_the_request_is_content_free(site: UpdateSite) -> None:
    site.publish("1.2.4")
    result = await checker(site).check_now()
    assert result.outcome is Outcome.OFFER and result.offer is not None
    assert str(result.offer.manifest.version) == "1.2.4"
    assert result.offer.url == site.base + INSTALLER
    [request] = site.requests
    assert (request.method, request.path) == ("GET", "/releases/manifest.json")
    assert set(request.headers) <= GENERIC_HEADERS
    assert request.headers["user-agent"] == f"OpgeluchtDesk/{__version__}"


async def test_the_same_version_is_no_offer(site: UpdateSite) -> None:
    site.publish(INSTALLED)
    result = await checker(site).check_now()
    assert (result.outcome, result.offer) == (Outcome.UP_TO_DATE, None)


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ("tampered", Refusal.SIGNATURE),
        ("foreign key", Refusal.SIGNATURE),
        ("unsigned", Refusal.MALFORMED),
        ("downgrade", Refusal.DOWNGRADE),
        ("expired", Refusal.EXPIRED),
        ("other platform", Refusal.NO_PLATFORM),
    ],
)
async def test_a_refused_manifest_is_never_an_offer(site: UpdateSite, change: str, refusal: Refusal) -> None:
    if change == "foreign key":
        site.publish("1.2.4", seed=generate_signing_seed())
    elif change == "downgrade":
        site.publish("1.2.2")
    elif change == "expired":
        site.publish("1.2.4", issued=1_700_000_000)
    elif change == "other platform":
        site.publish(
            "1.2.4", platform="windows-x86_64" if current_platform() != "windows-x86_64" else "linux-x86_64"
        )
    else:
        site.publish("1.2.4")
        envelope = json.loads((site.root / "releases" / "manifest.json").read_bytes())
        if change == "tampered":
            envelope["body"] = b64e(b64d(envelope["body"]).replace(b'"1.2.4"', b'"9.9.9"'))
        else:
            envelope = {"body": envelope["body"]}
        site.write_manifest(json.dumps(envelope).encode())
    result = await checker(site).check_now()
    assert (result.outcome, result.refusal, result.offer) == (Outcome.REFUSED, refusal, None)


async def test_it_preset_off_sends_no_request_at_all(site: UpdateSite) -> None:
    site.publish("1.2.4")
    off = checker(site, policy=UpdatePolicy(manifest_url=site.manifest_url, it_disabled=True))
    off.set_automatic(True)
    assert not off.automatic
    with pytest.raises(UpdatesDisabledError):
        await off.check_now()
    broken = checker(site, policy=UpdatePolicy(manifest_url=site.manifest_url, problem="bad value"))
    with pytest.raises(UpdatesDisabledError):
        await broken.check_now()
    await asyncio.sleep(0.2)
    assert site.requests == []


async def test_a_build_without_a_release_key_asks_nobody(site: UpdateSite) -> None:
    site.publish("1.2.4")
    keyless = UpdateChecker(UpdatePolicy(manifest_url=site.manifest_url), installed_version=INSTALLED)
    result = await keyless.check_now()  # the shipped release_keys.json of a development build is empty
    assert (result.outcome, result.refusal) == (Outcome.REFUSED, Refusal.NO_RELEASE_KEY)
    assert site.requests == []


async def test_a_failure_is_quiet_and_logs_no_query(
    site: UpdateSite, caplog: pytest.LogCaptureFixture
) -> None:
    policy = UpdatePolicy(manifest_url=site.manifest_url + "?channel=secret-value")
    with caplog.at_level(logging.DEBUG, logger="opgelucht_desk.update_check"):
        result = await checker(site, policy=policy).check_now()  # nothing published: 404
    assert result.outcome is Outcome.FAILED
    assert "secret-value" not in caplog.text and "127.0.0.1" in caplog.text


async def test_the_automatic_check_runs_at_start_then_when_due_and_retries_failures(site: UpdateSite) -> None:
    now = [1_900_000_000.0]
    results: list[CheckResult] = []

    class Listener:
        def update_checked(self, result: CheckResult) -> None:
            results.append(result)

    daily = checker(site, clock=lambda: now[0], interval=1000.0, retry_interval=100.0, tick=0.02)
    daily.add_listener(Listener())
    daily.set_automatic(True)  # nothing published yet: the first check fails
    for _ in range(100):
        if results:
            break
        await asyncio.sleep(0.02)
    assert [r.outcome for r in results] == [Outcome.FAILED]
    site.publish("1.2.4", issued=int(now[0]) - 60)
    await asyncio.sleep(0.2)
    assert len(results) == 1  # not due yet
    now[0] += 100  # the retry is due
    for _ in range(100):
        if len(results) == 2:
            break
        await asyncio.sleep(0.02)
    assert results[-1].outcome is Outcome.OFFER
    now[0] += 500
    await asyncio.sleep(0.2)
    assert len(results) == 2  # a day (here 1000 s) after an answer
    now[0] += 500
    for _ in range(100):
        if len(results) == 3:
            break
        await asyncio.sleep(0.02)
    assert len(results) == 3
    await daily.stop()
    assert not daily.automatic
    assert all(r.path == "/releases/manifest.json" for r in site.requests)


async def test_download_is_verified_and_a_mismatch_is_deleted(site: UpdateSite, tmp_path: Path) -> None:
    payload = site.publish("1.2.4")
    updates = checker(site)
    result = await updates.check_now()
    assert result.offer is not None
    saved = await updates.download(result.offer, tmp_path / "Downloads")
    assert saved.read_bytes() == payload
    assert saved.stat().st_mode & 0o111 == 0  # saved as data, not made executable
    site.replace_installer(bytes([payload[0] ^ 1]) + payload[1:])
    with pytest.raises(ArtefactMismatchError):
        await updates.download(result.offer, tmp_path / "Other")
    assert list((tmp_path / "Other").iterdir()) == []
    assert {r.path for r in site.requests} == {"/releases/manifest.json", "/releases/" + INSTALLER}
    assert all(set(r.headers) <= GENERIC_HEADERS for r in site.requests)
