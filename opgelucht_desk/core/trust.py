"""Roster trust: the pinned org key, the verified roster (via the protocol's RosterTracker), every
counsellor device ever seen in a verified roster (to attribute old messages) and the blocking problem.

A bad signature, rollback, fork or expiry blocks sending and surfaces a warning (SECURITY-TESTS 8).
A fork is sticky: only a fresh enrolment clears it. The org key changes only along a chain of
certificates, each signed by the previous key, starting from the pinned one (SECURITY-TESTS 11).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from opgelucht_desk.core.errors import RosterBlockedError
from opgelucht_desk.core.inbox import Removal, StaffDirectory
from opgelucht_desk.core.model import RosterWarning, RosterWarningKind
from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.errors import ProtocolError, RosterError
from opgelucht_desk.protocol.roster import (
    Roster,
    RosterTracker,
    SignedRoster,
    follow_org_key_chain,
    roster_hash,
)

_PROBLEM_TEXT = {
    "bad_signature": "The relay served a roster with an invalid signature. Sending is blocked.",
    "malformed": "The relay served a malformed roster. Sending is blocked.",
    "rollback": "The relay served an older roster than this desk knows (rollback). Sending is blocked.",
    "fork": "The relay served two different rosters with the same version (fork). Sending is blocked; "
    "contact your organisation's admin.",
    "expired": "The roster has expired. Sending is blocked until the org admin publishes a new one.",
    "org_key_change": "The organisation key changed without a valid certificate. Sending is blocked.",
}

_WARNING_KIND = {kind: RosterWarningKind(kind) for kind in _PROBLEM_TEXT}


@dataclass
class Trust:
    org_pk: bytes
    tracker: RosterTracker
    staff: StaffDirectory = field(default_factory=StaffDirectory)
    problem: str | None = None
    problem_kind: str | None = None
    roster_pk: bytes | None = None  # the org key that signed the current roster (None: org_pk)
    # The relay cursor up to which this desk has received every envelope (kept by the sync engine): a
    # device that a newly adopted roster drops is removed as of there (StaffDirectory.removal).
    seen_cursor: int = 0

    @classmethod
    def new(cls, org_pk: bytes) -> Trust:
        return cls(org_pk=org_pk, tracker=RosterTracker(org_pk))

    def follow_org_key(self, org_key: object, chain: object) -> bool:
        """Pin the relay's ``org_key`` if it is the pinned key or a valid certificate chain leads to it
        from the pinned key. False means the key changed without that proof: the caller blocks sending
        (``set_problem("org_key_change")``). A roster signed by the old key stays valid until the next."""
        try:
            new_pk = b64d(str(org_key))
            steps = follow_org_key_chain(self.org_pk, new_pk, chain)
        except (ProtocolError, ValueError):
            return False
        if steps:
            self.roster_pk = self.roster_pk or self.org_pk
            for step_pk, certificate in steps:
                self.tracker.change_org_key(step_pk, certificate)
            self.org_pk = new_pk
            if self.problem_kind == "org_key_change":
                self.problem = self.problem_kind = None
        return True

    def accept(self, signed_json: object, now: int) -> RosterWarning | None:
        """Verify a roster from the relay. Returns a new warning, or None if all is well."""
        before = self.tracker.current.version if self.tracker.current else 0
        try:
            signed = SignedRoster.from_json(signed_json)
            if self.roster_pk is not None and roster_hash(signed) == self.tracker.current_hash:
                return self.recheck(now)  # the last roster of the previous org key, verified then
            roster = self.tracker.accept(signed, now)
        except RosterError as exc:
            return self.set_problem(exc.kind)
        except ProtocolError:
            return self.set_problem("malformed")
        if self.problem_kind != "fork":
            self.problem = self.problem_kind = None
        if roster.version != before:
            self.roster_pk = None  # signed by the current org key
            self._remember(roster)
        return None

    def recheck(self, now: int) -> RosterWarning | None:
        """Expiry check without a new roster (e.g. at start and hourly)."""
        if self.tracker.current is not None and self.tracker.current.is_expired(now):
            return self.set_problem("expired")
        return None

    def set_problem(self, kind: str) -> RosterWarning | None:
        """Block sending for ``kind`` (a protocol ``RosterError.kind``; unknown kinds count as malformed).
        Returns the warning to show, or None if it is already shown or a fork hides it."""
        if self.problem_kind == "fork" or self.problem_kind == kind:
            return None
        self.problem_kind, self.problem = kind, _PROBLEM_TEXT.get(kind, _PROBLEM_TEXT["malformed"])
        return RosterWarning(_WARNING_KIND.get(kind, RosterWarningKind.MALFORMED), self.problem)

    def _remember(self, roster: Roster) -> None:
        current_hash = self.tracker.current_hash
        assert current_hash is not None
        self.staff.adopt(roster, current_hash, self.seen_cursor)

    def sendable(self, now: int) -> tuple[Roster, bytes]:
        """The roster to encrypt to and its hash; raises RosterBlockedError with the warning text."""
        if self.problem is not None:
            raise RosterBlockedError(self.problem)
        try:
            roster = self.tracker.require_sendable(now)
        except RosterError as exc:
            warning = self.set_problem(exc.kind)
            raise RosterBlockedError(warning.detail if warning else self.problem or str(exc)) from None
        current_hash = self.tracker.current_hash
        assert current_hash is not None
        return roster, current_hash

    # -- persistence (stored encrypted in the cache's meta table) -------------------------------------
    def to_bytes(self) -> bytes:
        signed = self.tracker.current_signed
        return json.dumps(
            {
                "org_pk": b64e(self.org_pk),
                "roster_pk": None if self.roster_pk is None else b64e(self.roster_pk),
                "roster": None if signed is None else signed.to_json(),
                "devices": {b64e(k): v for k, v in self.staff.devices.items()},
                "hashes": {str(k): b64e(v) for k, v in self.staff.roster_hashes.items()},
                "problem_kind": self.problem_kind,
                "removed": {
                    b64e(k): [[r.version, r.cursor, r.until] for r in spans]
                    for k, spans in self.staff.removed.items()
                },
                "seen_cursor": self.seen_cursor,
                "first_listed": {b64e(k): v for k, v in self.staff.first_listed.items()},
            }
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Trust:
        raw = json.loads(data)
        org_pk = b64d(raw["org_pk"])
        current = None if raw["roster"] is None else SignedRoster.from_json(raw["roster"])
        roster_pk = None if raw.get("roster_pk") is None else b64d(raw["roster_pk"])
        tracker = RosterTracker(roster_pk or org_pk, current)
        tracker.org_pk = org_pk  # verified when it was pinned (a certificate chain from the old key)
        trust = cls(org_pk=org_pk, tracker=tracker, roster_pk=roster_pk)
        trust.staff.devices = {b64d(k): v for k, v in raw["devices"].items()}
        trust.staff.roster_hashes = {int(k): b64d(v) for k, v in raw["hashes"].items()}
        trust.staff.removed = {
            b64d(k): [Removal(int(v), int(c), None if u is None else int(u)) for v, c, u in spans]
            for k, spans in raw.get("removed", {}).items()
        }
        trust.seen_cursor = int(raw.get("seen_cursor", 0))
        trust.staff.first_listed = {b64d(k): int(v) for k, v in raw.get("first_listed", {}).items()}
        if tracker.current is not None:
            trust._remember(tracker.current)  # (state of an older version: its removals start here)
        if raw.get("problem_kind"):
            trust.set_problem(raw["problem_kind"])
        return trust
