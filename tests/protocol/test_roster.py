"""Roster signing, strict parsing and the client-side tracker (SECURITY-TESTS 8-11)."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opgelucht_desk.protocol import (
    RosterError,
    RosterTracker,
    SignedRoster,
    b64e,
    make_device_entry,
    make_org_key_certificate,
    parse_roster_body,
    roster_hash,
    sign_roster,
    signing_public_key,
    verify_org_key_certificate,
    verify_roster,
)
from opgelucht_desk.protocol.encoding import TAG_ROSTER
from opgelucht_desk.protocol.signing import sign

from .deterministic import DAY, NOW, make_org, seed


def test_sign_and_verify_roster() -> None:
    org = make_org()
    signed = org.signed(org.roster())
    roster = verify_roster(signed, org.org_pk, now=NOW)
    assert roster == org.roster()
    assert SignedRoster.from_json(signed.to_json()) == signed
    assert set(roster.recipient_keys()) == {
        org.devices["anna-laptop"].enc_pk,
        org.devices["bram-laptop"].enc_pk,
    }


def test_verifier_uses_the_exact_body_bytes() -> None:
    """A body with other whitespace is a different roster: the signature is over bytes, not meaning."""
    org = make_org()
    signed = org.signed(org.roster())
    respaced = json.dumps(json.loads(signed.body), indent=1).encode()
    with pytest.raises(RosterError) as info:
        verify_roster(SignedRoster(respaced, signed.sig), org.org_pk, now=NOW)
    assert info.value.kind == "bad_signature"
    # A non-canonical body signed by the org key is still accepted as long as it parses strictly.
    accepted = verify_roster(
        SignedRoster(respaced, sign(TAG_ROSTER, respaced, org.org_seed)), org.org_pk, now=NOW
    )
    assert accepted == org.roster()


def test_bad_signature_blocks() -> None:
    org = make_org()
    signed = sign_roster(org.roster(), seed("mallory"))
    with pytest.raises(RosterError) as info:
        RosterTracker(org.org_pk).accept(signed, NOW)
    assert info.value.kind == "bad_signature"


def test_device_not_signed_by_its_counsellor_is_never_a_recipient() -> None:
    """SECURITY-TESTS 9: the relay (or a sloppy admin) slips in a device the counsellor never signed."""
    org = make_org()
    roster = org.roster()
    anna = roster.counsellors[0]
    intruder = org.devices["bram-desktop"]
    fake = make_device_entry(seed("mallory/identity"), intruder, uuid.uuid4())
    anna_plus = dataclasses.replace(anna, devices=(*anna.devices, fake))
    tampered = dataclasses.replace(roster, counsellors=(anna_plus, *roster.counsellors[1:]))
    parsed = verify_roster(org.signed(tampered), org.org_pk, now=NOW)
    assert intruder.enc_pk not in parsed.recipient_keys()
    assert parsed.device_by_sign_pk(intruder.sign_pk) is None
    # A device entry whose self-signature is missing (copied from another counsellor) is refused too.
    wrong_self = dataclasses.replace(anna.devices[0], self_sig=bytes(64))
    broken = dataclasses.replace(roster, counsellors=(dataclasses.replace(anna, devices=(wrong_self,)),))
    assert verify_roster(org.signed(broken), org.org_pk, now=NOW).recipient_keys() == []


def test_tracker_refuses_rollback_and_fork_and_follows_the_chain() -> None:
    """SECURITY-TESTS 8 and 10."""
    org = make_org()
    v1 = org.signed(org.roster())
    tracker = RosterTracker(org.org_pk)
    tracker.accept(v1, NOW)
    v2 = org.signed(
        org.roster(version=2, prev_hash=roster_hash(v1), devices={"anna": ["anna-laptop", "anna-desktop"]})
    )
    roster = tracker.accept(v2, NOW + 10)
    assert tracker.current_hash == roster_hash(v2)
    # Bram's device was removed: it gets no stanza any more (SECURITY-TESTS 10).
    assert org.devices["bram-laptop"].enc_pk not in roster.recipient_keys()
    assert tracker.accept(v2, NOW + 11) == roster  # the same roster again is fine
    with pytest.raises(RosterError) as info:
        tracker.accept(v1, NOW + 20)
    assert info.value.kind == "rollback"
    other_v2 = org.signed(org.roster(version=2, prev_hash=roster_hash(v1), issued=NOW + 1))
    with pytest.raises(RosterError) as info:
        tracker.accept(other_v2, NOW + 20)
    assert info.value.kind == "fork"
    unchained_v3 = org.signed(org.roster(version=3, prev_hash=roster_hash(v1)))
    with pytest.raises(RosterError) as info:
        tracker.accept(unchained_v3, NOW + 20)
    assert info.value.kind == "fork"
    assert tracker.current_hash == roster_hash(v2)  # nothing above changed the state


def test_expired_roster_blocks_sending() -> None:
    org = make_org()
    signed = org.signed(org.roster(expires=NOW + DAY))
    with pytest.raises(RosterError) as info:
        RosterTracker(org.org_pk).accept(signed, NOW + DAY)
    assert info.value.kind == "expired"
    tracker = RosterTracker(org.org_pk)
    tracker.accept(signed, NOW)
    assert tracker.require_sendable(NOW + DAY - 1).version == 1
    with pytest.raises(RosterError) as info:
        tracker.require_sendable(NOW + DAY)
    assert info.value.kind == "expired"
    with pytest.raises(RosterError):
        RosterTracker(org.org_pk).require_sendable(NOW)


def test_tracker_resumes_from_persisted_state() -> None:
    org = make_org()
    v1 = org.signed(org.roster())
    tracker = RosterTracker(org.org_pk, current=v1)
    assert tracker.current == org.roster()
    with pytest.raises(RosterError) as info:
        tracker.accept(org.signed(org.roster(issued=NOW + 5)), NOW)
    assert info.value.kind == "fork"


def test_org_key_change_needs_a_certificate_from_the_old_key() -> None:
    """SECURITY-TESTS 11."""
    org = make_org()
    v1 = org.signed(org.roster())
    tracker = RosterTracker(org.org_pk)
    tracker.accept(v1, NOW)
    new_seed = seed("org-2027")
    new_pk = signing_public_key(new_seed)
    v2 = sign_roster(org.roster(version=2, prev_hash=roster_hash(v1)), new_seed)
    with pytest.raises(RosterError) as info:
        tracker.accept(v2, NOW)
    assert info.value.kind == "bad_signature"
    forged = make_org_key_certificate(seed("mallory"), new_pk)
    with pytest.raises(RosterError) as info:
        tracker.change_org_key(new_pk, forged)
    assert info.value.kind == "org_key_change"
    assert tracker.org_pk == org.org_pk
    certificate = make_org_key_certificate(org.org_seed, new_pk)
    verify_org_key_certificate(org.org_pk, new_pk, certificate)
    tracker.change_org_key(new_pk, certificate)
    assert tracker.accept(v2, NOW).version == 2


def _body(**changes: object) -> bytes:
    org = make_org()
    value = json.loads(org.roster().to_body())
    value.update(changes)
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    "body",
    [
        _body(v=2),
        _body(version=0),
        _body(version=True),
        _body(version=1.0),
        _body(prev_hash=b64e(bytes(31))),
        _body(prev_hash=b64e(b"\x01" * 32)),  # version 1 must start the chain
        _body(expires=NOW - 1),
        _body(org_id="0B0B0B0B-0000-4000-8000-000000000001"),
        _body(extra="x"),
        _body(counsellors={}),
        _body(counsellors=[{"counsellor_id": str(uuid.uuid4())}]),
        b'{"v":1,"v":1}',
        b"not json",
        b"\xff\xfe",
        b"[]",
    ],
)
def test_roster_parsing_is_strict(body: bytes) -> None:
    with pytest.raises(RosterError) as info:
        parse_roster_body(body)
    assert info.value.kind == "malformed"


def test_duplicate_devices_are_malformed() -> None:
    org = make_org()
    duplicated = org.roster(devices={"anna": ["anna-laptop"], "bram": ["anna-laptop"]})
    with pytest.raises(RosterError) as info:
        verify_roster(org.signed(duplicated), org.org_pk, now=NOW)
    assert info.value.kind == "malformed"


@pytest.mark.parametrize(
    "value", [{"body": "e30="}, {"body": "e30=", "sig": "AA=="}, [], {"body": 1, "sig": 2}]
)
def test_signed_roster_json_is_strict(value: object) -> None:
    with pytest.raises(RosterError) as info:
        SignedRoster.from_json(value)
    assert info.value.kind == "malformed"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 1)), min_size=1, max_size=12))
def test_tracker_never_goes_back_and_never_holds_two_rosters_of_one_version(
    arrivals: list[tuple[int, int]],
) -> None:
    """Whatever order a relay serves rosters in (including forks: variant 1 of a version), the tracker's
    version never decreases and it never accepts two different rosters with the same version."""
    org = make_org()
    by_version = {1: [org.signed(org.roster(version=1)), org.signed(org.roster(version=1, issued=NOW + 1))]}
    for version in range(2, 6):
        prev = by_version[version - 1][0]
        by_version[version] = [
            org.signed(org.roster(version=version, prev_hash=roster_hash(prev), issued=NOW + variant))
            for variant in (0, 1)
        ]
    tracker = RosterTracker(org.org_pk)
    accepted: dict[int, bytes] = {}
    last_version = 0
    for version, variant in arrivals:
        try:
            roster = tracker.accept(by_version[version][variant], NOW + 100)
        except RosterError as exc:
            assert exc.kind in {"rollback", "fork"}
            continue
        assert roster.version >= last_version
        last_version = roster.version
        current_hash = tracker.current_hash
        assert current_hash is not None
        assert accepted.setdefault(roster.version, current_hash) == current_hash
