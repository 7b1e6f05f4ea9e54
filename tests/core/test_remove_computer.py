"""The org admin removes ONE computer of a counsellor (a stolen laptop) through the desk's facade
(``Desk.remove_device``), against the real in-process relay on both backends: that computer is signed
out and cannot log in again, the counsellor's other computer keeps syncing and reading, the new roster
no longer lists it and the reporter's next message is not encrypted to it. The admin's own computer, an
unknown computer and one no roster lists yet are refused without publishing anything."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from pathlib import Path

import pytest
from kit.actors import create_invitation_for
from kit.reporter import Reporter
from relay.conftest import pg_server, pg_template  # noqa: F401 - fixtures of the PostgreSQL backend

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import (
    AuthExpiredError,
    DeviceRefusedError,
    NotAllowedError,
    OwnComputerError,
    UnknownComputerError,
    UnlistedComputerError,
)
from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.protocol.envelope import parse_header
from opgelucht_desk.protocol.keys import key_id
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext

from .desks import PASSWORD, EnrolledDesk, enrol_desk

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class SignedOut(DeskListener):
    """Set when the desk learns that the relay ended its session (the UI then locks)."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def auth_expired(self) -> None:
        self.event.set()


async def _envelope_key_ids(admin: Desk, msg_id: str) -> tuple[bytes, ...]:
    """The key ids the stored envelope of ``msg_id`` is wrapped to, as the relay serves it."""
    page = await admin._unlocked().api.inbox_sync(0)
    [stored] = [m for m in page["messages"] if m["msg_id"] == msg_id]
    return parse_header(base64.b64decode(stored["envelope"])).key_ids


async def test_the_admin_removes_one_computer_and_the_counsellors_other_computer_keeps_working(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
    tmp_path: Path,
) -> None:
    admin = admin_desk.desk
    assert admin.account is not None
    invitation = await create_invitation_for(ctx, admin.account.org_id)
    bert = await enrol_desk(desk_config("bert"), clock, invitation, "bert", "Bert")  # computer A
    backup = tmp_path / "bert.opgbackup"
    await bert.desk.export_identity_backup(backup, PASSPHRASE)
    laptop = await Desk.open(desk_config("bert-laptop"))  # computer B
    try:
        await laptop.enrol_further_computer(backup, PASSPHRASE, PASSWORD, bert.totp(clock))
        assert bert.desk.account is not None and laptop.account is not None
        bert_id, a_id, b_id = (
            bert.desk.account.counsellor_id,
            bert.desk.account.device_id,
            laptop.account.device_id,
        )
        b_enc_pk = laptop._unlocked().keys.enc_pk
        await admin.publish_roster()  # lists both of Bert's computers
        [view] = [c for c in await admin.counsellors() if c.counsellor_id == bert_id]
        assert {(c.device_id, c.listed, c.current) for c in view.computers} == {
            (a_id, True, False),
            (b_id, True, False),
        }
        assert all(len(c.short_id) == 8 and c.device_id.hex.startswith(c.short_id) for c in view.computers)
        await bert.desk.sync_now()
        await laptop.sync_now()
        await reporter.client.refresh_roster()
        await reporter.hello()
        await reporter.text("Ik heb een vraag.")
        conv_id = reporter.conv_id
        await laptop.sync_now()
        assert [m.text for m in laptop.messages(conv_id)] == ["Ik heb een vraag."]
        version = admin._unlocked().trust.tracker.current
        assert version is not None
        signed_out = SignedOut()
        laptop.add_listener(signed_out)
        await laptop.start_sync()  # the laptop is on, syncing in the background

        # The laptop is stolen: the admin removes it, and only it.
        assert await admin.remove_device(bert_id, b_id) == version.version + 1
        current = admin._unlocked().trust.tracker.current
        assert current is not None
        listed = {d.device_id for _c, d in current.valid_devices()}
        assert a_id in listed and b_id not in listed and admin.account.device_id in listed
        [view] = [c for c in await admin.counsellors() if c.counsellor_id == bert_id]
        assert [(c.device_id, c.listed) for c in view.computers] == [(a_id, True)]

        # B is locked out: its running desk learns its session ended, and its login is refused.
        await asyncio.wait_for(signed_out.event.wait(), timeout=10)
        await laptop.stop_sync()
        with pytest.raises(AuthExpiredError):
            await laptop._unlocked().api.inbox_sync(0)
        await laptop.lock()
        with pytest.raises(DeviceRefusedError) as refused:
            await laptop.login(PASSWORD, bert.totp(clock))
        assert refused.value.kind == "removed"

        # The reporter's next message reaches A, not B.
        second = await reporter.text("Nog een vraag.")
        await bert.desk.sync_now()
        assert [m.text for m in bert.desk.messages(conv_id)] == ["Ik heb een vraag.", "Nog een vraag."]
        kids = await _envelope_key_ids(admin, str(second))
        assert key_id(bert.desk._unlocked().keys.enc_pk) in kids
        assert key_id(b_enc_pk) not in kids
        # A can still reply, and the reporter verifies it.
        await bert.desk.reply(conv_id, "Ik help je graag.")
        await bert.desk.sync_now()
        assert await reporter.replies() == [("Ik help je graag.", "Bert")]

        # Removing it again is refused as unknown, and nothing is published.
        with pytest.raises(UnknownComputerError):
            await admin.remove_device(bert_id, b_id)
        after = admin._unlocked().trust.tracker.current
        assert after is not None and after.version == current.version
    finally:
        await laptop.close()
        await bert.desk.close()


async def test_the_admin_cannot_remove_the_computer_in_use_nor_one_not_listed_yet(
    admin_desk: EnrolledDesk, clock: ManualClock, desk_config: Callable[[str], DeskConfig], tmp_path: Path
) -> None:
    admin = admin_desk.desk
    assert admin.account is not None
    await admin.publish_roster()
    before = admin._unlocked().trust.tracker.current
    assert before is not None
    [me] = await admin.counsellors()
    assert [(c.device_id, c.current, c.listed) for c in me.computers] == [
        (admin.account.device_id, True, True)
    ]
    with pytest.raises(OwnComputerError) as refused:
        await admin.remove_device(admin.account.counsellor_id, admin.account.device_id)
    assert isinstance(refused.value, NotAllowedError)
    after = admin._unlocked().trust.tracker.current
    assert after is not None and after.version == before.version
    await admin.sync_now()  # still signed in and syncing

    # A further computer no roster lists yet: a roster without it would not sign it out (the relay
    # drops only devices the previous roster listed), so the desk refuses instead of claiming it did.
    backup = tmp_path / "admin.opgbackup"
    await admin.export_identity_backup(backup, PASSPHRASE)
    laptop = await Desk.open(desk_config("admin-laptop"))
    try:
        await laptop.enrol_further_computer(backup, PASSPHRASE, PASSWORD, admin_desk.totp(clock))
        assert laptop.account is not None
        [me] = await admin.counsellors()
        assert (laptop.account.device_id, False) in [(c.device_id, c.listed) for c in me.computers]
        with pytest.raises(UnlistedComputerError):
            await admin.remove_device(admin.account.counsellor_id, laptop.account.device_id)
        still = admin._unlocked().trust.tracker.current
        assert still is not None and still.version == before.version
    finally:
        await laptop.close()
