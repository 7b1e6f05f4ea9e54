"""Relay speed with wrk: message posts and usage events against a real ``opgelucht-relay serve``, on
SQLite (one process) and PostgreSQL (``--workers N``), beside the limit prototype (bench/limit_app.py:
raw ASGI on the same uvicorn + the same Ed25519 verify + one INSERT/COMMIT), in the same run.

Every request is built and signed before timing and sent once: wrk (a C load generator) replays a file
of raw requests through bench/wrk/replay.lua, which counts every answer that is not the expected status.
Per run: ops/s at a fixed concurrency (closed loop, bounded duration and request count), the relay
processes' CPU time (/proc utime + stime of the server and its workers, before/after) per op, the
PostgreSQL backends' CPU per op, and p50/p99 latency at half the measured rate (bench/wrk/paced.lua:
wrk has no open-loop rate control, so each connection pauses a random 0.5-1.5 x mean between
requests; see that file).

The bench relay runs with settings raised for the load (one client address, 50 devices of one code):
``OPG_RELAY_EVENTS_ADDRESS_BURST`` / ``..._PER_MINUTE`` and ``OPG_RELAY_DEVICE_REGISTRATIONS_PER_CODE_
PER_HOUR``; log level WARNING (no access-log line per request). The table says so.

    .venv/bin/python bench/relay_speed.py [--backend sqlite|postgres|both] [--workers 2] [--seconds 10]
        [--connections 32] [--paths posts,counsellor,events] [--write] [--profile DIR]

``--write`` adds the run as a new section "Relay speed (wrk): fast paths, run <date time> UTC" of
docs/benchmarks.md (machine, load average, command, table), after "Relay speed (wrk): fast paths wired
in" and the runs recorded there before; every other section (the baseline) stays.

PostgreSQL: ``OPG_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test) is the admin
connection; the relay gets a fresh database ``bench`` and the limit app ``bench_limit`` (dropped after;
``OPG_BENCH_DB=name`` names them ``name`` and ``name_limit``, so two benches can run at once).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from benchreport import BENCHMARKS, machine

from opgelucht_desk.protocol import ZERO_HASH, DeviceKeys, MessageType, seal_message
from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.request_auth import register_proof, sign_request

HERE = Path(__file__).resolve().parent
SECTION = "Relay speed (wrk): fast paths, run"  # --write appends "## {SECTION} <date time> UTC"
PG_URL = os.environ.get("OPG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Two benches at once (two helpers on one machine) must not drop each other's database: OPG_BENCH_DB.
RELAY_DB = os.environ.get("OPG_BENCH_DB", "bench")
LIMIT_DB = f"{RELAY_DB}_limit"
DEVICES = 50
EVENTS_PER_BATCH = 10  # what the issue measured ("10 events per request"); the app batches its events
CELLS_PER_DEVICE = 5
SIGN_AHEAD = 200  # s: requests are signed this far ahead (the relay accepts +-300 s), so they stay valid
RAISED = {
    "OPG_RELAY_EVENTS_ADDRESS_BURST": "100000000",
    "OPG_RELAY_EVENTS_ADDRESS_PER_MINUTE": "100000000",
    # 50 devices send thousands of batches a second here; a phone sends one batch now and then.
    "OPG_RELAY_EVENTS_DEVICE_BURST": "100000000",
    "OPG_RELAY_EVENTS_DEVICE_PER_MINUTE": "100000000",
    "OPG_RELAY_EVENTS_CODE_BURST": "100000000",
    "OPG_RELAY_EVENTS_CODE_PER_MINUTE": "100000000",
    "OPG_RELAY_DEVICE_REGISTRATIONS_PER_CODE_PER_HOUR": "100000",
}
EVENT_CELLS = [
    ("screen", "home"), ("screen", "chat"), ("screen", "articles"), ("topic", "stress"),
    ("article", "a1"), ("device_type", "phone"), ("screen_size", "m"), ("app_version", "1.4.0"),
    ("screen", "settings"), ("topic", "workload"),
]  # fmt: skip


def relay_cli() -> str:
    found = Path(sys.executable).parent / "opgelucht-relay"
    return str(found) if found.exists() else (shutil.which("opgelucht-relay") or "opgelucht-relay")


# -- measuring --------------------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    out = [pid]
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            out.extend(descendants(int(child)))
    return out


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds per thread of the processes under ``pid``: ``main`` (the event loop) and the others
    by id (Python 3.11 does not name OS threads; on SQLite the busiest other is the writer thread)."""
    out: dict[str, float] = {}
    for proc in descendants(pid):
        try:
            tasks = os.listdir(f"/proc/{proc}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                name = f"{proc} main" if task == str(proc) else f"{proc} thread {task}"
                fields = Path(f"/proc/{proc}/task/{task}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks = int(fields[11]) + int(fields[12])
            out[name] = out.get(name, 0.0) + ticks / os.sysconf("SC_CLK_TCK")
    return out


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds per process of the tree under ``pid`` (the relay and its workers)."""
    return {p: process_cpu(p) for p in descendants(pid)}


def delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


async def pg_backends(database: str) -> dict[int, float]:
    """CPU seconds per PostgreSQL backend serving ``database`` (PostgreSQL on this machine)."""
    conn = await asyncpg.connect(PG_URL)
    try:
        rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
    finally:
        await conn.close()
    return {int(row["pid"]): process_cpu(int(row["pid"])) for row in rows}


@dataclass
class Run:
    label: str  # "relay posts", "limit posts", ...
    backend: str
    workers: int
    connections: int
    ops: int  # answers with the expected status
    bad: int  # other answers, socket errors and timeouts
    seconds: float
    cpu_ms: float  # relay (or limit app) CPU per op
    pg_ms: float | None  # PostgreSQL backends' CPU per op
    p50_ms: float
    p99_ms: float
    events_per_op: int = 1
    paced_rate: float | None = None
    paced_p50_ms: float | None = None
    paced_p99_ms: float | None = None
    paced_bad: int = 0
    consumed: int = 0

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


@dataclass
class Wrk:
    duration_s: float
    good: int
    bad: int
    consumed: int  # index after the last request taken from the file
    p50_ms: float
    p99_ms: float
    raw: dict[str, float] = field(default_factory=dict)


def run_wrk(
    url: str,
    requests_file: Path,
    first: int,
    expected: int,
    *,
    seconds: float,
    connections: int,
    threads: int,
    mean_pause_ms: float | None = None,
) -> Wrk:
    script = HERE / "wrk" / ("paced.lua" if mean_pause_ms is not None else "replay.lua")
    args = [str(requests_file), str(first), str(expected), str(threads)]
    if mean_pause_ms is not None:
        args.append(f"{mean_pause_ms:.0f}")
    command = [
        "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s",
        "-s", str(script), url, "--", *args,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout[-2000:]} {out.stderr[-2000:]}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    return Wrk(
        duration_s=raw["duration_us"] / 1e6,
        good=int(raw["good"]),
        bad=int(raw["bad"]) + int(raw["socket_errors"]) + int(raw["timeouts"]),
        consumed=first + threads * int(raw["per_thread_max"]),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        raw=raw,
    )


# -- the requests --------------------------------------------------------------------------------------


@dataclass
class Device:
    device_id: uuid.UUID
    keys: DeviceKeys
    conv_id: uuid.UUID


def raw_request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def write_requests(path: Path, requests: Iterator[bytes]) -> int:
    count = 0
    with path.open("wb") as out:
        for request in requests:
            out.write(b"%d\n" % len(request))
            out.write(request)
            count += 1
    return count


def post_requests(devices: list[Device], count: int, now: int) -> Iterator[bytes]:
    for i in range(count):
        device = devices[i % len(devices)]
        envelope = seal_message(
            conv_id=device.conv_id, msg_id=uuid.uuid4(), roster_version=1, sender=device.keys,
            seq=i // len(devices) + 1, msg_type=MessageType.TEXT, prev_hash=ZERO_HASH,
            roster_hash=ZERO_HASH, payload=os.urandom(200), recipients=[device.keys.enc_pk],
        )  # fmt: skip
        path = f"/v1/device/conversations/{device.conv_id}/messages"
        body = json.dumps({"envelope": b64e(envelope)}).encode()
        yield raw_request(
            path, body, sign_request(device.device_id, device.keys.sign_seed, "POST", path, body, now=now)
        )


def event_requests(devices: list[Device], code: str, count: int, now: int) -> Iterator[bytes]:
    for i in range(count):
        device = devices[i % len(devices)]
        # A device's batch: EVENTS_PER_BATCH events over its CELLS_PER_DEVICE cells (a device touches
        # the same few screens; within the relay's default per-device cap of 5 cells per period).
        start = i % len(devices)
        own = [EVENT_CELLS[(start + k) % len(EVENT_CELLS)] for k in range(CELLS_PER_DEVICE)]
        cells = [own[k % CELLS_PER_DEVICE] for k in range(EVENTS_PER_BATCH)]
        events = [{"kind": kind, "item": item, "count": 1} for kind, item in cells]
        body = json.dumps({"org_code": code, "events": events}).encode()
        headers = sign_request(device.device_id, device.keys.sign_seed, "POST", "/v1/events", body, now=now)
        yield raw_request("/v1/events", body, headers)


async def enrol_counsellor(url: str, org_id: uuid.UUID, invitation: str) -> tuple[str, DeviceKeys]:
    """The org's first admin, enrolled through the API with the relay tests' helper (password, TOTP,
    identity and device keys, org key and roster); its bearer token and device keys."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from kit.actors import enrol_admin

    from opgelucht_relay.clock import ManualClock

    async with httpx.AsyncClient(base_url=url) as http:
        clock = ManualClock(datetime.datetime.now(datetime.UTC))
        actor = await enrol_admin(http, clock, org_id, invitation, username="benchadmin")
    return actor.token, actor.device_keys


def counsellor_requests(devices: list[Device], token: str, keys: DeviceKeys, count: int) -> Iterator[bytes]:
    """Replies on the devices' conversations (created by the device posts before)."""
    headers = {"Authorization": f"Bearer {token}"}
    for i in range(count):
        device = devices[i % len(devices)]
        envelope = seal_message(
            conv_id=device.conv_id, msg_id=uuid.uuid4(), roster_version=1, sender=keys,
            seq=i // len(devices) + 1, msg_type=MessageType.TEXT, prev_hash=ZERO_HASH,
            roster_hash=ZERO_HASH, payload=os.urandom(200), recipients=[device.keys.enc_pk, keys.enc_pk],
        )  # fmt: skip
        path = f"/v1/inbox/conversations/{device.conv_id}/messages"
        yield raw_request(path, json.dumps({"envelope": b64e(envelope)}).encode(), headers)


def register_devices(url: str, code: str) -> list[Device]:
    devices = []
    with httpx.Client(base_url=url) as http:
        for _ in range(DEVICES):
            keys, device_id = DeviceKeys.generate(), uuid.uuid4()
            proof = register_proof(device_id, keys.enc_pk, keys.sign_pk, code, keys.sign_seed)
            registration = {
                "org_code": code, "device_id": str(device_id), "enc_pk": b64e(keys.enc_pk),
                "sign_pk": b64e(keys.sign_pk), "proof": b64e(proof),
            }  # fmt: skip
            http.post("/v1/devices", json=registration).raise_for_status()
            devices.append(Device(device_id, keys, uuid.uuid4()))
    return devices


# -- servers ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("server did not become healthy")


@contextmanager
def server(command: list[str], env: dict[str, str], url: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_healthy(url, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def recreate_database(name: str, *, drop_only: bool = False) -> None:
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def pg_url(database: str) -> str:
    return re.sub(r"/[^/]*$", f"/{database}", PG_URL)


# -- one backend -----------------------------------------------------------------------------------------


@dataclass
class Options:
    seconds: float
    limit_seconds: float
    connections: int
    paced_connections: int
    threads: int
    workers: int
    paths: list[str]
    posts: int
    events: int
    profile: Path | None = None  # py-spy record of the relay during each full-load run (raw stacks)


def measure(
    label: str,
    backend: str,
    workers: int,
    url: str,
    proc: subprocess.Popen[bytes],
    requests_file: Path,
    expected: int,
    options: Options,
    *,
    seconds: float,
    paced: bool,
    database: str | None,
    events_per_op: int = 1,
) -> Run:
    pg_before = asyncio.run(pg_backends(database)) if database else {}
    cpu_before, threads_before = tree_cpu(proc.pid), thread_cpu(proc.pid)
    with profiled(proc.pid, options.profile, f"{backend}-{label.replace(' ', '-')}", seconds):
        result = run_wrk(
            url, requests_file, 0, expected, seconds=seconds, connections=options.connections,
            threads=options.threads,
        )  # fmt: skip
    cpu = delta(cpu_before, tree_cpu(proc.pid))
    threads = thread_cpu(proc.pid)
    pg = delta(pg_before, asyncio.run(pg_backends(database))) if database else None
    ops = max(result.good, 1)
    run = Run(
        label, backend, workers, options.connections, result.good, result.bad, result.duration_s,
        cpu * 1000 / ops, None if pg is None else pg * 1000 / ops, result.p50_ms, result.p99_ms,
        events_per_op, consumed=result.consumed,
    )  # fmt: skip
    if paced:
        rate = run.rate / 2
        mean_pause = options.paced_connections * 1000 / max(rate, 1.0)
        half = run_wrk(
            url, requests_file, result.consumed, expected, seconds=options.seconds,
            connections=options.paced_connections, threads=options.threads, mean_pause_ms=mean_pause,
        )  # fmt: skip
        run.paced_rate = half.good / half.duration_s
        run.paced_p50_ms, run.paced_p99_ms, run.paced_bad = half.p50_ms, half.p99_ms, half.bad
    print(f"  {label} ({backend}, {workers} worker(s)): {summary_line(run)}", flush=True)
    by_thread = {name: threads[name] - threads_before.get(name, 0.0) for name in threads}
    shares = sorted(by_thread.items(), key=lambda item: -item[1])[:4]
    print("    CPU ms/op by thread: " + ", ".join(f"{n} {1000 * v / ops:.2f}" for n, v in shares), flush=True)
    return run


PY_SPY_OPTIONS = os.environ.get("OPG_BENCH_PY_SPY", "--gil --rate 500").split()


@contextmanager
def profiled(pid: int, directory: Path | None, name: str, seconds: float) -> Iterator[None]:
    """``--profile DIR``: py-spy samples the relay (and its workers) while the block runs, into
    ``DIR/<name>.txt`` (collapsed stacks; bench/profile_summary.py sums them). py-spy options from
    ``OPG_BENCH_PY_SPY`` (default ``--gil --rate 500``: the samples where Python runs; ``--native
    --rate 500`` adds C frames, e.g. the garbage collector, but slows the relay several times over).
    py-spy pauses the process per sample: CPU ms/op of a profiled run is not comparable."""
    if directory is None:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    directory.mkdir(parents=True, exist_ok=True)
    command = [
        spy, "record", "--pid", str(pid), "--subprocesses", *PY_SPY_OPTIONS, "--format",
        "raw", "--duration", f"{max(1, round(seconds))}", "--output", str(directory / f"{name}.txt"),
    ]  # fmt: skip
    spy_proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        try:
            spy_proc.wait(30)
        except subprocess.TimeoutExpired:
            spy_proc.terminate()
            spy_proc.wait()


def summary_line(run: Run) -> str:
    pg = "" if run.pg_ms is None else f" + {run.pg_ms:.2f} ms in PostgreSQL"
    paced = ""
    if run.paced_rate is not None:
        paced = f"; at {run.paced_rate:,.0f}/s: p50 {run.paced_p50_ms:.1f} ms, p99 {run.paced_p99_ms:.1f} ms"
    return (
        f"{run.rate:,.0f}/s, {run.cpu_ms:.2f} ms CPU/op{pg}, p99 {run.p99_ms:.1f} ms, {run.bad} not ok{paced}"
    )


def run_backend(backend: str, options: Options) -> list[Run]:
    workers = options.workers if backend == "postgres" else 1
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="opg-bench-") as tmp_name:
        tmp = Path(tmp_name)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            "OPG_RELAY_DATA_DIR": str(tmp / "relay"), "OPG_RELAY_PORT": str(port),
            "OPG_RELAY_HOST": "127.0.0.1", "OPG_RELAY_LOG_LEVEL": "WARNING",
            "OPG_RELAY_DATABASE_URL": pg_url(RELAY_DB) if backend == "postgres" else "", **RAISED,
        }  # fmt: skip
        (tmp / "relay").mkdir()
        database = RELAY_DB if backend == "postgres" else None
        if database:
            asyncio.run(recreate_database(RELAY_DB))
        try:
            cli = [relay_cli()]
            run_env = {**os.environ, **env}
            subprocess.run([*cli, "migrate"], env=run_env, check=True, capture_output=True)
            out = subprocess.run(
                [*cli, "create-org", "Bench org"], env=run_env, check=True, capture_output=True, text=True
            )
            org = re.search(r"org id: (\S+)", out.stdout)
            invitation = re.search(r"admin invitation: (\S+)", out.stdout)
            assert org is not None and invitation is not None
            out = subprocess.run(
                [*cli, "create-code", org.group(1), "--label", "Bench"],
                env=run_env,
                check=True,
                capture_output=True,
                text=True,
            )
            found = re.search(r"org code: (\S+)", out.stdout)
            assert found is not None
            code = found.group(1)
            serve = [*cli, "serve", *(["--workers", str(workers)] if workers > 1 else [])]
            with server(serve, env, url) as proc:
                devices = register_devices(url, code)
                now = int(time.time()) + SIGN_AHEAD
                started = time.perf_counter()
                posts_file, events_file = tmp / "posts.req", tmp / "events.req"
                if "posts" in options.paths:
                    write_requests(posts_file, post_requests(devices, options.posts, now))
                if "events" in options.paths:
                    write_requests(events_file, event_requests(devices, code, options.events, now))
                print(f"  {backend}: requests signed in {time.perf_counter() - started:.1f} s", flush=True)
                if "posts" in options.paths:
                    runs.append(measure(
                        "relay posts", backend, workers, url, proc, posts_file, 201, options,
                        seconds=options.seconds, paced=True, database=database,
                    ))  # fmt: skip
                if "counsellor" in options.paths and "posts" in options.paths:
                    token, keys = asyncio.run(
                        enrol_counsellor(url, uuid.UUID(org.group(1)), invitation.group(1))
                    )
                    counsellor_file = tmp / "counsellor.req"
                    write_requests(counsellor_file, counsellor_requests(devices, token, keys, options.posts))
                    runs.append(measure(
                        "relay counsellor posts", backend, workers, url, proc, counsellor_file, 201, options,
                        seconds=options.seconds, paced=True, database=database,
                    ))  # fmt: skip
                if "events" in options.paths:
                    runs.append(measure(
                        "relay events", backend, workers, url, proc, events_file, 202, options,
                        seconds=options.seconds, paced=True, database=database,
                        events_per_op=EVENTS_PER_BATCH,
                    ))  # fmt: skip
            if "posts" in options.paths:
                runs.append(run_limit(backend, workers, tmp, devices, posts_file, options))
        finally:
            if database:
                asyncio.run(recreate_database(RELAY_DB, drop_only=True))
    return runs


def run_limit(
    backend: str, workers: int, tmp: Path, devices: list[Device], posts_file: Path, options: Options
) -> Run:
    keys = tmp / "keys.json"
    keys.write_text(json.dumps({str(d.device_id): b64e(d.keys.sign_pk) for d in devices}))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database = LIMIT_DB if backend == "postgres" else None
    if database:
        asyncio.run(recreate_database(LIMIT_DB))
    db = pg_url(LIMIT_DB) if database else f"sqlite:///{tmp / 'limit.db'}"
    pool = max(1, options.connections // workers)
    command = [
        sys.executable, str(HERE / "limit_app.py"), "--db", db, "--keys", str(keys), "--port", str(port),
        "--workers", str(workers), "--pool", str(pool),
    ]  # fmt: skip
    try:
        with server(command, {}, url) as proc:
            return measure(
                "limit posts", backend, workers, url, proc, posts_file, 201, options,
                seconds=options.limit_seconds, paced=False, database=database,
            )  # fmt: skip
    finally:
        if database:
            asyncio.run(recreate_database(LIMIT_DB, drop_only=True))


# -- the report -------------------------------------------------------------------------------------------


def table(runs: list[Run], options: Options, command: str) -> str:
    def fmt(value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{value:,.{digits}f}"

    limits = {run.backend: run for run in runs if run.label == "limit posts"}
    rows = []
    for run in runs:
        ops = f"{run.rate:,.0f}"
        if run.events_per_op > 1:
            ops += f" ({run.rate * run.events_per_op:,.0f} events/s)"
        limit = limits.get(run.backend)
        ratio = "—"
        if run.label.startswith("relay") and run.label.endswith("posts") and limit is not None and limit.rate:
            ratio = f"{100 * run.rate / limit.rate:.0f} % (CPU {100 * limit.cpu_ms / run.cpu_ms:.0f} %)"
        paced = "—"
        if run.paced_rate is not None:
            paced = f"{run.paced_rate:,.0f}/s: {fmt(run.paced_p50_ms)} / {fmt(run.paced_p99_ms)}"
        rows.append(
            f"| {run.label} | {run.backend} | {run.workers} | {ops} | {run.cpu_ms:.2f} | "
            f"{fmt(run.pg_ms, 2)} | {fmt(run.p50_ms)} / {fmt(run.p99_ms)} | {paced} | "
            f"{run.bad + run.paced_bad} | {ratio} |"
        )
    raised = ", ".join(f"`{k}={v}`" for k, v in RAISED.items())
    return "\n".join([
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: `{command}`. Machine: {machine()}; "
        f"load average before the run: {os.getloadavg()[0]:.1f}.",
        f"wrk {options.threads} thread(s), {options.connections} connections, {options.seconds:g} s per "
        f"relay run ({options.limit_seconds:g} s for the limit app); half-rate runs: "
        f"{options.paced_connections} connections with paced requests (bench/wrk/paced.lua). "
        f"Relay settings raised for one client address: {raised}; log level WARNING. "
        f"{DEVICES} devices of one org; events in batches of {EVENTS_PER_BATCH} over "
        f"{CELLS_PER_DEVICE} cells per device.",
        "",
        "| run | backend | workers | ops/s | CPU ms/op | PostgreSQL CPU ms/op | p50 / p99 ms (full load) "
        "| half rate: p50 / p99 ms | not ok | relay / limit |",
        "|---|---|---:|---:|---:|---:|---|---|---:|---|",
        *rows,
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="relay (and limit app) workers on PostgreSQL")
    parser.add_argument("--seconds", type=float, default=10, help="each relay run (full load, half rate)")
    parser.add_argument("--limit-seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--paced-connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--paths", default="posts,counsellor,events")
    parser.add_argument("--posts", type=int, default=30000, help="pre-signed posts per backend")
    parser.add_argument("--events", type=int, default=12000, help="pre-signed event batches per backend")
    parser.add_argument("--write", action="store_true", help="write the section in docs/benchmarks.md")
    parser.add_argument(
        "--profile", type=Path, help="py-spy record the relay during each full-load run into this folder"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    options = Options(
        args.seconds, args.limit_seconds, args.connections, args.paced_connections, args.threads,
        args.workers, args.paths.split(","), args.posts, args.events, args.profile,
    )  # fmt: skip
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    runs = [run for backend in backends for run in run_backend(backend, options)]
    command = "bench/relay_speed.py " + " ".join(sys.argv[1:])
    title = f"{SECTION} {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    section = f"## {title}\n\n" + table(runs, options, command.strip()) + "\n"
    print()
    for line in comparison(runs):
        print(line)
    print()
    print(section)
    if args.write:
        append_run(section)


def append_run(section: str, path: Path = BENCHMARKS) -> None:
    """Insert the run after "Relay speed (wrk): fast paths wired in" and the runs recorded after it
    (at the end of the file when that section is missing); nothing else changes."""
    text = path.read_text(encoding="utf-8")
    anchor = re.search(r"^## Relay speed \(wrk\): fast paths wired in\n", text, re.M)
    if anchor is None:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        at = anchor.end()
        for heading in re.finditer(r"^## (.*)$", text[at:], re.M):
            if not heading.group(1).startswith(SECTION):
                at += heading.start()
                break
        else:
            at = len(text)
        text = text[:at].rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n\n" + text[at:].lstrip("\n")
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def comparison(runs: list[Run]) -> list[str]:
    """Relay beside the limit prototype, per backend: ops/s, CPU ms/op and the ratios; events/s."""
    limits = {run.backend: run for run in runs if run.label == "limit posts"}
    lines = []
    for run in runs:
        if run.events_per_op > 1:
            lines.append(f"{run.backend} events: {run.rate * run.events_per_op:,.0f} events/s "
                         f"({run.rate:,.0f} batches/s), {run.cpu_ms:.2f} ms CPU/batch")  # fmt: skip
            continue
        limit = limits.get(run.backend)
        if not run.label.startswith("relay") or limit is None or not limit.rate or not run.cpu_ms:
            continue
        p99 = "—" if run.paced_p99_ms is None else f"{run.paced_p99_ms:.1f} ms"
        lines.append(
            f"{run.backend} {run.label}: {run.rate:,.0f}/s vs limit {limit.rate:,.0f}/s "
            f"({100 * run.rate / limit.rate:.0f} %); CPU {run.cpu_ms:.2f} vs {limit.cpu_ms:.2f} ms/op "
            f"(limit/relay {100 * limit.cpu_ms / run.cpu_ms:.0f} %); p99 at half rate {p99}"
        )
    return lines


if __name__ == "__main__":
    main()
