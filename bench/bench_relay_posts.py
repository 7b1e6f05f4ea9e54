"""Relay message-post throughput and latency against a real ``opgelucht-relay serve`` process, on SQLite
and on PostgreSQL. Writes the "## Relay message posts" section of docs/benchmarks.md.

Each post is a signed device request (Ed25519 check, DB nonce insert) carrying a fresh 1-recipient
envelope (strict header parse, per-org cursor, insert). Requests are signed and sealed before timing,
so the client spends its CPU on HTTP only; client and relay share the machine's cores.

    .venv/bin/python bench/bench_relay_posts.py [--seconds 8] [--backend sqlite|postgres|both]
        [--workers N (PostgreSQL; SQLite always runs one)] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from opgelucht_desk.protocol import ZERO_HASH, DeviceKeys, MessageType, seal_message
from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.request_auth import register_proof, sign_request

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
PG_URL = os.environ.get("OPG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DEVICES = 50
CONCURRENCY = 32


@dataclass
class Result:
    backend: str
    workers: int
    posts_per_s: float
    errors: int
    half_rate: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_post: float  # relay processes' CPU time during the throughput run, per stored post


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants (Linux /proc), in seconds."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(cpu_seconds(int(child)) for child in children)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", "from server.cli import main; main()", *args],
        env={**os.environ, **env}, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


async def prepare(url: str, code: str, count: int) -> list[tuple[str, bytes, dict[str, str]]]:
    devices = []
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(DEVICES):
            keys, device_id = DeviceKeys.generate(), uuid.uuid4()
            proof = register_proof(device_id, keys.enc_pk, keys.sign_pk, code, keys.sign_seed)
            registration = {
                "org_code": code, "device_id": str(device_id), "enc_pk": b64e(keys.enc_pk),
                "sign_pk": b64e(keys.sign_pk), "proof": b64e(proof),
            }  # fmt: skip
            (await http.post("/v1/devices", json=registration)).raise_for_status()
            devices.append((device_id, keys, uuid.uuid4()))
    requests = []
    for i in range(count):
        device_id, keys, conv = devices[i % DEVICES]
        envelope = seal_message(
            conv_id=conv, msg_id=uuid.uuid4(), roster_version=1, sender=keys, seq=i // DEVICES + 1,
            msg_type=MessageType.TEXT, prev_hash=ZERO_HASH, roster_hash=ZERO_HASH, payload=os.urandom(200),
            recipients=[keys.enc_pk],
        )  # fmt: skip
        path = f"/v1/device/conversations/{conv}/messages"
        body = json.dumps({"envelope": b64e(envelope)}).encode()
        headers = sign_request(device_id, keys.sign_seed, "POST", path, body)
        requests.append((path, body, {**headers, "Content-Type": "application/json"}))
    return requests


async def throughput(
    url: str, requests: list[tuple[str, bytes, dict[str, str]]], seconds: float
) -> tuple[int, int]:
    done = errors = 0
    queue = iter(requests)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:

        async def worker() -> None:
            nonlocal done, errors
            for path, body, headers in queue:
                if time.perf_counter() > deadline:
                    return
                response = await http.post(path, content=body, headers=headers)
                if response.status_code == 201:
                    done += 1
                else:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return done, errors


async def latency(
    url: str, requests: list[tuple[str, bytes, dict[str, str]]], rate: float, seconds: float
) -> list[float]:
    """Open loop: one request every 1/rate s, whatever the answers do; returns latencies in ms."""
    latencies: list[float] = []
    count = min(len(requests), int(rate * seconds))
    limits = httpx.Limits(max_connections=256)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:

        async def one(path: str, body: bytes, headers: dict[str, str]) -> None:
            started = time.perf_counter()
            response = await http.post(path, content=body, headers=headers)
            if response.status_code == 201:
                latencies.append((time.perf_counter() - started) * 1000)

        start = time.perf_counter()
        tasks = []
        for i, request in enumerate(requests[:count]):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(*request)))
        await asyncio.gather(*tasks)
    return sorted(latencies)


async def run_backend(backend: str, seconds: float, workers: int) -> Result:
    workers = workers if backend == "postgres" else 1
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            "OPG_RELAY_DATA_DIR": tmp, "OPG_RELAY_PORT": str(port), "OPG_RELAY_HOST": "127.0.0.1",
            "OPG_RELAY_LOG_LEVEL": "WARNING", "OPG_RELAY_DATABASE_URL": "",
        }  # fmt: skip
        db_name = f"opg_bench_{uuid.uuid4().hex[:10]}"
        if backend == "postgres":
            admin = await asyncpg.connect(PG_URL)
            await admin.execute(f'CREATE DATABASE "{db_name}"')
            await admin.close()
            env["OPG_RELAY_DATABASE_URL"] = re.sub(r"/[^/]*$", f"/{db_name}", PG_URL)
        try:
            cli(env, "migrate")
            org = re.search(r"org id: (\S+)", cli(env, "create-org", "Bench org"))
            assert org is not None
            code = re.search(r"org code: (\S+)", cli(env, "create-code", org.group(1), "--label", "Bench"))
            assert code is not None
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "from server.cli import main; main()",
                "serve", "--workers", str(workers),
                env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            try:
                async with httpx.AsyncClient(base_url=url) as http:
                    for _ in range(200):
                        try:
                            if (await http.get("/healthz")).status_code == 200:
                                break
                        except httpx.TransportError:
                            await asyncio.sleep(0.05)
                requests = await prepare(url, code.group(1), int(4000 * seconds))
                cpu_before = cpu_seconds(proc.pid)
                done, errors = await throughput(url, requests, seconds)
                cpu_ms = (cpu_seconds(proc.pid) - cpu_before) * 1000 / max(done, 1)
                rate = done / seconds
                rest = requests[done + errors :]
                latencies = await latency(url, rest, rate / 2, seconds)
            finally:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 10)
        finally:
            if backend == "postgres":
                admin = await asyncpg.connect(PG_URL)
                await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
                await admin.close()
    return Result(
        backend,
        workers,
        rate,
        errors,
        rate / 2,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        cpu_ms,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers on PostgreSQL")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = [asyncio.run(run_backend(b, args.seconds, args.workers)) for b in backends]
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=False).stdout.strip()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    lines = [
        "## Relay message posts",
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC with "
        f"`.venv/bin/python bench/bench_relay_posts.py --seconds {args.seconds:g}`: "
        f"one `opgelucht-relay serve` process (one uvicorn worker), {DEVICES} devices, "
        f"{CONCURRENCY} concurrent client connections, "
        "requests signed and sealed before timing; client and relay on the same machine.",
        f"Machine: `{uname}`; `nproc` = {nproc}; Python {platform.python_version()}.",
        "",
        "| backend | workers | posts/s (max) | relay CPU ms/post | errors | p50 ms at half rate | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r.backend} | {r.workers} | {r.posts_per_s:,.0f} | {r.cpu_ms_per_post:.2f} | {r.errors} "
            f"| {r.p50_ms:.1f} | {r.p99_ms:.1f} |"
            for r in results
        ),
        "",
        "Targets (DESIGN §7): ≥ 2,000 posts/s, p99 < 50 ms at half that rate — **not met** on this shared",
        "2-core machine (other engineers' test runs compete for the cores; numbers vary by ±50 % between",
        "runs). Each post verifies an Ed25519 request signature (0.13 ms), inserts the nonce in its own",
        "transaction (so that a failing request cannot be replayed either), takes the org's cursor row lock,",
        "bumps the conversation's seq, parses the envelope header and inserts the message: about 8 SQL",
        "statements and 2 commits, ~5 ms of database work through SQLAlchemy's ORM and aiosqlite's thread",
        "hand-off, against ~0.5 ms for the HTTP stack (in-process `/healthz`). Ways to the target, in order",
        "of gain: several uvicorn workers on PostgreSQL (the relay is stateless), Core statements instead",
        "of ORM round trips, and one transaction for nonce and message (a replay of a failed post would",
        "then be re-evaluated instead of refused).",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Relay message posts\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(lambda _m: section, text)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )
    BENCHMARKS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
