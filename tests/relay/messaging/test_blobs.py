"""File blobs on both backends (docs/api.md "File blobs"): upload and download by the conversation's
device and its org's counsellors, idempotent retries, 404 across orgs, devices and conversations, 413
before the body is read, 429, and deletion with retention and with the device."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from kit.actors import Actor, create_org_with_admin, enrol_admin
from kit.reporter import RawReporter, seal
from sqlalchemy import func, select

from opgelucht_desk.protocol.blob import blob_length, new_file_key, seal_blob
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.models.blobs import Blob
from opgelucht_relay.services.blob_store import FileBlobStore
from opgelucht_relay.services.retention import retention_job

CANARY = b"KANARIE-in-een-bestand-8812"


async def conversation(admin: Actor, reporter: RawReporter) -> uuid.UUID:
    conv = uuid.uuid4()
    envelope = seal(conv, reporter.keys, [admin.device_keys.enc_pk, reporter.keys.enc_pk], b"hello")
    assert (await reporter.post(conv, envelope)).status_code == 201
    return conv


def a_blob(data: bytes = CANARY * 100) -> bytes:
    return seal_blob(data, new_file_key())


async def put(reporter: RawReporter, conv: uuid.UUID, blob_id: uuid.UUID, body: bytes) -> httpx.Response:
    path = f"/v1/device/conversations/{conv}/blobs/{blob_id}"
    headers = {**reporter.sign("PUT", path, body), "Content-Type": "application/octet-stream"}
    return await reporter.client.put(path, content=body, headers=headers)


async def test_upload_download_and_idempotent_retry(
    admin: Actor, reporter: RawReporter, client: httpx.AsyncClient, ctx: AppContext
) -> None:
    conv = await conversation(admin, reporter)
    blob, blob_id = a_blob(), uuid.uuid4()
    first = await put(reporter, conv, blob_id, blob)
    assert first.status_code == 201, first.text
    assert first.json()["size"] == len(blob) == blob_length(len(CANARY * 100))
    again = await put(reporter, conv, blob_id, blob)
    assert again.status_code == 200 and again.json() == first.json()
    other = await put(reporter, conv, blob_id, a_blob())
    assert other.status_code == 409
    got = await reporter.call("GET", f"/v1/device/conversations/{conv}/blobs/{blob_id}")
    assert got.status_code == 200 and got.content == blob
    assert got.headers["content-type"] == "application/octet-stream"
    staff = await client.get(f"/v1/inbox/conversations/{conv}/blobs/{blob_id}", headers=admin.headers)
    assert staff.status_code == 200 and staff.content == blob
    # A counsellor's attachment of a reply.
    reply_blob, reply_id = a_blob(b"antwoord"), uuid.uuid4()
    up = await client.put(
        f"/v1/inbox/conversations/{conv}/blobs/{reply_id}", content=reply_blob, headers=admin.headers
    )
    assert up.status_code == 201, up.text
    down = await reporter.call("GET", f"/v1/device/conversations/{conv}/blobs/{reply_id}")
    assert down.content == reply_blob
    if isinstance(ctx.blobs, FileBlobStore):
        assert (ctx.settings.data_dir / "blobs" / str(blob_id)).read_bytes() == blob
    else:
        assert not (ctx.settings.data_dir / "blobs").exists()


async def test_a_failed_upload_is_retried_after_the_file_was_lost(
    admin: Actor, reporter: RawReporter, ctx: AppContext
) -> None:
    conv = await conversation(admin, reporter)
    blob, blob_id = a_blob(), uuid.uuid4()
    assert (await put(reporter, conv, blob_id, blob)).status_code == 201
    await ctx.blobs.remove([blob_id])  # as if the disk write was lost after the row committed
    assert (await put(reporter, conv, blob_id, blob)).status_code == 200
    got = await reporter.call("GET", f"/v1/device/conversations/{conv}/blobs/{blob_id}")
    assert got.content == blob


async def test_other_orgs_devices_and_conversations_get_404(
    admin: Actor,
    reporter: RawReporter,
    client: httpx.AsyncClient,
    clock: ManualClock,
    ctx: AppContext,
) -> None:
    conv = await conversation(admin, reporter)
    blob_id = uuid.uuid4()
    assert (await put(reporter, conv, blob_id, a_blob())).status_code == 201
    # Another device of the same org.
    other = RawReporter(client, clock, reporter.org_code)
    assert (await other.register()).status_code == 201
    other_conv = await conversation(admin, other)
    assert (await other.call("GET", f"/v1/device/conversations/{conv}/blobs/{blob_id}")).status_code == 404
    moved = await other.call("GET", f"/v1/device/conversations/{other_conv}/blobs/{blob_id}")
    assert moved.status_code == 404
    assert (await put(other, conv, uuid.uuid4(), a_blob())).status_code == 404
    assert (await put(other, other_conv, blob_id, a_blob())).status_code == 404  # someone else's id
    # The blob under another conversation of the same device.
    second = await conversation(admin, reporter)
    assert (
        await reporter.call("GET", f"/v1/device/conversations/{second}/blobs/{blob_id}")
    ).status_code == 404
    # Another org's counsellor.
    org_id, invitation = await create_org_with_admin(ctx, "Andere Organisatie")
    stranger = await enrol_admin(client, clock, org_id, invitation, username="stranger")
    path = f"/v1/inbox/conversations/{conv}/blobs/{blob_id}"
    assert (await client.get(path, headers=stranger.headers)).status_code == 404
    put_other = await client.put(
        f"/v1/inbox/conversations/{conv}/blobs/{uuid.uuid4()}", content=a_blob(), headers=stranger.headers
    )
    assert put_other.status_code == 404
    assert (await client.get(path)).status_code == 401


async def test_bad_and_oversized_bodies(admin: Actor, reporter: RawReporter, ctx: AppContext) -> None:
    conv = await conversation(admin, reporter)
    bad = await put(reporter, conv, uuid.uuid4(), b"not a blob" * 100)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_blob"
    cut = await put(reporter, conv, uuid.uuid4(), a_blob()[:-1])
    assert cut.status_code == 400
    limit = blob_length(ctx.settings.max_file_bytes)
    too_big = await put(reporter, conv, uuid.uuid4(), bytes(limit + 1))
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"


async def test_oversized_upload_is_refused_before_the_body_is_read(
    admin: Actor, reporter: RawReporter, ctx: AppContext, client: httpx.AsyncClient
) -> None:
    """A declared Content-Length over the limit: 413 without a byte of the body consumed; a body that
    streams past the limit without a length: 413 as soon as the count passes it."""
    conv = await conversation(admin, reporter)
    limit = blob_length(ctx.settings.max_file_bytes)
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        chunk = bytes(64 * 1024)
        for _ in range(limit // len(chunk) + 10):
            sent += len(chunk)
            yield chunk

    path = f"/v1/inbox/conversations/{conv}/blobs/{uuid.uuid4()}"
    declared = await client.put(
        path, content=body(), headers={**admin.headers, "Content-Length": str(limit + 1)}
    )
    assert declared.status_code == 413
    streamed = await client.put(path, content=body(), headers=admin.headers)
    assert streamed.status_code == 413
    assert sent < 2 * (limit + 10 * 64 * 1024)  # the second upload stopped at the limit, not at the end


async def test_uploads_are_rate_limited(admin: Actor, reporter: RawReporter, ctx: AppContext) -> None:
    conv = await conversation(admin, reporter)
    blob = a_blob(b"x")
    statuses = [
        (await put(reporter, conv, uuid.uuid4(), blob)).status_code
        for _ in range(ctx.settings.blob_uploads_burst + 1)
    ]
    assert statuses[:-1] == [201] * ctx.settings.blob_uploads_burst
    assert statuses[-1] == 429


async def test_blobs_go_with_retention_and_with_the_device(
    admin: Actor, reporter: RawReporter, ctx: AppContext, clock: ManualClock
) -> None:
    conv = await conversation(admin, reporter)
    old, new = uuid.uuid4(), uuid.uuid4()
    assert (await put(reporter, conv, old, a_blob())).status_code == 201
    clock.advance(timedelta(days=20))
    assert (await put(reporter, conv, new, a_blob())).status_code == 201
    # The FILE message that refers to it keeps the conversation alive.
    envelope = seal(conv, reporter.keys, [admin.device_keys.enc_pk], b"file", seq=2)
    assert (await reporter.post(conv, envelope)).status_code == 201
    clock.advance(timedelta(days=11))
    assert (await reporter.call("GET", f"/v1/device/conversations/{conv}/blobs/{old}")).status_code == 404
    await retention_job(ctx)
    async with ctx.db.sessions() as db:
        assert list(await db.scalars(select(Blob.blob_id))) == [new]
    if isinstance(ctx.blobs, FileBlobStore):
        old_file = ctx.settings.data_dir / "blobs" / str(old)
        if old_file.exists():  # the sweep waits for a grace period after the row went
            past = time.time() - 3600
            os.utime(old_file, (past, past))
            await retention_job(ctx)
        assert not old_file.exists()
    assert (await reporter.call("DELETE", "/v1/device")).status_code == 204
    async with ctx.db.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Blob)) == 0
    if isinstance(ctx.blobs, FileBlobStore):
        assert not (ctx.settings.data_dir / "blobs" / str(new)).exists()


@pytest.mark.parametrize("n", [4])
async def test_parallel_retries_store_one_blob(admin: Actor, reporter: RawReporter, n: int) -> None:
    conv = await conversation(admin, reporter)
    blob, blob_id = a_blob(), uuid.uuid4()
    results = await asyncio.gather(*(put(reporter, conv, blob_id, blob) for _ in range(n)))
    assert sorted(r.status_code for r in results) == [200] * (n - 1) + [201]
