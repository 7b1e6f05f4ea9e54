"""What the admin's counsellor list tells about the published roster (issue 10, item 5): a further
computer of a listed counsellor is "not listed yet" until the admin publishes, so the need to publish
(and share the open conversations with it) shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_relay.clock import ManualClock

from .desks import PASSWORD, EnrolledDesk

PASSPHRASE = "correct horse battery staple"


async def test_a_further_computer_counts_as_unlisted_until_the_roster_lists_it(
    admin_desk: EnrolledDesk, desk_config: Callable[[str], DeskConfig], clock: ManualClock, tmp_path: Path
) -> None:
    desk = admin_desk.desk
    [me] = await desk.counsellors()
    assert (me.devices, me.in_roster, me.unlisted_devices) == (1, True, 0)
    backup = tmp_path / "identity.opgbackup"
    await desk.export_identity_backup(backup, PASSPHRASE)
    laptop = await Desk.open(desk_config("laptop"))
    try:
        await laptop.enrol_further_computer(backup, PASSPHRASE, PASSWORD, admin_desk.totp(clock))
        [me] = await desk.counsellors()
        assert (me.devices, me.in_roster, me.unlisted_devices) == (2, True, 1)
        await desk.publish_roster()
        [me] = await desk.counsellors()
        assert (me.devices, me.in_roster, me.unlisted_devices) == (2, True, 0)
    finally:
        await laptop.close()
