"""A device the org admin dropped from the roster (a stolen or lost laptop) whose keys and relay session
are still in an attacker's hands: against the real in-process relay, whatever it signs after the desk
learned of the removal (reply, note, status change, re-wrap) is refused and shown as a verification
problem, while what it signed before keeps verifying (docs/protocol.md §7, "removed devices")."""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from kit.actors import create_invitation_for
from kit.reporter import CANARY_PSEUDONYM, Reporter

from opgelucht_desk.core.api import RelayClient
from opgelucht_desk.core.desk import ROSTER_LIFETIME, Desk, DeskConfig
from opgelucht_desk.core.errors import AuthExpiredError
from opgelucht_desk.core.model import Status
from opgelucht_desk.core.trust import Trust
from opgelucht_desk.protocol.envelope import MessageType, envelope_hash, seal_message
from opgelucht_desk.protocol.keys import DeviceKeys, key_id, signing_public_key
from opgelucht_desk.protocol.rewrap import make_rewrap
from opgelucht_desk.protocol.roster import (
    CounsellorEntry,
    Roster,
    SignedRoster,
    make_device_entry,
    roster_hash,
    sign_roster,
)
from opgelucht_relay.clock import ManualClock, unix
from opgelucht_relay.context import AppContext
from opgelucht_relay.models import Counsellor
from opgelucht_relay.schemas import WrapIn
from opgelucht_relay.services.inbox import add_wraps

from .desks import PASSWORD, EnrolledDesk, enrol_desk

REMOVED = "removed from the roster"


async def _colleague(
    admin: Desk, ctx: AppContext, clock: ManualClock, desk_config: Callable[[str], DeskConfig], name: str
) -> EnrolledDesk:
    """A new counsellor, enrolled through the facade and listed by the admin's next roster."""
    assert admin.account is not None
    invitation = await create_invitation_for(ctx, admin.account.org_id)
    colleague = await enrol_desk(desk_config(name.lower()), clock, invitation, name.lower(), name)
    await admin.publish_roster()
    await colleague.desk.sync_now()
    return colleague


@dataclass(frozen=True)
class Listed:
    """The last roster that still listed the removed device: what the attacker claims to encrypt to."""

    roster: Roster
    hash: bytes


async def _drop_device(admin: Desk, keys: DeviceKeys, clock: ManualClock) -> Listed:
    """The admin removes one device from the roster (a lost laptop): the next signed roster lists every
    other device. The counsellor's account, device registration and session stay on the relay."""
    trust = admin._unlocked().trust
    current, signed = trust.tracker.current, trust.tracker.current_signed
    org_seed = admin._unlocked().secrets.org_seed
    assert current is not None and signed is not None and org_seed is not None
    now = unix(clock.now())
    counsellors = tuple(
        dataclasses.replace(c, devices=tuple(d for d in c.devices if d.sign_pk != keys.sign_pk))
        for c in current.counsellors
    )
    dropped = dataclasses.replace(
        current,
        version=current.version + 1,
        prev_hash=roster_hash(signed),
        issued=now,
        expires=now + ROSTER_LIFETIME,
        counsellors=counsellors,
    )
    await admin._unlocked().api.put_roster(sign_roster(dropped, org_seed).to_json())
    return Listed(current, roster_hash(signed))


async def _session_has_ended(desk: Desk) -> None:
    """The relay answers the laptop's saved session token with 401: it ended with the roster."""
    account = desk.account
    assert account is not None
    token = desk.config.keystore(account).session_token
    assert token is not None
    laptop = desk.config.client(account.relay_url, token)
    try:
        with pytest.raises(AuthExpiredError):
            await laptop.me()
    finally:
        await laptop.aclose()


def _relay_that_plays_along(admin: Desk) -> RelayClient:
    """Since issue 9 item 3 the relay ends a dropped device's session, so the thief cannot post through
    it. A compromised relay could still serve what the thief signs: a live session of the org (the
    admin's) stores it, as such a relay would. The envelope and re-wrap bytes are the thief's."""
    return admin._unlocked().api


async def _relay_stores_wraps(ctx: AppContext, desk: Desk, wraps: list[dict[str, str]]) -> None:
    """A relay that plays along stores re-wraps as if the laptop's (ended) session had posted them."""
    account = desk.account
    assert account is not None
    async with ctx.db.sessions() as db:
        counsellor = await db.get(Counsellor, account.counsellor_id)
        assert counsellor is not None
        await add_wraps(db, counsellor, [WrapIn.model_validate(w) for w in wraps], ctx.clock.now())


def _forge(
    keys: DeviceKeys,
    desk: Desk,
    conv_id: uuid.UUID,
    channel: str,
    msg_type: MessageType,
    payload: bytes,
    listed: Listed,
) -> str:
    """An envelope the removed device signs, continuing its own chain (no gap to notice) and claiming the
    last roster that listed it."""
    conv = desk._unlocked().inbox.conversations[str(conv_id)]
    seq, digest = conv.own_chains[channel]
    recipients = listed.roster.recipient_keys()
    if channel == "chat":
        assert conv.reporter_enc_pk is not None
        recipients.append(base64.b64decode(conv.reporter_enc_pk))
    envelope = seal_message(
        conv_id=conv_id,
        msg_id=uuid.uuid4(),
        roster_version=listed.roster.version,
        sender=keys,
        seq=int(seq) + 1,
        msg_type=msg_type,
        prev_hash=base64.b64decode(str(digest)),
        roster_hash=listed.hash,
        payload=payload,
        recipients=recipients,
    )
    conv.own_chains[channel] = [int(seq) + 1, base64.b64encode(envelope_hash(envelope)).decode()]
    return base64.b64encode(envelope).decode()


def _wrap(
    desk: Desk, signer: DeviceKeys, conv_id: uuid.UUID, msg_id: uuid.UUID, target: bytes
) -> dict[str, str]:
    """A signed re-wrap record of one message's content key (as the desk holds it) for ``target``."""
    record = desk._unlocked().inbox.messages[str(conv_id)][str(msg_id)]
    assert record.content_key is not None
    rewrap = make_rewrap(
        conv_id=conv_id,
        msg_id=msg_id,
        content_key=base64.b64decode(record.content_key),
        target_enc_pk=target,
        signer=signer,
    )
    return {
        "conv_id": str(conv_id),
        "msg_id": str(msg_id),
        "key_id": base64.b64encode(key_id(target)).decode(),
        "wrap": base64.b64encode(rewrap.wrap).decode(),
        "record": base64.b64encode(rewrap.to_bytes()).decode(),
    }


async def test_removed_device_reply_note_and_status_change_are_refused_and_flagged(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    admin = admin_desk.desk
    bert = await _colleague(admin, ctx, clock, desk_config, "Bert")
    try:
        await reporter.client.refresh_roster()  # the reporter encrypts to Bert's computer too
        await reporter.hello()
        await reporter.text("Ik heb een vraag.")
        conv_id = reporter.conv_id
        # History: Bert answers, writes a note and opens the case while his laptop is in the roster.
        await bert.desk.sync_now()
        await bert.desk.reply(conv_id, "Eerder antwoord van Bert.")
        await bert.desk.add_note(conv_id, "Eerdere notitie van Bert.")
        await bert.desk.set_status(conv_id, Status.OPEN)
        await bert.desk.sync_now()
        await admin.sync_now()
        assert [m.text for m in await reporter.client.read(conv_id) if not m.from_me] == [
            "Eerder antwoord van Bert."
        ]

        # The laptop is stolen: the admin drops it from the roster and the desk learns so.
        laptop = bert.desk._unlocked().keys
        listed = await _drop_device(admin, laptop, clock)
        await admin.sync_now()
        # The laptop's relay session ended with that roster (issue 9 item 3)...
        await _session_has_ended(bert.desk)
        # ...but a relay that plays along could still serve what the thief signs with the laptop's keys,
        # claiming the roster that listed it: a reply, a note and "closed" (stored here through another
        # session of the org, as such a relay would). The desk refuses them itself.
        api = _relay_that_plays_along(admin)
        chat, staff = "chat", "staff"
        await api.post_message(
            str(conv_id), _forge(laptop, bert.desk, conv_id, chat, MessageType.TEXT, b"Nep-antwoord", listed)
        )
        await api.post_note(
            str(conv_id), _forge(laptop, bert.desk, conv_id, staff, MessageType.NOTE, b"Nep-notitie", listed)
        )
        closed = json.dumps({"category": None, "status": "closed"}).encode()
        await api.post_note(
            str(conv_id), _forge(laptop, bert.desk, conv_id, staff, MessageType.META, closed, listed)
        )
        await admin.sync_now()

        for _round in ("after the attack", "after locking and logging in again"):
            [summary] = admin.conversations()
            assert summary.status is Status.OPEN  # not "closed"
            assert summary.verification_problem is not None
            chat_views = [(m.text, m.author, m.state) for m in admin.messages(conv_id)]
            assert chat_views[:2] == [
                ("Ik heb een vraag.", summary.pseudonym, "received"),
                ("Eerder antwoord van Bert.", "Bert", "sent"),  # history keeps verifying
            ]
            [forged] = admin.messages(conv_id)[2:]
            assert (forged.text, forged.state) == ("", "verification_failed")
            assert forged.problem is not None and REMOVED in forged.problem
            notes = admin.notes(conv_id)
            assert [(n.text, n.author, n.state) for n in notes[:1]] == [
                ("Eerdere notitie van Bert.", "Bert", "sent")
            ]
            assert [(n.text, n.state) for n in notes[1:]] == [("", "verification_failed")] * 2
            assert all(n.problem is not None and REMOVED in n.problem for n in notes[1:])
            await admin.lock()
            await admin.login(PASSWORD, admin_desk.totp(clock))

        # The removal is remembered across the login: another "closed" is refused too.
        await _relay_that_plays_along(admin).post_note(
            str(conv_id), _forge(laptop, bert.desk, conv_id, staff, MessageType.META, closed, listed)
        )
        await admin.sync_now()
        assert admin.conversations()[0].status is Status.OPEN
        assert [n.state for n in admin.notes(conv_id)][1:] == ["verification_failed"] * 3

        # The reporter's client refuses the forged reply by the same rule.
        assert await reporter.client.read(conv_id) == []
        assert [r.reason for r in reporter.client.rejected] == ["unknown_sender"]
    finally:
        await bert.desk.close()


async def test_removed_device_rewrap_is_refused_while_its_old_reply_still_verifies(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    admin = admin_desk.desk
    bert = await _colleague(admin, ctx, clock, desk_config, "Bert")
    carla: EnrolledDesk | None = None
    try:
        await reporter.client.refresh_roster()
        await reporter.hello()
        question = await reporter.text("Ik heb een vraag.")
        conv_id = reporter.conv_id
        await bert.desk.sync_now()
        await bert.desk.reply(conv_id, "Eerder antwoord van Bert.")
        await bert.desk.sync_now()
        await admin.sync_now()
        [hello_id, _question, old_reply_id] = [
            uuid.UUID(m.msg_id)
            for m in sorted(admin._unlocked().inbox.messages[str(conv_id)].values(), key=lambda m: m.cursor)
        ]
        # Carla joins later: the conversation so far was not encrypted to her computer.
        carla = await _colleague(admin, ctx, clock, desk_config, "Carla")
        assert carla.desk.messages(conv_id) == []
        # Bert's laptop is stolen and dropped from the roster; Carla's desk learns so.
        laptop = bert.desk._unlocked().keys
        await _drop_device(admin, laptop, clock)
        await carla.desk.sync_now()

        target = carla.desk._unlocked().keys.enc_pk
        admin_keys = admin._unlocked().keys
        # The laptop's session ended with the roster; a relay that plays along serves the thief's share
        # of the question with Carla, signed by the dropped laptop...
        await _session_has_ended(bert.desk)
        await _relay_stores_wraps(ctx, bert.desk, [_wrap(bert.desk, laptop, conv_id, question, target)])
        # ...and the admin, who is listed, shares the HELLO and Bert's old reply.
        await admin._unlocked().api.post_wraps(
            [_wrap(admin, admin_keys, conv_id, m, target) for m in (hello_id, old_reply_id)]
        )
        await carla.desk.sync_now()

        [summary] = carla.desk.conversations()
        assert summary.pseudonym == CANARY_PSEUDONYM
        # Bert's reply reached Carla's desk before it learned of the removal: it keeps verifying.
        assert [(m.text, m.author, m.state) for m in carla.desk.messages(conv_id)] == [
            ("Eerder antwoord van Bert.", "Bert", "sent")
        ]
        # The laptop's re-wrap is refused: the question stays hidden, and the conversation says why.
        assert summary.verification_problem is not None
        assert REMOVED in summary.verification_problem
        assert summary.not_shared_yet == 1 and not summary.waiting_for_share  # the hidden question
    finally:
        await bert.desk.close()
        if carla is not None:
            await carla.desk.close()


def test_a_device_listed_again_counts_again_but_not_for_what_arrived_while_it_was_out() -> None:
    """The removal spans in relay cursors, kept across a restart of the desk (and for the state of an
    older version, which had none: its removals start where that state's roster does)."""
    org_seed, identity_seed = secrets.token_bytes(32), secrets.token_bytes(32)
    laptop, other = DeviceKeys.generate(), DeviceKeys.generate()
    entries = {k: make_device_entry(identity_seed, k, uuid.uuid4()) for k in (laptop, other)}
    org_id, counsellor_id = uuid.uuid4(), uuid.uuid4()
    signed: list[SignedRoster] = []

    def publish(*devices: DeviceKeys) -> dict[str, str]:
        prev = roster_hash(signed[-1]) if signed else bytes(32)
        counsellor = CounsellorEntry(
            counsellor_id, "Bert", signing_public_key(identity_seed), tuple(entries[d] for d in devices)
        )
        roster = Roster(org_id, len(signed) + 1, prev, 1_000, 2_000, (counsellor,))
        signed.append(sign_roster(roster, org_seed))
        return signed[-1].to_json()

    trust = Trust.new(signing_public_key(org_seed))
    assert trust.accept(publish(laptop, other), now=1_100) is None
    trust.seen_cursor = 10
    assert trust.accept(publish(other), now=1_100) is None  # dropped as of cursor 10
    trust.seen_cursor = 20
    assert trust.accept(publish(laptop, other), now=1_100) is None  # listed again as of cursor 20
    for state in (trust, Trust.from_bytes(trust.to_bytes())):
        staff = state.staff
        assert [staff.removal(laptop.sign_pk, c) is None for c in (10, 11, 20, 21)] == [
            True,
            False,
            False,
            True,
        ]
        assert all(staff.removal(other.sign_pk, c) is None for c in (10, 11, 20, 21))
    # A state saved by an older version (no removals, no cursor), with the laptop no longer listed.
    trust.seen_cursor = 30
    assert trust.accept(publish(other), now=1_100) is None
    old = json.loads(trust.to_bytes())
    del old["removed"], old["seen_cursor"]
    migrated = Trust.from_bytes(json.dumps(old).encode())
    assert migrated.staff.removal(laptop.sign_pk, 1) is not None
    assert migrated.staff.removal(other.sign_pk, 1) is None
