"""Checks ./scripts/start makes before it starts anything, each one a sub-command:

    start_checks.py qt-libs                 the system libraries Qt's X11 (xcb) plugin needs; exit 1 and
                                            print the one `apt-get install` line when some are missing
    start_checks.py wait-ready URL          wait (at most 30 s) until the relay answers URL with 200
    start_checks.py invitation-used FILE    exit 0 when the admin invitation in FILE was used already

Qt itself only says "xcb-cursor0 or libxcb-cursor0 is needed" whichever library is missing; `ldd` on
the plugin names them all.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

# Debian package of each library Qt's xcb plugin (PySide6 6.x) links, where the name does not follow
# from the library's file name by the usual rule (see debian_package()).
PACKAGES = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libz.so.1": "zlib1g",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libpng16.so.16": "libpng16-16",
    "libgcrypt.so.20": "libgcrypt20",
}
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def debian_package(library: str) -> str:
    """`libxcb-icccm.so.4` -> `libxcb-icccm4`, `libxkbcommon-x11.so.0` -> `libxkbcommon-x11-0`: Debian's
    naming rule for shared-library packages (a dash before the version when the name ends in a digit)."""
    if library in PACKAGES:
        return PACKAGES[library]
    name, _, version = library.partition(".so.")
    name = name.lower()
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def missing_libraries(ldd_output: str) -> list[str]:
    return sorted(set(NOT_FOUND.findall(ldd_output)))


def install_line(libraries: list[str]) -> str:
    packages = sorted({debian_package(lib) for lib in libraries})
    sudo = "sudo " if os.geteuid() != 0 else ""
    return f"{sudo}apt-get install " + " ".join(packages)


def xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def check_qt_libs() -> int:
    plugin = xcb_plugin()
    if not sys.platform.startswith("linux") or plugin is None or shutil.which("ldd") is None:
        return 0
    result = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False)  # noqa: S603,S607
    missing = missing_libraries(result.stdout)
    if not missing:
        return 0
    print(
        "Opgelucht Desk needs system libraries for its window (Qt on X11) that are missing:\n"
        f"    {' '.join(missing)}\n"
        "Install them with:\n"
        f"    {install_line(missing)}",
        file=sys.stderr,
    )
    return 1


def wait_ready(url: str, timeout: float = 30.0) -> int:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return 0
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            print(f"the relay did not become ready within {timeout:.0f} s", file=sys.stderr)
            return 1
        time.sleep(0.2)  # polling the port: a process offers no readiness event


def invitation_used(first_run: Path) -> int:
    """0 when the relay (configured by the OPG_RELAY_* environment) marks the invitation used; 1 when it
    is unused or unknown, so that the invitation is shown rather than lost."""
    found = re.search(r"admin invitation: (\S+)", first_run.read_text(encoding="utf-8"))
    if found is None:
        return 1
    from sqlalchemy import select

    from opgelucht_relay.auth.invitations import invitation_hash
    from opgelucht_relay.config import Settings
    from opgelucht_relay.db import Database
    from opgelucht_relay.models.accounts import Invitation

    async def used() -> bool:
        db = Database(Settings.load(None).db_url)
        try:
            async with db.sessions() as session:
                try:
                    stored = invitation_hash(found.group(1))  # the relay's own reading of a typed code
                except ValueError:
                    return False
                stmt = select(Invitation.used_at).where(Invitation.token_hash == stored)
                return (await session.execute(stmt)).scalar_one_or_none() is not None
        finally:
            await db.dispose()

    return 0 if asyncio.run(used()) else 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["qt-libs"]:
        return check_qt_libs()
    if argv[:1] == ["wait-ready"] and len(argv) == 2:
        return wait_ready(argv[1])
    if argv[:1] == ["invitation-used"] and len(argv) == 2:
        return invitation_used(Path(argv[1]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
