"""A misbehaving relay or network (a test double of the network only, wrapping the real relay):
the desk shows a verification error or a gap, never wrong text, and refuses to send on a bad roster."""

from __future__ import annotations

import base64
import copy
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from kit.reporter import CANARY_TEXT, Reporter

from opgelucht_desk.core.errors import RosterBlockedError
from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.core.model import RosterWarning, RosterWarningKind
from opgelucht_desk.protocol.keys import DeviceKeys
from opgelucht_relay.clock import ManualClock

from .conftest import make_reporter
from .desks import PASSWORD, EnrolledDesk
from .tampering import TamperingTransport

SYNC = "/v1/inbox/sync"


async def _second_reporter(first: Reporter, app: FastAPI, clock: ManualClock, tmp_path: Path) -> Reporter:
    other = make_reporter(app, clock, tmp_path / "reporter2.json")
    await other.register(first.org_code)
    await other.hello("Tweede")
    return other


async def test_message_replayed_into_another_conversation_is_rejected(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    network: TamperingTransport,
    app: FastAPI,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    desk = admin_desk.desk
    other = await _second_reporter(reporter, app, clock, tmp_path)
    await reporter.hello()
    await desk.sync_now()
    await reporter.text(CANARY_TEXT)

    def replay(page: dict[str, Any]) -> dict[str, Any]:
        for m in list(page["messages"]):
            if m["conv_id"] == str(reporter.conv_id):
                moved = copy.deepcopy(m)
                moved["conv_id"], moved["msg_id"] = str(other.conv_id), str(uuid.uuid4())
                moved["cursor"] = m["cursor"]
                page["messages"].append(moved)
        return page

    network.rewrites[SYNC] = replay
    await desk.sync_now()
    victim = desk.messages(other.conv_id)
    assert [(m.state, m.text) for m in victim] == [("verification_failed", "")]
    assert victim[0].problem is not None and "another conversation" in victim[0].problem
    summary = {c.conv_id: c for c in desk.conversations()}[other.conv_id]
    assert summary.verification_problem is not None
    # The genuine conversation is unaffected.
    assert [m.text for m in desk.messages(reporter.conv_id)] == [CANARY_TEXT]


async def test_dropped_message_shows_a_gap(
    admin_desk: EnrolledDesk, reporter: Reporter, network: TamperingTransport
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text("een")
    dropped = await reporter.text("twee")
    await reporter.text("drie")
    network.rewrites[SYNC] = lambda page: {
        **page,
        "messages": [m for m in page["messages"] if m["msg_id"] != str(dropped)],
    }
    await desk.sync_now()
    assert [(m.text, m.state) for m in desk.messages(reporter.conv_id)] == [
        ("een", "received"),
        ("drie", "received"),
    ]
    [summary] = desk.conversations()
    assert summary.verification_problem is not None and "missing" in summary.verification_problem


async def test_flipped_bit_is_a_verification_failure_not_text(
    admin_desk: EnrolledDesk, reporter: Reporter, network: TamperingTransport
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await desk.sync_now()
    target = await reporter.text(CANARY_TEXT)

    def flip(page: dict[str, Any]) -> dict[str, Any]:
        for m in page["messages"]:
            if m["msg_id"] == str(target):
                raw = bytearray(base64.b64decode(m["envelope"]))
                raw[-40] ^= 0x01
                m["envelope"] = base64.b64encode(bytes(raw)).decode()
        return page

    network.rewrites[SYNC] = flip
    await desk.sync_now()
    [msg] = desk.messages(reporter.conv_id)
    assert (msg.state, msg.text) == ("verification_failed", "")


async def test_swapped_roster_key_blocks_sending_and_warns(
    admin_desk: EnrolledDesk, reporter: Reporter, network: TamperingTransport
) -> None:
    desk = admin_desk.desk
    warnings: list[RosterWarning] = []

    class Listener(DeskListener):
        def roster_warning(self, warning: RosterWarning) -> None:
            warnings.append(warning)

    desk.add_listener(Listener())
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    attacker = DeviceKeys.generate()

    def swap(org: dict[str, Any]) -> dict[str, Any]:
        body = base64.b64decode(org["roster"]["body"]).decode()
        first_enc = body.split('"enc_pk":"')[1].split('"')[0]
        body = body.replace(first_enc, base64.b64encode(attacker.enc_pk).decode())
        body = body.replace('"version":1', '"version":2')
        org["roster"]["body"] = base64.b64encode(body.encode()).decode()
        return org

    network.rewrites["/v1/org"] = swap
    await desk.sync_now()
    assert [w.kind for w in warnings] == [RosterWarningKind.BAD_SIGNATURE]
    assert "signature" in warnings[0].detail
    assert desk._unlocked().trust.problem is not None
    with pytest.raises(RosterBlockedError):
        await desk.reply(reporter.conv_id, "mag niet weg")
    assert [m.text for m in desk.messages(reporter.conv_id)] == [CANARY_TEXT]
    # The received text is still shown (it verified under the genuine roster).
    assert desk.conversations()[0].verification_problem is None


async def test_rollback_to_an_older_roster_blocks_sending(
    admin_desk: EnrolledDesk, reporter: Reporter, network: TamperingTransport
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await desk.sync_now()
    old = (await admin_desk.desk._unlocked().api.org())["roster"]
    await desk.publish_roster()
    network.rewrites["/v1/org"] = lambda org: {**org, "roster": old}
    await desk.sync_now()
    assert (problem := desk._unlocked().trust.problem) is not None and "rollback" in problem
    with pytest.raises(RosterBlockedError):
        await desk.reply(reporter.conv_id, "mag niet weg")


async def test_changed_org_key_blocks_sending(
    admin_desk: EnrolledDesk, reporter: Reporter, network: TamperingTransport
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await desk.sync_now()
    fake = base64.b64encode(DeviceKeys.generate().sign_pk).decode()
    network.rewrites["/v1/org"] = lambda org: {**org, "org_key": fake}
    await desk.sync_now()
    assert (problem := desk._unlocked().trust.problem) is not None and "organisation key" in problem
    with pytest.raises(RosterBlockedError):
        await desk.reply(reporter.conv_id, "mag niet weg")


async def test_expired_roster_blocks_sending(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await desk.sync_now()
    clock.advance(days=15)
    await desk.lock()  # the relay session has timed out meanwhile: log in again
    await desk.login(PASSWORD, admin_desk.totp(clock))
    with pytest.raises(RosterBlockedError, match="expired"):
        await desk.reply(reporter.conv_id, "te laat")
    # Publishing a fresh roster (the admin holds the org key) lifts the block.
    await desk.publish_roster()
    await desk.reply(reporter.conv_id, "weer op tijd")
