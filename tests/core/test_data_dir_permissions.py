"""The data directory and the account profile are the user's alone (issue 10 minor): 0700 and 0600,
also when an older version or the umask left them 0755 / 0644."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from opgelucht_desk.core.desk import ACCOUNT_FILE, Desk, DeskConfig

from .desks import EnrolledDesk

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_opening_makes_a_new_or_loose_data_directory_owner_only(
    desk_config: Callable[[str], DeskConfig],
) -> None:
    fresh = desk_config("fresh")
    await (await Desk.open(fresh)).close()
    assert mode(fresh.data_dir) == 0o700

    loose = desk_config("loose")
    loose.data_dir.mkdir(mode=0o755)
    os.chmod(loose.data_dir, 0o755)  # noqa: S103 - as an older version left it
    await (await Desk.open(loose)).close()
    assert mode(loose.data_dir) == 0o700


async def test_enrolment_writes_the_account_profile_owner_only(admin_desk: EnrolledDesk) -> None:
    data_dir = admin_desk.desk.config.data_dir
    assert mode(data_dir) == 0o700
    assert mode(data_dir / ACCOUNT_FILE) == 0o600
