"""The relay's errors reach the UI as typed errors (against the real relay, no stand-ins)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from kit.actors import create_invitation_for
from kit.relay import free_port

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import (
    ForbiddenError,
    GoneError,
    InvalidCredentialsError,
    LockedOutError,
    NotAllowedError,
    NotEnrolledError,
    OfflineError,
)
from opgelucht_relay.auth.totp import code_at
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext

from .desks import PASSWORD, EnrolledDesk, enrol_desk


async def test_repeated_wrong_codes_lock_the_account_out(
    admin_desk: EnrolledDesk, clock: ManualClock
) -> None:
    desk = admin_desk.desk
    await desk.lock()
    failures = 0
    with pytest.raises(LockedOutError) as locked:
        while failures < 10:
            with pytest.raises(InvalidCredentialsError):
                await desk.login(PASSWORD, "000000")
            failures += 1
    assert failures >= 5  # docs/api.md: 429 after 5 failures per account
    with pytest.raises(LockedOutError):  # while locked out, nothing is even checked
        await desk.login(PASSWORD, code_at(admin_desk.challenge.totp_secret, clock.now()))
    assert locked.value.retry_after > 0
    clock.advance(seconds=locked.value.retry_after)
    await desk.login(PASSWORD, admin_desk.totp(clock))


async def test_unreachable_relay_is_offline(desk_config: Callable[[str], DeskConfig]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    config = dataclasses.replace(desk_config("nowhere"), relay_url=url, transport=None, request_retries=1)
    desk = await Desk.open(config)
    with pytest.raises(NotEnrolledError):
        await desk.login(PASSWORD, "123456")
    with pytest.raises(OfflineError):
        await desk.enrol_start(url, "invitation", "someone", "Someone", PASSWORD)


async def test_used_invitation_is_gone(
    admin_desk: EnrolledDesk,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    assert admin_desk.desk.account is not None
    invitation = await create_invitation_for(ctx, admin_desk.desk.account.org_id)
    bob = await enrol_desk(desk_config("bob"), clock, invitation, "bob", "Bob")
    try:
        again = await Desk.open(desk_config("bob-again"))
        with pytest.raises(GoneError):
            await again.enrol_start("http://127.0.0.1:9", invitation, "bob2", "Bob", PASSWORD)
        # A counsellor is not an admin: admin calls are refused with a typed error (by the relay, or
        # by the desk itself when it lacks the org key).
        with pytest.raises(ForbiddenError):
            await bob.desk.invite("counsellor")
        with pytest.raises(NotAllowedError):
            await bob.desk.publish_roster()
    finally:
        await bob.desk.close()
