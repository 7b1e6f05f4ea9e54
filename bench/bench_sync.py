"""Desktop sync from empty: N conversations / M messages against a local relay subprocess (SQLite).

The relay DB is seeded directly through the relay's models (envelopes sealed with the protocol module
in a worker pool, in a separate process so that the measured process holds only the desk). Measures
the wall time of one full sync, the peak RSS of the desk's process and the longest event-loop stall
(a 5 ms ticker running alongside). Writes the "## Sync" section of docs/benchmarks.md.

    .venv/bin/python bench/bench_sync.py [--conversations 10000] [--messages 100000] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import multiprocessing
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import httpx
import pyotp
from benchreport import machine, write_section
from keyrings.alt.file import EncryptedKeyring

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.keystore import TEST_KDF
from opgelucht_desk.protocol import (
    ZERO_HASH,
    DeviceKeys,
    MessageType,
    SignedRoster,
    envelope_hash,
    parse_roster_body,
    roster_hash,
    seal_message,
)
from opgelucht_desk.protocol.profile import Profile

PASSWORD = "benchmark wachtwoord lang genoeg"  # noqa: S105 - a throw-away benchmark account


class Relay:
    """`opgelucht-relay serve` on a free loopback port with its SQLite database in ``directory``."""

    def __init__(self, directory: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = directory / "relay.db"
        self.env = {
            **os.environ,
            "OPG_RELAY_DATA_DIR": str(directory),
            "OPG_RELAY_DATABASE_URL": "",
            "OPG_RELAY_PORT": str(self.port),
            "OPG_RELAY_PUBLIC_URL": self.url,
            "OPG_RELAY_ARGON2_MEMORY_KIB": "256",
            "OPG_RELAY_ARGON2_TIME_COST": "1",
            "OPG_RELAY_LOG_LEVEL": "WARNING",
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        command = [sys.executable, "-c", "from opgelucht_relay.cli import main; main()", *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, check=True).stdout

    def start(self) -> None:
        command = [sys.executable, "-c", "from opgelucht_relay.cli import main; main()", "serve"]
        self.proc = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(600):
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError("relay did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
            self.proc = None


def _seal_conversation(job: tuple[bytes, bytes, list[bytes], int, bytes, int, int]) -> list[dict[str, Any]]:
    """Worker: one conversation of a reporter (HELLO + texts), as relay message rows without ids."""
    reporter_bytes, conv_bytes, recipients, roster_version, rhash, count, index = job
    keys = DeviceKeys.from_bytes(reporter_bytes)
    conv_id = uuid.UUID(bytes=conv_bytes)
    prev, rows = ZERO_HASH, []
    for seq in range(1, count + 1):
        if seq == 1:
            profile = Profile(f"Melder {index}", None, None, keys.enc_pk, keys.sign_pk)
            msg_type, payload = MessageType.HELLO, profile.to_payload()
        else:
            msg_type, payload = MessageType.TEXT, f"Bericht {seq} in gesprek {index}. ".encode() * 4
        envelope = seal_message(
            conv_id=conv_id,
            msg_id=uuid.uuid4(),
            roster_version=roster_version,
            sender=keys,
            seq=seq,
            msg_type=msg_type,
            prev_hash=prev,
            roster_hash=rhash,
            payload=payload,
            recipients=[*recipients, keys.enc_pk],
        )
        prev = envelope_hash(envelope)
        rows.append({"seq": seq, "envelope": envelope, "msg_id": uuid.UUID(bytes=envelope[21:37])})
    return rows


def seed(
    db: Path, org_id: uuid.UUID, code: str, signed_roster: dict[str, str], convs: int, messages: int
) -> None:
    """Runs in its own process: seal envelopes in a pool and insert them through the relay's models."""
    from sqlalchemy import Table, create_engine, insert, update

    from opgelucht_relay.models.messaging import Conversation, Device, Message, OrgCursor

    devices_t, convs_t, messages_t, cursors_t = (
        cast(Table, t.__table__) for t in (Device, Conversation, Message, OrgCursor)
    )

    signed = SignedRoster.from_json(signed_roster)
    roster = parse_roster_body(signed.body)
    recipients, rhash = roster.recipient_keys(), roster_hash(signed)
    per_conv = max(2, messages // convs)
    devices = [DeviceKeys.generate() for _ in range(max(1, convs // 100))]
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    stored = now - datetime.timedelta(hours=1)
    engine = create_engine(f"sqlite:///{db}")
    conv_ids = [uuid.uuid4() for _ in range(convs)]
    with engine.begin() as conn:
        conn.execute(
            insert(devices_t),
            [
                {
                    "device_id": uuid.uuid4(),
                    "org_id": org_id,
                    "org_code": code,
                    "enc_pk": d.enc_pk,
                    "sign_pk": d.sign_pk,
                    "created_at": stored,
                    "last_seen": now.date(),
                }
                for d in devices
            ],
        )
        device_ids = [r[0] for r in conn.exec_driver_sql("SELECT device_id FROM devices ORDER BY rowid")]
    jobs = [
        (devices[i % len(devices)].to_bytes(), c.bytes, recipients, roster.version, rhash, per_conv, i)
        for i, c in enumerate(conv_ids)
    ]
    cursor = 0
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 2) as pool, engine.begin() as conn:
        conn.execute(
            insert(convs_t),
            [
                {
                    "conv_id": c,
                    "device_id": uuid.UUID(str(device_ids[i % len(devices)])),
                    "org_id": org_id,
                    "created_at": stored,
                    "last_activity": stored,
                    "last_seq": per_conv,
                    "last_staff_seq": 0,
                }
                for i, c in enumerate(conv_ids)
            ],
        )
        batch: list[dict[str, Any]] = []
        for i, rows in enumerate(pool.imap(_seal_conversation, jobs, chunksize=50)):
            for row in rows:
                cursor += 1
                batch.append(
                    {
                        **row,
                        "org_id": org_id,
                        "conv_id": conv_ids[i],
                        "cursor": cursor,
                        "channel": "chat",
                        "stored_at": stored,
                        "expires_at": stored + datetime.timedelta(days=31),
                    }
                )
            if len(batch) >= 5000:
                conn.execute(insert(messages_t), batch)
                batch = []
        if batch:
            conn.execute(insert(messages_t), batch)
        updated = conn.execute(
            update(cursors_t).where(cursors_t.c.org_id == org_id).values(last_cursor=cursor)
        )
        if updated.rowcount == 0:
            conn.execute(insert(cursors_t), [{"org_id": org_id, "last_cursor": cursor}])


class StallMeter:
    """A 5 ms ticker on the event loop; the worst lateness is the longest stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - before - 0.005)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def run(convs: int, messages: int, work: Path) -> dict[str, float]:
    relay = Relay(work / "relay")
    relay.cli("migrate")
    invitation = re.search(r"admin invitation: (\S+)", relay.cli("create-org", "Bench BV"))
    assert invitation is not None
    relay.start()
    backend = EncryptedKeyring()
    backend.file_path = str(work / "keyring.cfg")
    backend.keyring_key = "bench keyring"
    config = DeskConfig(data_dir=work / "desk", relay_url=relay.url, keyring_backend=backend, kdf=TEST_KDF)
    desk = await Desk.open(config)
    try:
        challenge = await desk.enrol_start(relay.url, invitation.group(1), "bench", "Bench", PASSWORD)
        await desk.enrol_finish(challenge, pyotp.TOTP(challenge.totp_secret).now())
        code = (await desk.create_code("bench")).code
        org = await desk._unlocked().api.org()
        assert desk.account is not None
        relay.stop()
        started = time.perf_counter()
        seeder = multiprocessing.get_context("spawn").Process(
            target=seed, args=(relay.db, desk.account.org_id, code, org["roster"], convs, messages)
        )
        seeder.start()
        await asyncio.to_thread(seeder.join)
        assert seeder.exitcode == 0, "seeding failed"
        seed_seconds = time.perf_counter() - started
        relay.start()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        meter = StallMeter()
        meter.start()
        started = time.perf_counter()
        await desk.sync_now()
        elapsed = time.perf_counter() - started
        await meter.stop()
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load = os.getloadavg()[0]
        synced = sum(len(desk.messages(c.conv_id)) for c in desk.conversations())
        problems = sum(1 for c in desk.conversations() if c.verification_problem)
        return {
            "conversations": len(desk.conversations()),
            "messages": synced + len(desk.conversations()),  # + the HELLO of each conversation
            "problems": problems,
            "seconds": elapsed,
            "stall_ms": meter.worst * 1000,
            "rss_before_mb": rss_before,
            "rss_peak_mb": rss_peak,
            "seed_seconds": seed_seconds,
            "load": load,
        }
    finally:
        await desk.close()
        relay.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=100_000, help="total messages (HELLOs included)")
    parser.add_argument("--runs", type=int, default=2, help="full syncs, each from a fresh relay")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    results = []
    for _ in range(args.runs):
        work = Path(tempfile.mkdtemp(prefix="opg-bench-sync-"))
        try:
            results.append(asyncio.run(run(args.conversations, args.messages, work)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    section = render(results, args.conversations, args.messages)
    print(section)
    if not args.no_write:
        write_section("Sync", section)


def render(results: list[dict[str, float]], conversations: int, messages: int) -> str:
    """The Sync section: one column per run, the numbers before this version's changes, a reading."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = "bench/bench_sync.py"
    if (conversations, messages) != (10_000, 100_000):
        cmd += f" --conversations {conversations} --messages {messages}"
    runs = " | ".join(f"run {i + 1}" for i in range(len(results)))

    def row(label: str, cell: Callable[[dict[str, float]], str], target: str, before: str) -> str:
        return f"| {label} | {' | '.join(cell(r) for r in results)} | {before} | {target} |"

    return "\n".join(
        [
            "## Sync",
            "",
            f"Run {when} with `.venv/bin/python {cmd}`.",
            f"Machine: {machine()}.",
            "Relay: `opgelucht-relay serve` subprocess on 127.0.0.1, SQLite, seeded directly (not timed).",
            "",
            f"| measure | {runs} | before (02:27 UTC) | target (DESIGN §7) |",
            "|---|" + "---:|" * (len(results) + 2),
            row(
                "conversations / messages synced from empty",
                lambda r: f"{r['conversations']:,.0f} / {r['messages']:,.0f}",
                "10,000 / 100,000",
                "10,000 / 100,000",
            ),
            row("full sync wall time", lambda r: f"{r['seconds']:.1f} s", "< 10 s", "32.0 s"),
            row("messages per second", lambda r: f"{r['messages'] / r['seconds']:,.0f}", "", "3,128"),
            row("longest event-loop stall", lambda r: f"{r['stall_ms']:.0f} ms", "< 50 ms", "59 ms"),
            row(
                "peak RSS of the desk process",
                lambda r: f"{r['rss_peak_mb']:.0f} MB (before sync {r['rss_before_mb']:.0f})",
                "< 300 MB",
                "169 MB",
            ),
            row("conversations with a verification problem", lambda r: f"{r['problems']:.0f}", "0", "0"),
            row("load average (1 min) at the end", lambda r: f"{r['load']:.1f}", "", "4.4"),
            "",
            f"Load averages are on {os.cpu_count()} cores shared with other engineers' test runs and",
            "the relay process, so times and stalls vary from run to run. The 'before' column is the",
            "previous version (one thread opening envelopes, all checks of a page in one go on the loop).",
            "The runs share one process, so a later run's peak RSS includes the earlier runs' (an upper",
            "bound; the first run's is the one to compare).",
            "",
            "Each message is opened (X25519 unwrap, XChaCha20-Poly1305, Ed25519), checked (sender, chain,",
            "roster) and stored re-encrypted in the SQLite cache. Pages are pipelined: while page N is",
            "checked on the loop in slices of 100 messages, page N+1 is opened on a pool of",
            "`os.cpu_count() - 1` threads (at least one), page N+2 is fetched and page N-1 is written in",
            "a worker thread; each envelope is parsed once. Pool size, measured on this machine at full",
            "size (load 3.9-4.2): one opener thread 24.0 s and 38 ms worst stall, two 25.2 s and 93 ms;",
            "at 4,000 / 40,000: one 10.3 s and 37 ms, two 11.8 s and 67 ms. The machine has no idle core",
            "(the relay serving the envelopes takes one, other jobs the rest), so the pool leaves a core",
            "to the event loop; on a desktop with more cores it scales. Run-to-run spread is large",
            "(24-36 s for the same code). Where the time goes (03:11 UTC, load ≈ 3, one run each):",
            "fetching all pages alone (relay + HTTP + JSON) 4.8 s; fetching and opening 16.4 s; the full",
            "sync adds checking, re-encrypting and writing on top.",
            "What remains: the desk's own work is about 0.2 ms per message",
            "(opening ~0.13 ms, of which ~40 % is Python holding the GIL: strict parsing, base64, UUIDs;",
            "checks, JSON, sealing and SQLite the rest), so < 10 s for 100,000 messages needs about two",
            "free cores (a desktop talking to a remote relay has them) or the Python part of opening",
            "moved into C (a protocol-package change). Remaining stalls are CPU contention: no single",
            "step on the loop is long, but on an oversubscribed machine the loop thread waits for a",
            "core and for the GIL.",
        ]
    )


if __name__ == "__main__":
    main()
