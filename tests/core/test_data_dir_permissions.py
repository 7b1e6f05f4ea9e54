"""The data directory, the account profile and the encrypted cache (with its -wal and -shm files) are the
user's alone (issue 10 minor): 0700 and 0600 from creation, also when an older version or the umask left
them 0755 / 0644."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from kit.reporter import CANARY_TEXT, Reporter

from opgelucht_desk.core.cache import CACHE_FILENAME, EncryptedCache
from opgelucht_desk.core.desk import ACCOUNT_FILE, Desk, DeskConfig
from opgelucht_relay.clock import ManualClock

from .desks import PASSWORD, EnrolledDesk

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


def cache_files(data_dir: Path) -> dict[str, int]:
    return {p.name: mode(p) for p in data_dir.iterdir() if p.name.startswith(CACHE_FILENAME)}


async def test_the_encrypted_cache_and_its_wal_and_shm_files_are_owner_only(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock
) -> None:
    desk = admin_desk.desk
    previous = os.umask(0o022)  # the usual umask, under which SQLite creates its files 0644
    try:
        await reporter.hello()
        await reporter.text(CANARY_TEXT)
        await desk.sync_now()
        files = cache_files(desk.config.data_dir)
        # (-shm and -wal exist while the cache is open in WAL mode)
        assert {f"{CACHE_FILENAME}-wal", f"{CACHE_FILENAME}-shm"} <= set(files)
        assert files == dict.fromkeys(files, 0o600)
        # Signing out deletes the cache; the next login creates it owner-only again.
        await desk.sign_out()
        await desk.login(PASSWORD, admin_desk.totp(clock))
        await desk.sync_now()
        files = cache_files(desk.config.data_dir)
        assert CACHE_FILENAME in files and files == dict.fromkeys(files, 0o600)
    finally:
        os.umask(previous)


def test_a_cache_file_an_older_version_left_0644_is_tightened_on_open(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILENAME
    EncryptedCache(path, bytes(32)).close()
    for p in tmp_path.iterdir():
        os.chmod(p, 0o644)  # as an older version left them
    cache = EncryptedCache(path, bytes(32))
    try:
        assert cache_files(tmp_path) == dict.fromkeys(cache_files(tmp_path), 0o600)
    finally:
        cache.close()
