"""The relay's hot paths (issue 12): a device's signed message post, a counsellor's post and a usage-event
batch, over the fastest storage path of the backend, with the guarantees of the SQLAlchemy path
(``messages.post_message``, ``usage_events.record_usage``) kept. docs/relay.md "Fast paths".

- The signature is checked against the device-key cache (``services/device_keys.py``), not a database
  read; a stale entry of a deleted device stores nothing (the nonce's foreign key refuses it).
- SQLite: the whole transaction is one job of the writer thread (``SqliteWriter``: group commit, the
  answer only after COMMIT; ``sqlite_post`` / ``usage_batch.sqlite_record_items``); the live event is
  published after the job returned, i.e. after the commit.
- PostgreSQL: device and counsellor posts are batched by the process's writer (``pg_writer``: group
  commit, one transaction per batch: nonces, seqs, one cursor bump per org, all messages in one
  statement, the events by ``pg_notify`` at commit; answered after COMMIT); its rare outcomes (a
  repeated msg_id, a conversation's first post, another's conversation) take the SQLAlchemy path.
  A usage batch is one asyncpg transaction: nonce, presence and one statement for the batch's cells
  (``usage_batch.pg_record_items``).
- Neither started (an app run without its lifespan): the SQLAlchemy path.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import bindparam, select

from opgelucht_desk.protocol.errors import RequestAuthError
from opgelucht_desk.protocol.request_auth import (
    HEADER_DEVICE,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    parse_request_headers,
    verify_parsed,
)
from opgelucht_relay.auth.sessions import authenticated_org, quick_org
from opgelucht_relay.auth.tokens import token_hash
from opgelucht_relay.clock import unix
from opgelucht_relay.context import AppContext
from opgelucht_relay.errors import (
    ApiError,
    bad_request,
    conflict,
    gone,
    not_found,
    rate_limited,
    unauthenticated,
)
from opgelucht_relay.models import OrgCode
from opgelucht_relay.models.messaging import CHANNEL_CHAT, Device
from opgelucht_relay.schemas import EnvelopeIn, EventsIn, b64_field, parse_body
from opgelucht_relay.services import messages
from opgelucht_relay.services.counters import usage_events_accepted
from opgelucht_relay.services.device_auth import (
    NONCE_TTL,
    SignedRequest,
    bad_signature,
    record_nonce,
    replayed_request,
)
from opgelucht_relay.services.device_keys import DeviceKey
from opgelucht_relay.services.live_events import MemoryBroker
from opgelucht_relay.services.orgs import normalise_code
from opgelucht_relay.services.pg_post import session_org as pg_session_org
from opgelucht_relay.services.pg_writer import PgOutcome, PgPost, PgUnavailable, PgWriter, Status
from opgelucht_relay.services.pg_writer import WriterClosed as PgWriterClosed
from opgelucht_relay.services.retention import message_lifetime
from opgelucht_relay.services.sqlite_post import (
    DeviceGone,
    NonceClaim,
    PostInput,
    PostResult,
    PostStatus,
    Replayed,
    SessionNeedsWrite,
    SessionUnknown,
    claim_job,
    claim_nonce,
    counsellor_job,
    post_job,
)
from opgelucht_relay.services.sqlite_post import record_presence as sqlite_presence
from opgelucht_relay.services.sqlite_writer import Job
from opgelucht_relay.services.usage_batch import pg_record_items, sqlite_record_items
from opgelucht_relay.services.usage_events import record_usage

_SIGNED = (HEADER_DEVICE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)
_SIGNED_NAMES = frozenset(name.lower().encode("latin-1") for name in _SIGNED)


def signed_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The request's four ``Opg-*`` headers from the ASGI scope's (lower-case) header list, in one
    pass: the signature check then reads a dict of four instead of scanning (and decoding) every
    header per lookup. A repeated one is left out, so the check refuses it as missing (401
    ``bad_signature``, as ``parse_request_headers`` refuses a repeated header)."""
    found: dict[str, str] = {}
    repeated: list[str] = []
    for name, value in raw:
        if name in _SIGNED_NAMES:
            key = name.decode("latin-1")
            if key in found:
                repeated.append(key)
            found[key] = value.decode("latin-1")
    for key in repeated:
        found.pop(key, None)
    return found


async def verify(
    ctx: AppContext, headers: Mapping[str, str], method: str, target: str, body: bytes, now: datetime
) -> tuple[DeviceKey, str]:
    """The device key and nonce of a correctly signed request; 401 ``bad_signature`` otherwise."""
    try:
        parsed = parse_request_headers(headers)
    except RequestAuthError:
        raise bad_signature() from None
    key = await ctx.device_keys.get(parsed.device_id)
    if key is None:
        raise bad_signature()  # an unknown device looks like a bad signature: no existence oracle
    try:
        _, _, nonce = verify_parsed(parsed, method, target, body, key.sign_pk, now=unix(now))
    except RequestAuthError:
        raise bad_signature() from None
    return key, nonce


def key_of(device: Device) -> DeviceKey:
    sign_pk = bytes(device.sign_pk)
    return DeviceKey(device.device_id, device.org_id, device.org_code, sign_pk, device.created_at)


def signed_of(key: DeviceKey, nonce: str, now: datetime) -> SignedRequest:
    """A ``SignedRequest`` for the SQLAlchemy path. ``last_seen`` is unknown here (not cached): a day
    that is never today, so its claim marks the day (idempotent: the same rows again)."""
    device = Device(
        device_id=key.device_id, org_id=key.org_id, org_code=key.org_code, sign_pk=key.sign_pk,
        created_at=key.created_at,
    )  # fmt: skip
    return SignedRequest(device, key.device_id, key.org_id, date.min, nonce, now)


def _claim(key: DeviceKey, nonce: str, now: datetime) -> NonceClaim:
    return NonceClaim(key.device_id, nonce, now + NONCE_TTL, now.date(), key.org_code, key.created_at)


async def _run(ctx: AppContext, job: Job[Any]) -> Any:
    assert ctx.writer is not None
    try:
        return await ctx.writer.run(job)
    except Replayed:
        raise replayed_request() from None
    except DeviceGone:
        raise bad_signature() from None
    except sqlite3.OperationalError as exc:
        # The database stayed locked by another writer beyond the busy timeout (10 s: a very long
        # retention pass): nothing of the job was kept; 503, the client posts again (idempotent).
        if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise ApiError(503, "unavailable") from None
        raise


def _answer(result: PostResult) -> messages.Posted:
    status = result.status
    if status is PostStatus.NOT_FOUND:
        raise not_found()  # another org's or another device's conversation looks like none at all
    if status is PostStatus.CONFLICT:
        raise conflict("This msg_id was already used with other bytes.")
    if status is PostStatus.GONE:
        raise gone("This message is no longer available.")
    if status is PostStatus.EXPIRED:
        raise gone("This message has expired.")
    return messages.Posted(result.stored_json(), result.created, result.seq, result.cursor)


async def device_post(
    ctx: AppContext, broker: MemoryBroker, key: DeviceKey, nonce: str, now: datetime, conv_id: uuid.UUID,
    raw_body: bytes,
) -> tuple[dict[str, Any], int]:  # fmt: skip
    """A device's signed post: the ``Stored`` object and 201 (stored) or 200 (the same again). The
    nonce is claimed whatever the outcome (a replay of any signed post is refused)."""
    retention = message_lifetime(ctx.settings.retention_days)
    if ctx.writer is not None:
        posted = await _sqlite_device_post(ctx, key, nonce, now, conv_id, raw_body, retention)
    elif ctx.pg_pool is not None:
        posted = await _pg_device_post(ctx, key, nonce, now, conv_id, raw_body, retention)
    else:
        async with ctx.db.sessions() as db:
            signed = signed_of(key, nonce, now)
            posted = await messages.post_from_device(db, signed, conv_id, raw_body, retention)
    await messages.announce(broker, ctx.metrics, key.org_id, conv_id, posted, CHANNEL_CHAT, "device")
    return posted.stored, 201 if posted.created else 200


def _envelope(conv_id: uuid.UUID, raw_body: bytes) -> tuple[bytes, uuid.UUID]:
    envelope = b64_field(parse_body(EnvelopeIn, raw_body).envelope, "envelope")
    return envelope, messages.check_envelope(envelope, conv_id)


async def _sqlite_device_post(
    ctx: AppContext, key: DeviceKey, nonce: str, now: datetime, conv_id: uuid.UUID, raw_body: bytes,
    retention: timedelta,
) -> messages.Posted:  # fmt: skip
    claim = _claim(key, nonce, now)
    try:
        envelope, msg_id = _envelope(conv_id, raw_body)
    except Exception:
        await _run(ctx, claim_job(claim))  # the nonce alone (401 when it was there already)
        raise
    post = PostInput(key.org_id, conv_id, msg_id, envelope, CHANNEL_CHAT, now, now + retention, key.device_id)
    day = claim.day
    seen = ctx.seen.known(key.device_id, key.created_at, day)
    result: PostResult = await _run(ctx, post_job(post, dataclasses.replace(claim, seen=seen)))
    ctx.seen.mark(key.device_id, key.created_at, day)  # committed: the nonce was claimed with its day
    return _answer(result)


async def _pg_device_post(
    ctx: AppContext, key: DeviceKey, nonce: str, now: datetime, conv_id: uuid.UUID, raw_body: bytes,
    retention: timedelta,
) -> messages.Posted:  # fmt: skip
    signed = signed_of(key, nonce, now)
    try:
        envelope, msg_id = _envelope(conv_id, raw_body)
    except Exception:
        async with ctx.db.sessions() as db:
            if not await record_nonce(db, signed):
                raise replayed_request() from None
        raise
    post = PgPost(
        key.org_id, conv_id, msg_id, envelope, CHANNEL_CHAT, now, now + retention, key.device_id, nonce,
        now + NONCE_TTL, key.created_at,
    )  # fmt: skip
    out = await _pg_write(ctx, post)
    if out.status is Status.REPLAYED:
        raise replayed_request()
    if out.status is Status.DEVICE_GONE:
        raise bad_signature()  # the device was deleted (a stale cached key)
    if out.status is Status.STORED:
        return _pg_stored(conv_id, msg_id, now, retention, out)
    async with ctx.db.sessions() as db:  # the nonce is committed
        if out.status is Status.TAKEN:  # only ever for this device's own conversation (pg_writer "mine")
            return await messages.repost(db, conv_id, msg_id, envelope, now)
        # No such conversation of this device yet (its first post), none at all, or the org's first
        # change (no cursor row yet): today's path.
        return await messages.post_message(
            db, org_id=key.org_id, conv_id=conv_id, envelope=envelope, channel=CHANNEL_CHAT, now=now,
            retention=retention, device_id=key.device_id,
        )  # fmt: skip


def _pg_writer(ctx: AppContext) -> PgWriter:
    """This process's PostgreSQL writer (group commit of posts, ``services/pg_writer.py``)."""
    writer: PgWriter | None = ctx.pg_writer
    if writer is None or writer.pool is not ctx.pg_pool:
        writer = ctx.pg_writer = PgWriter(ctx.pg_pool, ctx.salts, seen=ctx.seen)
    return writer


async def _pg_write(ctx: AppContext, post: PgPost) -> PgOutcome:
    try:
        return await _pg_writer(ctx).post(post)
    except (PgUnavailable, PgWriterClosed):
        # The database was unreachable or the connection dropped (even during COMMIT): nothing was
        # acknowledged; 503, the client posts again (idempotent by msg_id).
        raise ApiError(503, "unavailable") from None
    except asyncpg.ForeignKeyViolationError:
        raise bad_signature() from None  # the device was deleted during the post's retries


def _pg_stored(
    conv_id: uuid.UUID, msg_id: uuid.UUID, now: datetime, retention: timedelta, out: PgOutcome
) -> messages.Posted:
    assert out.seq is not None and out.cursor is not None
    stored = {
        "conv_id": str(conv_id), "msg_id": str(msg_id), "seq": out.seq, "cursor": out.cursor,
        "stored_at": unix(now), "expires_at": unix(now + retention),
    }  # fmt: skip
    return messages.Posted(stored, True, out.seq, out.cursor, notified=True)


async def counsellor_post(
    ctx: AppContext, broker: MemoryBroker, org_id: uuid.UUID, conv_id: uuid.UUID, envelope: bytes,
    channel: str,
) -> dict[str, Any]:  # fmt: skip
    """A counsellor's post to an existing conversation of their org; the ``Stored`` object."""
    now = ctx.clock.now()
    retention = message_lifetime(ctx.settings.retention_days)
    if ctx.writer is not None:
        msg_id = messages.check_envelope(envelope, conv_id)
        post = PostInput(org_id, conv_id, msg_id, envelope, channel, now, now + retention, None)
        posted = _answer(await _run(ctx, post_job(post, None)))
    elif ctx.pg_pool is not None:
        posted = await _pg_counsellor_post(ctx, org_id, conv_id, envelope, channel, now, retention)
    else:
        async with ctx.db.sessions() as db:
            posted = await messages.post_message(
                db, org_id=org_id, conv_id=conv_id, envelope=envelope, channel=channel, now=now,
                retention=retention, device_id=None,
            )  # fmt: skip
    await messages.announce(broker, ctx.metrics, org_id, conv_id, posted, channel, "counsellor")
    return posted.stored


Checked = Callable[[], tuple[uuid.UUID, bytes]]  # the request's conv_id and envelope, validated


async def session_org(ctx: AppContext, token: str, now: datetime) -> uuid.UUID:
    """The org of a counsellor's live session (``sessions.authenticated_org``); 401 otherwise. On
    PostgreSQL one asyncpg read first (``pg_post.session_org``); the full check when it is not enough."""
    if ctx.pg_pool is not None:
        settings = ctx.settings

        def rule(
            expires_at: datetime, last_used_at: datetime, status: str, org: uuid.UUID, bound: bool
        ) -> uuid.UUID | None:
            return quick_org(expires_at, last_used_at, status, org, settings, now, bound=bound)

        quick = await pg_session_org(ctx.pg_pool, token_hash(token), rule)
        if quick is not None:
            return quick
    org_id = await authenticated_org(ctx.db, token, ctx.settings, now)
    if org_id is None:
        raise unauthenticated()
    return org_id


async def counsellor_post_with_token(
    ctx: AppContext, broker: MemoryBroker, token: str, checked: Checked, channel: str
) -> dict[str, Any]:
    """A counsellor's post with the bearer ``token``: 401 first, then the request's own errors (path,
    body, envelope: ``checked`` raises them), as the FastAPI route answers.

    SQLite: the session is read in the post's own writer job (``sqlite_post.counsellor_job``), so a
    reply is one hand-off to the writer thread, with no aiosqlite read before it. When the request is
    invalid the session is checked first (401 before 422/400); when the session is to be deleted or
    touched, the full check runs (``authenticated_org``), then the post."""
    now = ctx.clock.now()
    if ctx.writer is None:
        org_id = await session_org(ctx, token, now)
        conv_id, envelope = checked()
        return await counsellor_post(ctx, broker, org_id, conv_id, envelope, channel)
    try:
        conv_id, envelope = checked()
        msg_id = messages.check_envelope(envelope, conv_id)
    except Exception:
        await session_org(ctx, token, now)  # an unknown or ended session: 401, not the body's error
        raise
    retention = message_lifetime(ctx.settings.retention_days)
    settings = ctx.settings

    def rule(
        expires_at: datetime, last_used_at: datetime, status: str, org: uuid.UUID, bound: bool
    ) -> uuid.UUID | None:
        return quick_org(expires_at, last_used_at, status, org, settings, now, bound=bound)

    # org_id: the session's, set by the job
    post = PostInput(uuid.UUID(int=0), conv_id, msg_id, envelope, channel, now, now + retention, None)
    try:
        result, org_id = await _run(ctx, counsellor_job(token_hash(token), rule, post))
    except SessionUnknown:
        raise unauthenticated() from None
    except SessionNeedsWrite:
        org_id = await session_org(ctx, token, now)  # deletes (401) or touches the session
        result = await _run(ctx, post_job(dataclasses.replace(post, org_id=org_id), None))
    posted = _answer(result)
    await messages.announce(broker, ctx.metrics, org_id, conv_id, posted, channel, "counsellor")
    return posted.stored


async def _pg_counsellor_post(
    ctx: AppContext, org_id: uuid.UUID, conv_id: uuid.UUID, envelope: bytes, channel: str, now: datetime,
    retention: timedelta,
) -> messages.Posted:  # fmt: skip
    """The batch path (``pg_writer``); a repeated msg_id answers as ``messages.repost``; another org's
    conversation, none at all or the org's first change: the SQLAlchemy path (404 / creates the row)."""
    msg_id = messages.check_envelope(envelope, conv_id)
    post = PgPost(org_id, conv_id, msg_id, envelope, channel, now, now + retention)
    out = await _pg_write(ctx, post)
    if out.status is Status.STORED:
        return _pg_stored(conv_id, msg_id, now, retention, out)
    async with ctx.db.sessions() as db:
        if out.status is Status.TAKEN:
            return await messages.repost(db, conv_id, msg_id, envelope, now)
        return await messages.post_message(
            db, org_id=org_id, conv_id=conv_id, envelope=envelope, channel=channel, now=now,
            retention=retention, device_id=None,
        )  # fmt: skip


def address_limit(ctx: AppContext, address: str | None) -> None:
    """The per-address budget of ``POST /v1/events``: checked first, before the body is read."""
    retry_after = ctx.events_limit.take(address, ctx.clock.now())
    if retry_after is not None:
        raise rate_limited(retry_after)


async def usage_events(ctx: AppContext, key: DeviceKey, nonce: str, now: datetime, body: EventsIn) -> int:
    """A signed usage-event batch (the per-address budget already taken): per device and per org code
    budgets, the code checked, then nonce, presence and the batch's cells in one transaction."""
    retry_after = ctx.events_device_limit.take(str(key.device_id), now)
    if retry_after is not None:
        raise rate_limited(retry_after)
    cells: set[tuple[str, str]] = {(event.kind, event.item) for event in body.events}
    count = len(body.events)
    cap = ctx.settings.stats_items_per_device
    code = normalise_code(body.org_code)
    if code != key.org_code:  # the errors in the SQLAlchemy path's order: 404, 410, then 400
        await live_code(ctx, body.org_code)
        raise bad_request("org_code is not the code this device registered with")
    retry_after = ctx.events_code_limit.take(code, now)
    if retry_after is not None:
        raise rate_limited(retry_after)
    if ctx.writer is None and ctx.pg_pool is None:
        await live_code(ctx, code)  # revoked meanwhile: 410 (the fast paths check it with the nonce)
        async with ctx.db.sessions() as db:
            await record_usage(ctx, db, signed_of(key, nonce, now), code, cells, count)
        return count
    if ctx.writer is not None:
        claim = _claim(key, nonce, now)

        def job(conn: Any) -> int:
            _code_live(conn.execute(SQLITE_CODE, (code,)).fetchone())  # before the nonce: nothing kept
            claim_nonce(conn, claim)
            return sqlite_record_items(conn, sqlite_presence(conn, claim), cells, claim.day, cap)

        await _run(ctx, job)
    else:
        await _pg_usage(ctx, key, nonce, now, cells, cap)
    usage_events_accepted(ctx.metrics, count)
    return count


SQLITE_CODE = "SELECT revoked_at FROM org_codes WHERE code = ?"
PG_CODE = "SELECT revoked_at FROM org_codes WHERE code = $1"


def _code_live(row: Any) -> None:
    """The device's own code (its row exists while the device does) must not be revoked: 410."""
    if row is None:
        raise not_found()
    if row[0] is not None:
        raise gone("This org code was revoked.")


_CODE = select(OrgCode.code, OrgCode.revoked_at).where(OrgCode.code == bindparam("p_code"))


async def live_code(ctx: AppContext, typed: str) -> str:
    """``orgs.live_code`` with one Core read: the canonical code; 404 unknown, 410 revoked."""
    code = normalise_code(typed)
    if code is None:
        raise not_found()
    async with ctx.db.engine.connect() as conn:
        row = (await conn.execute(_CODE, {"p_code": code})).first()
    if row is None:
        raise not_found()
    if row.revoked_at is not None:
        raise gone("This org code was revoked.")
    return str(row.code)


PG_NONCE = """INSERT INTO request_nonces (device_id, nonce, expires_at) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING 1"""
PG_LAST_SEEN = "UPDATE devices SET last_seen = $2 WHERE device_id = $1 AND last_seen <> $2"
PG_PRESENCE = """WITH sd AS (
    INSERT INTO stats_devices (bucket, tag, org_code, registered_early, cells)
    SELECT u.bucket, u.tag, $4, u.early, 0 FROM unnest($1::text[], $2::bytea[], $3::boolean[])
        AS u(bucket, tag, early)
    ON CONFLICT DO NOTHING RETURNING 1
)
INSERT INTO stats_days (bucket, tag, day) SELECT u.bucket, u.tag, $5
FROM unnest($1::text[], $2::bytea[]) AS u(bucket, tag) ON CONFLICT DO NOTHING"""


async def _pg_usage(
    ctx: AppContext, key: DeviceKey, nonce: str, now: datetime, cells: set[tuple[str, str]], cap: int
) -> None:
    pool: asyncpg.Pool = ctx.pg_pool
    day = now.date()
    async with pool.acquire() as conn:
        buckets, tags, early = await ctx.salts.presence(conn, key.device_id, key.created_at, day)
        try:
            async with conn.transaction():
                _code_live(await conn.fetchrow(PG_CODE, key.org_code))
                if await conn.fetchval(PG_NONCE, key.device_id, nonce, now + NONCE_TTL) is None:
                    raise replayed_request()
                await conn.execute(PG_LAST_SEEN, key.device_id, day)
                # The presence rows exist before the cells' statement locks them (same transaction).
                await conn.execute(PG_PRESENCE, buckets, tags, early, key.org_code, day)
                await pg_record_items(conn, list(zip(buckets, tags, strict=True)), cells, day, cap)
        except asyncpg.ForeignKeyViolationError:
            raise bad_signature() from None
