"""Linux desktop bundle: build time, size, and start-to-first-window time of the frozen app against the
same app run from source. Writes the "## Linux desktop bundle" section of docs/benchmarks.md.

Both starts run `--smoke-test` (start, show the first window, process 20 event rounds of 10 ms, exit)
offscreen in a clean environment with a throwaway GNOME keyring (packaging/smoke-test-linux.sh for the
bundle, the same set-up for the source run), so the numbers include Python start-up, imports, Qt
platform plugin loading, the keyring connection and the window, but no relay.

    .venv/bin/python bench/bench_bundle.py [--runs 5] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchreport import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
SECTION = "Linux desktop bundle"


def timed(argv: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env, timeout=600)
    return time.perf_counter() - started


def tree_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def source_start(scratch: Path) -> float:
    """`python -m opgelucht_desk --smoke-test` with the same isolation as the bundle's smoke test."""
    inner = (
        "printf x | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
        f'exec "{sys.executable}" -m opgelucht_desk --smoke-test'
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(scratch), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    return timed(["dbus-run-session", "--", "sh", "-c", inner], env=env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        env = {
            **os.environ,
            "DIST_DIR": str(out / "dist"),
            "WORK_DIR": str(out / "work"),
            "PYTHON": sys.executable,
        }
        build_s = timed([str(ROOT / "packaging" / "build-linux.sh")], env=env)
        bundle = out / "dist" / "opgelucht-desk"
        (archive,) = (out / "dist").glob("*.tar.gz")
        bundle_mib = tree_size(bundle) / 2**20
        archive_mib = archive.stat().st_size / 2**20
        smoke = [str(ROOT / "packaging" / "smoke-test-linux.sh"), str(bundle)]
        frozen = [timed(smoke) for _ in range(args.runs)]
        source = []
        for i in range(args.runs):
            scratch = out / f"home{i}"
            scratch.mkdir()
            source.append(source_start(scratch))

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"## {SECTION}\n\n"
        f"Run {now} with `.venv/bin/python bench/bench_bundle.py --runs {args.runs}`.\n"
        f"Machine: {machine()}.\n\n"
        "| measure | value |\n|---|---:|\n"
        f"| build (PyInstaller from scratch + smoke test + tar.gz) | {build_s:.1f} s |\n"
        f"| bundle folder | {bundle_mib:.0f} MiB |\n"
        f"| tar.gz archive | {archive_mib:.0f} MiB |\n"
        f"| bundle: start → first window → exit (median of {args.runs}) "
        f"| {statistics.median(frozen):.2f} s |\n"
        f"| source (`python -m opgelucht_desk`): same (median of {args.runs}) "
        f"| {statistics.median(source):.2f} s |\n\n"
        "Both start times include a fresh D-Bus session and GNOME keyring daemon and the smoke test's\n"
        "20 × 10 ms event rounds; the difference between the rows is what freezing costs or saves.\n"
    )
    print(section)
    if args.no_write:
        return
    write_section(SECTION, section)


if __name__ == "__main__":
    main()
