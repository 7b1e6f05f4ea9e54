"""What the benchmark scripts share: the machine line and writing one section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    """One Markdown fragment naming the machine: kernel, cores, CPU model, Python."""
    uname = platform.uname()
    system = f"{uname.system} {uname.node} {uname.release} {uname.version} {uname.machine}"
    return f"`{system}`; `nproc` = {os.cpu_count()}; CPU: {cpu_model()}; Python {platform.python_version()}"


def write_section(title: str, section: str, path: Path = BENCHMARKS) -> None:
    """Replace the `## {title}` section of docs/benchmarks.md with `section` (which starts with that
    heading), or append it when the file has no such section yet."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    body = section.rstrip("\n") + "\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: body, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
