"""The employee chooses who reads (docs/protocol.md §16), against the real in-process relay with three
counsellors (Anna the admin, Bert, Carla) and the reference reporter client: only the chosen
counsellors' devices get stanzas, the others' desks list nothing, a handover needs the reporter's
signed consent, and forged or replayed consents and stanzas for non-members are refused."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable

import pytest
from kit.reporter import CANARY_PSEUDONYM, CANARY_TEXT, Reporter
from relay.conftest import pg_server, pg_template  # noqa: F401

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.errors import DeskError, NotAllowedError, UnknownConversationError, VerificationError
from opgelucht_desk.core.model import Presentation
from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.envelope import MessageType, envelope_hash, parse_header, seal_message
from opgelucht_desk.protocol.keys import DeviceKeys, key_id
from opgelucht_desk.protocol.recipients import Consent, set_hash
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_reporter.client import ReporterError

from .desks import EnrolledDesk
from .test_flow import Recorder
from .test_removed_device import _colleague

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Here on both of the relay's databases (the other core tests run on SQLite only)."""
    return str(request.param)


def _me(desk: Desk) -> uuid.UUID:
    assert desk.account is not None
    return desk.account.counsellor_id


def _key_ids(desk: Desk) -> set[bytes]:
    return {key_id(desk._unlocked().keys.enc_pk)}


async def _envelopes(desk: Desk, conv_id: uuid.UUID) -> list[bytes]:
    """Every envelope of the conversation as the relay serves it to a counsellor."""
    page = await desk._unlocked().api.inbox_sync(0, 500)
    return [b64d(m["envelope"]) for m in page["messages"] if m["conv_id"] == str(conv_id)]


async def test_only_the_chosen_counsellor_reads_and_a_handover_needs_consent(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    anna = admin_desk.desk
    bert = (await _colleague(anna, ctx, clock, desk_config, "Bert")).desk
    carla = (await _colleague(anna, ctx, clock, desk_config, "Carla")).desk
    heard = Recorder()
    anna.add_listener(heard)
    try:
        await reporter.client.refresh_roster()
        names = {c.display_name for c in reporter.client.counsellors()}
        assert names == {"Anna Admin", "Bert", "Carla"}
        # A counsellor the roster does not list: a clear error, nothing sent.
        reporter.client.set_profile(CANARY_PSEUDONYM)
        with pytest.raises(ReporterError) as refused:
            await reporter.client.open_conversation(to=["Dirk"])
        assert refused.value.code == "unknown_counsellor"
        assert reporter.client.conversation_ids() == []

        conv_id = await reporter.client.open_conversation(to=["Bert"])
        reporter._conv_id = conv_id  # (Reporter.replies reads it)
        await reporter.client.say(conv_id, CANARY_TEXT)
        for desk in (anna, bert, carla):
            await desk.sync_now()
        # Every envelope is wrapped to Bert's device and the reporter only.
        allowed = _key_ids(bert) | {key_id(reporter.client.keys.enc_pk)}
        for envelope in await _envelopes(bert, conv_id):
            assert set(parse_header(envelope).key_ids) == allowed
        # Bert lists it ("Alleen u"); Anna and Carla list nothing and hold nothing in memory.
        [summary] = bert.conversations()
        assert summary.pseudonym == CANARY_PSEUDONYM and summary.readers == ()
        assert [m.text for m in bert.messages(conv_id)] == [CANARY_TEXT]
        for other in (anna, carla):
            assert other.conversations() == []
            assert other.unread_total() == 0
            assert other.messages(conv_id) == []
            assert all(CANARY_TEXT not in m.text for m in other._unlocked().inbox.unshared())
        # A non-member cannot write into it either.
        with pytest.raises((NotAllowedError, UnknownConversationError, VerificationError)):
            await carla.reply(conv_id, "Ik lees mee.")

        # Bert answers: wrapped to Bert and the reporter only.
        await bert.reply(conv_id, "Dag, ik ben Bert.")
        await bert.sync_now()
        assert await reporter.replies() == [("Dag, ik ben Bert.", "Bert")]
        reply = (await _envelopes(bert, conv_id))[-1]
        assert set(parse_header(reply).key_ids) == allowed

        # Handover: Bert asks to bring in Carla; nothing changes until the reporter says yes.
        assert [c.display_name for c in bert.colleagues(conv_id)] == ["Anna Admin", "Carla"]
        await bert.request_handover(conv_id, _me(carla))
        await bert.sync_now()
        [asked] = bert.handovers(conv_id)
        assert (asked.colleague, asked.state) == ("Carla", "asked")
        await reporter.client.read(conv_id)
        [question] = reporter.client.handover_requests(conv_id)
        assert (question.colleague_name, question.asked_by, question.state) == ("Carla", "Bert", "asked")
        await carla.sync_now()
        assert carla.conversations() == []

        await reporter.client.answer_handover(conv_id, question.request_id, accept=True)
        assert sorted(reporter.client.readers(conv_id) or []) == ["Bert", "Carla"]
        await bert.sync_now()  # applies the consent, then shares the history with Carla
        assert bert.handovers(conv_id)[0].state == "accepted"
        assert bert.conversations()[0].readers == ("Carla",)
        await carla.sync_now()
        [shared] = carla.conversations()
        assert shared.pseudonym == CANARY_PSEUDONYM and shared.readers == ("Bert",)
        assert [m.text for m in carla.messages(conv_id)] == [CANARY_TEXT, "Dag, ik ben Bert."]
        assert shared.verification_problem is None
        # From now on both read; Anna still nothing.
        await reporter.client.say(conv_id, "Fijn dat Carla meeleest.")
        await carla.reply(conv_id, "Dag, ik ben Carla.")
        for desk in (anna, bert, carla):
            await desk.sync_now()
        assert carla.messages(conv_id)[-2].text == "Fijn dat Carla meeleest."
        assert bert.messages(conv_id)[-1].text == "Dag, ik ben Carla."
        assert anna.conversations() == []
        assert [t for t, _n in await reporter.replies()] == ["Dag, ik ben Bert.", "Dag, ik ben Carla."]
        # Canary: Anna was never chosen. No notification, nothing decrypted in memory, nothing on disk.
        assert [e for e in heard.events if e[0] == "new_messages"] == []
        assert anna.unread_total() == 0 and anna.stored_data_summary().conversations <= 1
        assert all(m.text == "" for m in anna._unlocked().inbox.unshared())
        await anna.lock()
        secrets = [CANARY_TEXT.encode(), CANARY_PSEUDONYM.encode(), b"Dag, ik ben"]
        for path in anna.config.data_dir.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(secret in data for secret in secrets), path.name
    finally:
        await bert.close()
        await carla.close()


async def test_a_declined_handover_changes_nothing(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    anna = admin_desk.desk
    bert = (await _colleague(anna, ctx, clock, desk_config, "Bert")).desk
    try:
        await reporter.client.refresh_roster()
        reporter.client.set_profile(CANARY_PSEUDONYM)
        conv_id = await reporter.client.open_conversation(to=["Bert"])
        await bert.sync_now()
        await bert.request_handover(conv_id, _me(anna))
        await bert.sync_now()
        await reporter.client.read(conv_id)
        [question] = reporter.client.handover_requests(conv_id)
        await reporter.client.answer_handover(conv_id, question.request_id, accept=False)
        await bert.sync_now()
        await anna.sync_now()
        assert bert.handovers(conv_id)[0].state == "declined"
        assert bert.conversations()[0].readers == ()
        assert anna.conversations() == []
        assert reporter.client.readers(conv_id) == ["Bert"]
    finally:
        await bert.close()


async def test_forged_consents_and_stanzas_for_non_members_are_refused(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    """A consent signed by another key, one for another conversation and a replayed older one are
    refused and shown as verification problems; so is a reporter message wrapped to a non-member."""
    anna = admin_desk.desk
    bert = (await _colleague(anna, ctx, clock, desk_config, "Bert")).desk
    try:
        await reporter.client.refresh_roster()
        reporter.client.set_profile(CANARY_PSEUDONYM)
        conv_id = await reporter.client.open_conversation(to=["Bert"])
        await bert.sync_now()
        conv = reporter.client.state.conversations[str(conv_id)]
        roster = reporter.client.roster
        assert roster is not None
        bert_keys = roster.member_keys([_me(bert)])
        recipients = [*bert_keys, reporter.client.keys.enc_pk]
        api = reporter.client

        async def post(payload: bytes, *, sender: DeviceKeys, to: list[bytes], msg_type: MessageType) -> None:
            own = sender == reporter.client.keys
            envelope = seal_message(
                conv_id=conv_id,
                msg_id=uuid.uuid4(),
                roster_version=roster.version,
                sender=sender,
                seq=conv.seq + 1 if own else 1,
                msg_type=msg_type,
                prev_hash=conv.prev_hash if own else bytes(32),
                roster_hash=bytes(api._tracker.current_hash or b""),  # type: ignore[union-attr]
                payload=payload,
                recipients=to,
            )
            if own:
                conv.seq += 1
                conv.prev_hash = envelope_hash(envelope)
            await api._call(
                "POST",
                f"/v1/device/conversations/{conv_id}/messages",
                body={"envelope": base64.b64encode(envelope).decode()},
                signed=True,
            )

        anna_id = _me(anna)
        members = sorted([_me(bert), anna_id])
        good_prev = set_hash(conv_id, 0, (_me(bert),))
        # 1. Signed by another key (not the reporter's pinned conversation key).
        stranger = DeviceKeys.generate()
        forged = Consent(conv_id, 1, "yes", tuple(members), good_prev, None)
        await post(forged.to_payload(), sender=stranger, to=recipients, msg_type=MessageType.CONSENT)
        # 2. The reporter's key, but bound to another conversation.
        other = Consent(uuid.uuid4(), 1, "yes", tuple(members), good_prev, None)
        await post(other.to_payload(), sender=api.keys, to=recipients, msg_type=MessageType.CONSENT)
        # 3. An older consent (counter 0 → replay of a set before the current one).
        stale = Consent(conv_id, 1, "yes", tuple(members), set_hash(conv_id, 7, None), None)
        await post(stale.to_payload(), sender=api.keys, to=recipients, msg_type=MessageType.CONSENT)
        # 4. A reporter message wrapped to a non-member (Anna) as well.
        anna_keys = roster.member_keys([anna_id])
        await post(b"ook voor Anna", sender=api.keys, to=[*recipients, *anna_keys], msg_type=MessageType.TEXT)
        await bert.sync_now()
        await anna.sync_now()

        [summary] = bert.conversations()
        assert summary.readers == ()  # unchanged: only Bert
        assert summary.verification_problem is not None
        failed = [m for m in bert.messages(conv_id) if m.state == "verification_failed"]
        problems = [m.problem or "" for m in failed]
        assert len(failed) == 4
        assert "not a counsellor of the roster nor this reporter" in problems[0]
        assert "another conversation" in problems[1]
        assert "older or replayed consent" in problems[2]
        assert "did not choose" in problems[3]
        # Anna got a stanza of the last one but lists nothing (she never saw the HELLO).
        assert anna.conversations() == []
    finally:
        await bert.close()


async def test_the_counsellors_presentation_reaches_the_reporter_signed_in_the_roster(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    anna = admin_desk.desk
    bert = (await _colleague(anna, ctx, clock, desk_config, "Bert")).desk
    try:
        stored = await bert.set_presentation(
            Presentation(
                role=" extern ",
                intro={"nl": "Ik ben Bert, extern vertrouwenspersoon.", "en": "I am Bert."},
                availability={"nl": "afwezig tot 12 januari", "en": ""},
            )
        )
        assert stored.role == "extern" and stored.availability == {"nl": "afwezig tot 12 januari"}
        assert await bert.presentation() == stored
        with pytest.raises(DeskError):
            await bert.set_presentation(Presentation(role="x" * 41))
        await anna.publish_roster()
        await reporter.client.refresh_roster()
        [choice] = [c for c in reporter.client.counsellors() if c.display_name == "Bert"]
        assert choice.role == "extern"
        assert choice.intro == {"nl": "Ik ben Bert, extern vertrouwenspersoon.", "en": "I am Bert."}
        assert choice.availability == {"nl": "afwezig tot 12 januari"}
        [plain] = [c for c in reporter.client.counsellors() if c.display_name == "Anna Admin"]
        assert (plain.role, plain.intro, plain.availability) == (None, {}, {})
    finally:
        await bert.close()


async def test_a_chosen_counsellor_leaving_tells_the_reporter_who_chooses_again(
    admin_desk: EnrolledDesk,
    reporter: Reporter,
    ctx: AppContext,
    clock: ManualClock,
    desk_config: Callable[[str], DeskConfig],
) -> None:
    anna = admin_desk.desk
    bert = (await _colleague(anna, ctx, clock, desk_config, "Bert")).desk
    try:
        await reporter.client.refresh_roster()
        reporter.client.set_profile(CANARY_PSEUDONYM)
        conv_id = await reporter.client.open_conversation(to=["Bert"])
        await reporter.client.say(conv_id, CANARY_TEXT)
        bert_id = _me(bert)
        bert_keys = bert._unlocked().keys
        await anna.remove_counsellor(bert_id)  # and publishes a roster without Bert's computer
        await reporter.client.read(conv_id)
        assert reporter.client.gone_members(conv_id) == [bert_id]  # content-free: the app says so
        with pytest.raises(ReporterError) as blocked:
            await reporter.client.say(conv_id, "Is er iemand?")
        assert blocked.value.code == "members_gone"
        with pytest.raises(ReporterError) as unknown:
            await reporter.client.choose_again(conv_id, ["Bert"])
        assert unknown.value.code == "unknown_counsellor"

        await reporter.client.choose_again(conv_id, ["Anna Admin"])
        await reporter.client.say(conv_id, "Nu aan Anna.")
        await anna.sync_now()
        [summary] = anna.conversations()
        assert summary.pseudonym == CANARY_PSEUDONYM and summary.readers == ()
        # Not the history (the reporter chose again; nobody shared it): said so, and nothing else.
        assert summary.verification_problem is None
        assert summary.not_shared_yet > 0 and not summary.waiting_for_share
        assert [m.text for m in anna.messages(conv_id)] == ["Nu aan Anna."]
        await anna.reply(conv_id, "Dag, ik ben Anna.")
        await anna.sync_now()
        assert [m.text for m in await reporter.client.read(conv_id) if not m.from_me] == ["Dag, ik ben Anna."]

        # A stale member: a reporter message still wrapped to Bert's removed computer is refused.
        conv = reporter.client.state.conversations[str(conv_id)]
        roster = reporter.client.roster
        assert roster is not None and reporter.client._tracker is not None
        envelope = seal_message(
            conv_id=conv_id,
            msg_id=uuid.uuid4(),
            roster_version=roster.version,
            sender=reporter.client.keys,
            seq=conv.seq + 1,
            msg_type=MessageType.TEXT,
            prev_hash=conv.prev_hash,
            roster_hash=reporter.client._tracker.current_hash or bytes(32),
            payload=b"ook aan Bert",
            recipients=[*roster.member_keys([_me(anna)]), bert_keys.enc_pk, reporter.client.keys.enc_pk],
        )
        conv.seq, conv.prev_hash = conv.seq + 1, envelope_hash(envelope)
        await reporter.client._call(
            "POST",
            f"/v1/device/conversations/{conv_id}/messages",
            body={"envelope": base64.b64encode(envelope).decode()},
            signed=True,
        )
        await anna.sync_now()
        stale = anna.messages(conv_id)[-1]
        assert stale.state == "verification_failed" and "did not choose" in (stale.problem or "")
    finally:
        await bert.close()
