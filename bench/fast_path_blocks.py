"""What the fast-path building blocks (issue 12, not wired in yet) do on their own, without HTTP:
posts/s and CPU ms per post through ``SqliteWriter`` + ``sqlite_post.post_job`` (with and without
group commit) and through ``pg_post.post_device_message`` on a raw asyncpg pool, at a fixed number of
concurrent posters, on a freshly migrated relay database (``opgelucht-relay migrate``) with an org, a
code and devices written directly.

    .venv/bin/python bench/fast_path_blocks.py [--posts 20000] [--concurrency 32] [--backend both]

This is the storage side only: a wired relay adds HTTP, the signature check and routing on top. The
process's own CPU time (all threads) per post is reported; PostgreSQL's backends are not included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from opgelucht_desk.protocol import ZERO_HASH, DeviceKeys, MessageType, seal_message
from opgelucht_relay.services.device_auth import NONCE_TTL
from opgelucht_relay.services.pg_post import SaltCache, post_device_message
from opgelucht_relay.services.sqlite_post import NonceClaim, PostInput, db_time, db_uuid, post_job
from opgelucht_relay.services.sqlite_writer import SqliteWriter

PG_URL = os.environ.get("OPG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DEVICES = 50
DEVICE_INSERT = (
    "INSERT INTO devices (device_id, org_id, org_code, enc_pk, sign_pk, created_at, last_seen) VALUES "
)


def relay(env: dict[str, str], *args: str) -> str:
    cli = Path(sys.executable).parent / "opgelucht-relay"
    done = subprocess.run(
        [str(cli), *args], env={**os.environ, **env}, check=True, capture_output=True, text=True
    )
    return done.stdout


def prepare(env: dict[str, str]) -> tuple[uuid.UUID, str]:
    relay(env, "migrate")
    org = re.search(r"org id: (\S+)", relay(env, "create-org", "Bench org"))
    assert org is not None
    code = re.search(r"org code: (\S+)", relay(env, "create-code", org.group(1), "--label", "Bench"))
    assert code is not None
    return uuid.UUID(org.group(1)), code.group(1)


def envelopes(
    convs: list[uuid.UUID], keys: DeviceKeys, count: int
) -> list[tuple[uuid.UUID, uuid.UUID, bytes]]:
    out = []
    for i in range(count):
        conv, msg = convs[i % len(convs)], uuid.uuid4()
        envelope = seal_message(
            conv_id=conv, msg_id=msg, roster_version=1, sender=keys, seq=1, msg_type=MessageType.TEXT,
            prev_hash=ZERO_HASH, roster_hash=ZERO_HASH, payload=os.urandom(200), recipients=[keys.enc_pk],
        )  # fmt: skip
        out.append((conv, msg, envelope))
    return out


def cpu() -> float:
    times = os.times()
    return times.user + times.system


async def drive(count: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> tuple[float, float]:
    """Run ``one(i)`` for i < count with ``concurrency`` workers; (seconds, CPU seconds)."""
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            await one(i)

    started, cpu_started = time.perf_counter(), cpu()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, cpu() - cpu_started


async def sqlite_run(posts: int, concurrency: int, group: bool) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"OPG_RELAY_DATA_DIR": tmp, "OPG_RELAY_DATABASE_URL": ""}
        org, code = prepare(env)
        now = datetime.now(UTC)
        devices = [uuid.uuid4() for _ in range(DEVICES)]
        with sqlite3.connect(Path(tmp) / "relay.db") as conn:
            conn.executemany(
                DEVICE_INSERT + "(?, ?, ?, ?, ?, ?, ?)",
                [(db_uuid(d), db_uuid(org), code, b"e" * 32, b"s" * 32, db_time(now), now.date().isoformat())
                 for d in devices],
            )  # fmt: skip
        keys = DeviceKeys.generate()
        convs = [uuid.uuid4() for _ in devices]
        owner = dict(zip(convs, devices, strict=True))
        work = envelopes(convs, keys, posts)
        writer = SqliteWriter(Path(tmp) / "relay.db", group_commit=group)
        writer.start()

        async def one(i: int) -> None:
            conv, msg, envelope = work[i]
            device = owner[conv]
            claim = NonceClaim(device, uuid.uuid4().hex[:22], now + NONCE_TTL, now.date(), code, now)
            post = PostInput(org, conv, msg, envelope, "chat", now, now + timedelta(days=31), device)
            result = await writer.run(post_job(post, claim))
            assert result.created

        seconds, cpu_s = await drive(posts, concurrency, one)
        groups = writer.groups
        await writer.aclose()
    label = "group commit" if group else "one commit per post"
    return (
        f"| sqlite writer, {label} | {posts / seconds:,.0f} | {cpu_s * 1000 / posts:.3f} | "
        f"{posts / max(groups, 1):.1f} |"
    )


async def pg_run(posts: int, concurrency: int, synchronous_commit: str) -> str:
    name = f"bench_blocks_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", f"/{name}", PG_URL)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            org, code = prepare({"OPG_RELAY_DATA_DIR": tmp, "OPG_RELAY_DATABASE_URL": url})
        now = datetime.now(UTC)
        devices = [uuid.uuid4() for _ in range(DEVICES)]
        convs = [uuid.uuid4() for _ in devices]
        owner = dict(zip(convs, devices, strict=True))
        settings = {"synchronous_commit": synchronous_commit}
        pool = await asyncpg.create_pool(
            url, min_size=concurrency, max_size=concurrency, server_settings=settings
        )
        async with pool.acquire() as conn:
            await conn.executemany(
                DEVICE_INSERT + "($1, $2, $3, $4, $5, $6, $7)",
                [(d, org, code, b"e" * 32, b"s" * 32, now, now.date()) for d in devices],
            )
            await conn.executemany(
                "INSERT INTO conversations (conv_id, device_id, org_id, created_at, last_activity, last_seq, "
                "last_staff_seq) VALUES ($1, $2, $3, $4, $4, 0, 0)",
                [(c, owner[c], org, now) for c in convs],
            )
            await conn.execute("INSERT INTO org_cursors (org_id, last_cursor) VALUES ($1, 0)", org)
        salts = SaltCache()
        work = envelopes(convs, DeviceKeys.generate(), posts)

        async def one(i: int) -> None:
            conv, msg, envelope = work[i]
            async with pool.acquire() as conn:
                result = await post_device_message(
                    conn, salts, device_id=owner[conv], device_created_at=now, org_id=org,
                    nonce=uuid.uuid4().hex[:22], nonce_expires=now + NONCE_TTL, conv_id=conv, msg_id=msg,
                    envelope=envelope, now=now, expires_at=now + timedelta(days=31),
                )  # fmt: skip
            assert result.stored

        seconds, cpu_s = await drive(posts, concurrency, one)
        await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    label = "" if synchronous_commit == "on" else f", synchronous_commit={synchronous_commit}"
    rate, cpu_ms = posts / seconds, cpu_s * 1000 / posts
    return f"| postgres one statement (1 process{label}) | {rate:,.0f} | {cpu_ms:.3f} | 1 |"


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--synchronous-commit", default="on", help="PostgreSQL session setting (diagnosis: off shows "
        "what waiting for the WAL flush with the org's cursor row locked costs)",
    )  # fmt: skip
    args = parser.parse_args()
    rows = []
    if args.backend in ("sqlite", "both"):
        rows.append(await sqlite_run(args.posts, args.concurrency, group=True))
        rows.append(await sqlite_run(args.posts, args.concurrency, group=False))
    if args.backend in ("postgres", "both"):
        rows.append(await pg_run(args.posts, args.concurrency, args.synchronous_commit))
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"{args.concurrency} concurrent posters, {args.posts} posts each run, {when}")
    print("| storage path | posts/s | this process's CPU ms/post | posts per transaction |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    asyncio.run(main())
