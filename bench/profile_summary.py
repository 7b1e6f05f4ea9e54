"""Sum a py-spy raw profile (collapsed stacks, as ``bench/relay_speed.py --profile DIR`` writes them):
the functions with the most samples on the stack (inclusive) and at the top (self), in % of all
samples, per thread when the profile names threads.

    .venv/bin/python bench/profile_summary.py DIR/sqlite-relay-posts.txt [--top 40] [--grep hot_paths]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r" \(([^()]*):\d+\)$")  # "func (file.py:12)" -> "func (file.py)"


def frame_name(frame: str) -> str:
    return _LINE.sub(r" (\1)", frame.strip())


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append(([frame_name(f) for f in stack.split(";")], int(count)))
    return stacks


def summary(stacks: list[tuple[list[str], int]], top: int, grep: str | None) -> list[str]:
    total = sum(count for _, count in stacks) or 1
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, count in stacks:
        for name in set(frames):
            inclusive[name] += count
        own[frames[-1]] += count
    lines = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"-- {title}")
        shown = 0
        for name, count in counter.most_common():
            if grep and grep not in name:
                continue
            lines.append(f"{100 * count / total:5.1f} %  {name}")
            shown += 1
            if shown >= top:
                break
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--grep", help="only functions whose name or file contains this")
    args = parser.parse_args()
    print("\n".join(summary(load(args.profile), args.top, args.grep)))


if __name__ == "__main__":
    main()
