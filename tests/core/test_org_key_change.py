"""An org key change (SECURITY-TESTS 11): desks and the reference reporter follow a change certified by
the pinned key, through the relay's certificate chain; any other change fails hard and blocks sending."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
from kit.actors import make_roster
from kit.reporter import CANARY_TEXT, Reporter

from opgelucht_desk.core.errors import RosterBlockedError
from opgelucht_desk.protocol.errors import RosterError
from opgelucht_desk.protocol.keys import generate_signing_seed, signing_public_key
from opgelucht_desk.protocol.roster import (
    SignedRoster,
    make_org_key_certificate,
    parse_roster_body,
    roster_hash,
)
from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext
from opgelucht_relay.models import Org
from opgelucht_relay.models import Roster as RosterRow

from .desks import PASSWORD, EnrolledDesk
from .tampering import TamperingTransport


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def _change_org_key(
    admin: EnrolledDesk, clock: ManualClock, old_seed: bytes | None, *, republish: bool
) -> bytes:
    """The admin replaces the org key (certified by the old one) and, if asked, publishes the next
    roster under the new key. Returns the new key's seed."""
    u = admin.desk._unlocked()
    assert old_seed is not None
    new_seed = generate_signing_seed()
    new_pk = signing_public_key(new_seed)
    certificate = _b64(make_org_key_certificate(old_seed, new_pk))
    await u.api._call("PUT", "/v1/org/key", body={"org_key": _b64(new_pk), "certificate": certificate})
    if republish:
        prev = SignedRoster.from_json((await u.api.org())["roster"])
        current = parse_roster_body(prev.body)
        signed = make_roster(
            current.org_id, new_seed, list(current.counsellors), clock, version=current.version + 1, prev=prev
        )
        await u.api.put_roster(signed.to_json())
    return new_seed


async def test_a_certified_org_key_change_is_followed_by_desk_and_reporter(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await reporter.text(CANARY_TEXT)
    await desk.sync_now()
    first = await _change_org_key(admin_desk, clock, desk._unlocked().secrets.org_seed, republish=False)
    await desk.sync_now()
    assert desk._unlocked().trust.problem is None  # the roster of the old key stays valid meanwhile
    await desk.lock()  # the pinned new key and the old key's roster survive a restart
    await desk.login(PASSWORD, admin_desk.totp(clock))
    assert desk._unlocked().trust.problem is None
    await _change_org_key(admin_desk, clock, first, republish=True)  # a second change: two links
    await desk.sync_now()
    assert desk._unlocked().trust.problem is None
    await desk.reply(reporter.conv_id, "Dank voor je bericht.")
    await desk.flush_outbox()
    # The reporter pinned the first key; it follows the chain when the new roster arrives.
    assert await reporter.replies() == [("Dank voor je bericht.", "Anna Admin")]
    assert reporter.client.roster is not None and reporter.client.roster.version == 2


async def test_an_org_key_change_with_a_forged_chain_fails_hard(
    admin_desk: EnrolledDesk, reporter: Reporter, network: TamperingTransport
) -> None:
    desk = admin_desk.desk
    await reporter.hello()
    await desk.sync_now()
    attacker = generate_signing_seed()
    attacker_pk = signing_public_key(attacker)

    def forge(org: dict[str, Any]) -> dict[str, Any]:
        link = {
            "old_key": org["org_key"],
            "new_key": _b64(attacker_pk),
            "certificate": _b64(make_org_key_certificate(attacker, attacker_pk)),  # not the pinned key's
        }
        return {**copy.deepcopy(org), "org_key": _b64(attacker_pk), "org_key_chain": [link]}

    network.rewrites["/v1/org"] = forge
    await desk.sync_now()
    assert (problem := desk._unlocked().trust.problem) is not None and "organisation key" in problem
    with pytest.raises(RosterBlockedError):
        await desk.reply(reporter.conv_id, "mag niet weg")


async def test_the_reporter_refuses_a_roster_of_an_uncertified_key(
    admin_desk: EnrolledDesk, reporter: Reporter, clock: ManualClock, ctx: AppContext
) -> None:
    """A compromised relay swaps in its own org key (straight in its database, no certificate) and
    serves a roster signed by it: the reporter keeps its pinned key and refuses the roster."""
    await reporter.hello()
    u = admin_desk.desk._unlocked()
    prev = SignedRoster.from_json((await u.api.org())["roster"])
    current = parse_roster_body(prev.body)
    rogue_seed = generate_signing_seed()
    rogue = make_roster(current.org_id, rogue_seed, list(current.counsellors), clock, version=2, prev=prev)
    async with ctx.db.sessions() as db:
        org = await db.get(Org, current.org_id)
        assert org is not None
        org.org_key = signing_public_key(rogue_seed)
        db.add(
            RosterRow(
                org_id=org.id,
                version=2,
                body=rogue.body,
                sig=rogue.sig,
                hash=roster_hash(rogue),
                uploaded_at=clock.now(),
            )
        )
        await db.commit()
    pinned = reporter.client.state.org_pk
    with pytest.raises(RosterError) as info:
        await reporter.client.refresh_roster()
    assert info.value.kind == "org_key_change"
    assert reporter.client.state.org_pk == pinned and reporter.client.roster is not None
    assert reporter.client.roster.version == 1
