"""Issue 9 item 12: feedback sent with a device id is in that device's export and goes with the device
(``DELETE /v1/device`` and the idle-device purge); all feedback goes ``feedback_retention_days`` after it
was sent, by the retention job."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from kit.reporter import RawReporter
from sqlalchemy import select

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.jobs import run_job
from opgelucht_relay.models.messaging import Feedback


async def _feedback_texts(ctx: AppContext) -> set[str]:
    async with ctx.db.sessions() as db:
        return set(await db.scalars(select(Feedback.text)))


async def _send(client: httpx.AsyncClient, text: str, device_id: uuid.UUID | None = None) -> None:
    body = {"text": text, "app_version": "1.2.3", "session_code": "S-1"}
    if device_id is not None:
        body["device_id"] = str(device_id)
    assert (await client.post("/v1/feedback", json=body)).status_code == 201


async def test_device_feedback_is_exported_and_deleted_with_the_device(
    client: httpx.AsyncClient, ctx: AppContext, reporter: RawReporter
) -> None:
    await _send(client, "mine", reporter.device_id)
    await _send(client, "another device's", uuid.uuid4())
    await _send(client, "anonymous")
    export = await reporter.call("GET", "/v1/device/export")
    assert export.status_code == 200
    exported = export.json()["feedback"]
    assert [(f["text"], f["app_version"], f["session_code"]) for f in exported] == [("mine", "1.2.3", "S-1")]
    assert isinstance(exported[0]["created_at"], int) and uuid.UUID(exported[0]["id"])
    assert (await reporter.call("DELETE", "/v1/device")).status_code == 204
    assert await _feedback_texts(ctx) == {"another device's", "anonymous"}


async def test_feedback_goes_after_its_retention_and_with_an_idle_device(
    client: httpx.AsyncClient, ctx: AppContext, clock: ManualClock, reporter: RawReporter
) -> None:
    days = ctx.settings.feedback_retention_days
    assert days == 180  # the documented default
    await _send(client, "old")
    clock.advance(timedelta(days=days - 1))
    await _send(client, "newer")
    clock.advance(timedelta(days=1, seconds=1))
    await run_job(ctx, "retention")
    assert await _feedback_texts(ctx) == {"newer"}
    # an idle device goes with everything it owns, its feedback included
    fresh = RawReporter(client, clock, reporter.org_code)
    assert (await fresh.register()).status_code == 201
    await _send(client, "from a device about to go idle", fresh.device_id)
    clock.advance(timedelta(days=ctx.settings.device_idle_purge_days + 1))
    await run_job(ctx, "retention")
    assert "from a device about to go idle" not in await _feedback_texts(ctx)
