"""Issue 9 item 3 on the desk: the login binds the relay session to this computer's device (signed with
its key from the keystore), the further-computer flow ends with a session bound to the new computer, and
a computer the organisation's roster dropped cannot log in again (a clear error), against the real
in-process relay."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from opgelucht_desk.core.desk import ROSTER_LIFETIME, Desk, DeskConfig
from opgelucht_desk.core.errors import AuthExpiredError, DeviceRefusedError, InvalidCredentialsError
from opgelucht_desk.protocol.roster import roster_hash, sign_roster
from opgelucht_relay.clock import ManualClock, unix
from opgelucht_relay.context import AppContext
from opgelucht_relay.models import AuditEvent

from .desks import PASSWORD, EnrolledDesk

PASSPHRASE = "correct horse battery staple"


async def _bound_device(desk: Desk) -> str | None:
    """The device the relay has bound this desk's current session to."""
    [current] = [s for s in await desk._unlocked().api.sessions() if s["current"]]
    device: str | None = current["device_id"]
    return device


async def _login_attempts(ctx: AppContext) -> int:
    async with ctx.db.sessions() as db:
        events = ("login", "login_failed", "login_totp_replayed")
        return int(await db.scalar(select(func.count()).where(AuditEvent.event.in_(events))) or 0)


async def _further_computer(
    admin: EnrolledDesk, desk_config: Callable[[str], DeskConfig], clock: ManualClock, tmp_path: Path
) -> Desk:
    backup = tmp_path / "identity.opgbackup"
    await admin.desk.export_identity_backup(backup, PASSPHRASE)
    laptop = await Desk.open(desk_config("laptop"))
    await laptop.enrol_further_computer(backup, PASSPHRASE, PASSWORD, admin.totp(clock))
    return laptop


async def _drop(admin: Desk, laptop: Desk, clock: ManualClock) -> None:
    """The admin publishes a roster without the laptop (reported stolen): every other device stays."""
    assert laptop.account is not None
    gone = laptop.account.device_id
    trust = admin._unlocked().trust
    current, signed = trust.tracker.current, trust.tracker.current_signed
    org_seed = admin._unlocked().secrets.org_seed
    assert current is not None and signed is not None and org_seed is not None
    now = unix(clock.now())
    roster = dataclasses.replace(
        current,
        version=current.version + 1,
        prev_hash=roster_hash(signed),
        issued=now,
        expires=now + ROSTER_LIFETIME,
        counsellors=tuple(
            dataclasses.replace(c, devices=tuple(d for d in c.devices if d.device_id != gone))
            for c in current.counsellors
        ),
    )
    await admin._unlocked().api.put_roster(sign_roster(roster, org_seed).to_json())


async def test_the_login_binds_the_session_to_this_computers_device(
    admin_desk: EnrolledDesk, clock: ManualClock, ctx: AppContext
) -> None:
    desk = admin_desk.desk
    assert desk.account is not None
    assert await _bound_device(desk) == str(desk.account.device_id)  # the enrolment's session
    await desk.lock()
    # A wrong password fails on this computer: the relay sees no attempt and the code stays usable.
    code = admin_desk.totp(clock)
    before = await _login_attempts(ctx)
    with pytest.raises(InvalidCredentialsError):
        await desk.login("not the password at all", code)
    assert await _login_attempts(ctx) == before
    await desk.login(PASSWORD, code)
    assert await _bound_device(desk) == str(desk.account.device_id)
    await desk.sync_now()


async def test_a_further_computer_ends_with_a_session_bound_to_its_own_device(
    admin_desk: EnrolledDesk, desk_config: Callable[[str], DeskConfig], clock: ManualClock, tmp_path: Path
) -> None:
    laptop = await _further_computer(admin_desk, desk_config, clock, tmp_path)
    try:
        assert laptop.account is not None and admin_desk.desk.account is not None
        assert laptop.account.device_id != admin_desk.desk.account.device_id
        assert await _bound_device(laptop) == str(laptop.account.device_id)
        await laptop.sync_now()
        await laptop.lock()
        await laptop.login(PASSWORD, admin_desk.totp(clock))
        assert await _bound_device(laptop) == str(laptop.account.device_id)
        await laptop.sync_now()
    finally:
        await laptop.close()


async def test_a_computer_the_roster_dropped_loses_its_session_and_cannot_log_in(
    admin_desk: EnrolledDesk, desk_config: Callable[[str], DeskConfig], clock: ManualClock, tmp_path: Path
) -> None:
    admin = admin_desk.desk
    laptop = await _further_computer(admin_desk, desk_config, clock, tmp_path)
    try:
        await admin.publish_roster()  # lists the laptop
        await laptop.sync_now()
        await _drop(admin, laptop, clock)
        with pytest.raises(AuthExpiredError):
            await laptop._unlocked().api.inbox_sync(0)
        await laptop.lock()
        with pytest.raises(DeviceRefusedError) as refused:
            await laptop.login(PASSWORD, admin_desk.totp(clock))
        assert refused.value.kind == "removed"
        # The admin's own computer is untouched, and the admin's next roster does not list it again.
        await admin.sync_now()
        assert await admin.publish_roster() == 4
        assert [c.devices for c in await admin.counsellors()] == [1]
        await laptop.lock()
        with pytest.raises(DeviceRefusedError):
            await laptop.login(PASSWORD, admin_desk.totp(clock))
    finally:
        await laptop.close()
