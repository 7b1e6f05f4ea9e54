"""Reference reporter client: what the employee's mobile app does, against the relay API (docs/api.md).

    async with ReporterClient(Path("state.json")) as reporter:
        await reporter.join("opgelucht://join?relay=…&code=…&fp=…")   # or join("CODE", relay_url=…)
        reporter.set_profile("Merel", age_category="25-34", gender="vrouw")
        conv_id = await reporter.open_conversation()                   # sends the HELLO
        await reporter.say(conv_id, "Er is iets gebeurd.")
        for message in await reporter.read(conv_id): ...

Keys are generated per install and per org code. Every message is sealed to every valid device of the
org-signed roster plus the reporter's own key; replies are accepted only from valid roster devices. The
roster is fetched and verified before every send, so a message reaches a counsellor listed since the
last send (docs/protocol.md §11 "Sending").
The state (keys, conversations, seq, prev_hash, cursors) persists in a JSON file with mode 0600.
This API is stable: the relay's end-to-end tests use it.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from opgelucht_desk.protocol.attachment import FileRef
from opgelucht_desk.protocol.blob import new_file_key, open_blob, seal_blob
from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.envelope import (
    MessageType,
    envelope_hash,
    open_message,
    parse_header,
    seal_message,
)
from opgelucht_desk.protocol.errors import EnvelopeError, ProtocolError, RosterError
from opgelucht_desk.protocol.keys import DeviceKeys, safety_number
from opgelucht_desk.protocol.profile import Profile
from opgelucht_desk.protocol.qr import parse_qr_payload, validate_org_code, validate_relay_url
from opgelucht_desk.protocol.recipients import (
    Consent,
    HandoverRequest,
    Membership,
    MembershipError,
    check_stanzas,
)
from opgelucht_desk.protocol.request_auth import register_proof, sign_request
from opgelucht_desk.protocol.roster import Roster, RosterTracker, SignedRoster, follow_org_key_chain

from .state import ConversationState, ReporterState, delete_state, load_state, save_state

PAGE_LIMIT = 100
SEEN_IDS_KEPT = 2000


class ReporterError(Exception):
    """A relay call failed (`status`, stable `code` from the error body) or the client cannot proceed."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class JoinResult:
    org_id: uuid.UUID
    org_name: str
    safety_number: str  # show it so the user can compare it with the poster (trust on first use)
    pinned_by_qr: bool
    device_id: uuid.UUID


@dataclass(frozen=True)
class ReceivedMessage:
    """One message of a conversation as the reporter sees it (own messages included)."""

    seq: int  # the relay's per-conversation sequence
    msg_id: uuid.UUID
    msg_type: MessageType
    from_me: bool
    counsellor_name: str | None  # display name from the roster for counsellor messages
    text: str
    stored_at: int
    chain_ok: bool  # sender's prev_hash matched the previous message we saw from that sender
    roster_matches: bool  # the sender used the roster we hold
    file: FileRef | None = None  # a FILE message: fetch the file with `fetch_file` (text is "")

    def __repr__(self) -> str:  # never log message text
        return f"ReceivedMessage(seq={self.seq}, msg_id={self.msg_id}, from_me={self.from_me})"


@dataclass(frozen=True)
class CounsellorChoice:
    """A counsellor the reporter can choose, as the org-signed roster presents them."""

    counsellor_id: uuid.UUID
    display_name: str
    role: str | None
    intro: dict[str, str]  # language → text ("nl", "en"), as the counsellor wrote it
    availability: dict[str, str]
    reachable: bool  # has at least one valid device (else messages cannot reach them)


@dataclass(frozen=True)
class HandoverAsk:
    """A chosen counsellor asks to bring in a colleague; the reporter answers yes or no."""

    request_id: uuid.UUID
    colleague_id: uuid.UUID
    colleague_name: str
    asked_by: str
    state: str  # asked | accepted | declined


@dataclass(frozen=True)
class RejectedMessage:
    """A message that failed verification: shown as a warning, never as content."""

    seq: int
    msg_id: str
    reason: str


def _now() -> int:
    return int(time.time())


def _members(conv: ConversationState) -> tuple[uuid.UUID, ...] | None:
    return None if conv.members is None else tuple(uuid.UUID(m) for m in conv.members)


class ReporterClient:
    """The mobile app's protocol side. Use as an async context manager (or call `aclose`)."""

    def __init__(
        self,
        state_path: Path,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], int] = _now,
        app_version: str = "reference-0.1",
    ) -> None:
        self.state_path = Path(state_path)
        self._transport = transport
        self._clock = clock
        self._app_version = app_version
        self._http: httpx.AsyncClient | None = None
        self._state: ReporterState | None = load_state(self.state_path)
        self._tracker: RosterTracker | None = None
        self.rejected: list[RejectedMessage] = []  # verification failures seen by `read`
        if self._state is not None:
            self._tracker = RosterTracker(self._state.org_pk, current=self._state.roster)

    async def __aenter__(self) -> ReporterClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- state -----------------------------------------------------------------------------------------

    @property
    def joined(self) -> bool:
        return self._state is not None

    @property
    def state(self) -> ReporterState:
        if self._state is None:
            raise ReporterError("not joined yet: run join first")
        return self._state

    @property
    def device_id(self) -> uuid.UUID:
        return self.state.device_id

    @property
    def keys(self) -> DeviceKeys:
        return self.state.keys

    @property
    def roster(self) -> Roster | None:
        return None if self._tracker is None else self._tracker.current

    def pending(self) -> int:
        """Envelopes saved but not acknowledged by the relay yet (``flush`` and every send post them)."""
        return sum(len(c.pending) for c in self.state.conversations.values())

    def conversation_ids(self) -> list[uuid.UUID]:
        return [c.conv_id for c in self.state.conversations.values()]

    def safety_number(self) -> str:
        """The org key's 60-digit safety number, to compare with the organisation's poster."""
        return safety_number(self.state.org_pk)

    def _save(self) -> None:
        state = self.state
        assert self._tracker is not None
        state.roster = self._tracker.current_signed
        save_state(self.state_path, state)

    # -- HTTP ------------------------------------------------------------------------------------------

    def _client(self, relay_url: str) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=relay_url, transport=self._transport, timeout=30.0)
        return self._http

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        signed: bool = False,
        relay_url: str | None = None,
        ok: Iterable[int] = (200, 201, 202, 204),
        raw_body: bytes | None = None,
    ) -> Any:
        response = await self._request(
            method, path, body=body, signed=signed, relay_url=relay_url, ok=ok, raw_body=raw_body
        )
        return None if response.status_code == 204 or not response.content else response.json()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        signed: bool = False,
        relay_url: str | None = None,
        ok: Iterable[int] = (200, 201, 202, 204),
        raw_body: bytes | None = None,
    ) -> httpx.Response:
        if raw_body is not None:
            raw, headers = raw_body, {"Content-Type": "application/octet-stream"}
        else:
            raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json"} if body is not None else {}
        if signed:
            headers.update(
                sign_request(self.device_id, self.keys.sign_seed, method, path, raw, now=self._clock())
            )
        client = self._client(relay_url or self.state.relay_url)
        try:
            response = await client.request(method, path, content=raw or None, headers=headers)
        except httpx.HTTPError as exc:
            raise ReporterError(f"relay not reachable: {type(exc).__name__}", code="unreachable") from exc
        if response.status_code not in set(ok):
            code, message = None, response.reason_phrase
            try:
                error = response.json()["error"]
                code, message = str(error["code"]), str(error["message"])
            except (ValueError, KeyError, TypeError):
                pass
            raise ReporterError(
                f"{method} {path}: {response.status_code} {message}", status=response.status_code, code=code
            )
        return response

    # -- join and roster -------------------------------------------------------------------------------

    async def join(self, code_or_qr: str, *, relay_url: str | None = None) -> JoinResult:
        """Join an organisation with the QR text (org key pinned by its fingerprint) or a typed code
        plus the relay URL (trust on first use: show `safety_number`). Generates this install's keys for
        this org, verifies the roster with the org key and registers the device."""
        if self._state is not None:
            raise ReporterError("already joined; forget first to join again")
        text = code_or_qr.strip()
        pinned: str | None = None
        try:
            if text.startswith("opgelucht://"):
                qr = parse_qr_payload(text)
                relay, code, pinned = qr.relay_url, qr.org_code.upper(), qr.fingerprint
            else:
                if relay_url is None:
                    raise ReporterError("a typed code needs the relay URL")
                relay, code = validate_relay_url(relay_url), validate_org_code(text.upper())
        except ProtocolError as exc:
            raise ReporterError(str(exc)) from exc
        info = await self._call("GET", f"/v1/join/{code}", relay_url=relay)
        if info.get("org_key") is None:
            raise ReporterError("this organisation is not ready yet (no org key)")
        org_pk = b64d(info["org_key"])
        if len(org_pk) != 32:
            raise ReporterError("the relay sent a malformed org key")
        if pinned is not None and not parse_qr_payload(text).matches(org_pk):
            raise ReporterError("the relay's org key does not match the QR code: do not continue")
        tracker = RosterTracker(org_pk)
        if info.get("roster") is not None:
            try:
                tracker.accept(SignedRoster.from_json(info["roster"]), self._clock())
            except RosterError as exc:
                if exc.kind != "expired":  # an expired roster only blocks sending until a fresh one comes
                    raise
        keys = DeviceKeys.generate()
        device_id = uuid.uuid4()
        proof = register_proof(device_id, keys.enc_pk, keys.sign_pk, code, keys.sign_seed)
        await self._call(
            "POST",
            "/v1/devices",
            relay_url=relay,
            body={
                "org_code": code,
                "device_id": str(device_id),
                "enc_pk": b64e(keys.enc_pk),
                "sign_pk": b64e(keys.sign_pk),
                "proof": b64e(proof),
            },
        )
        self._state = ReporterState(
            relay_url=relay,
            org_code=code,
            org_id=uuid.UUID(info["org_id"]),
            org_name=str(info["org_name"]),
            org_pk=org_pk,
            pinned_by_qr=pinned is not None,
            device_id=device_id,
            keys=keys,
        )
        self._tracker = tracker
        self._save()
        return JoinResult(
            self.state.org_id, self.state.org_name, self.safety_number(), pinned is not None, device_id
        )

    async def refresh_roster(self) -> Roster:
        """Fetch the roster and accept it through the tracker (raises RosterError on rollback, fork, bad
        signature or an expired roster: then sending stays blocked). A roster signed by another org key
        is accepted only when the relay's certificate chain leads to that key from the pinned one."""
        assert self._tracker is not None
        signed = SignedRoster.from_json(await self._call("GET", "/v1/device/roster", signed=True))
        held = self._tracker.current_hash
        try:
            roster = self._tracker.accept(signed, self._clock())
        except RosterError as exc:
            if exc.kind != "bad_signature":
                raise
            roster = await self._accept_under_new_org_key(signed)
        if self._tracker.current_hash != held:  # (the same roster again: nothing to write)
            self._save()
        return roster

    async def _accept_under_new_org_key(self, signed: SignedRoster) -> Roster:
        """Follow a certified org key change (GET /v1/join: key and chain), then accept `signed` with the
        new key; on any failure the pinned key stays and RosterError is raised."""
        assert self._tracker is not None
        state = self.state
        info = await self._call("GET", f"/v1/join/{state.org_code}")
        try:
            new_pk = b64d(str(info.get("org_key")))
        except ProtocolError:
            raise RosterError("org_key_change", "the relay sent a malformed org key") from None
        if new_pk == state.org_pk:
            raise RosterError("bad_signature", "the roster is not signed by the org key")
        steps = follow_org_key_chain(state.org_pk, new_pk, info.get("org_key_chain", []))
        candidate = RosterTracker(state.org_pk, current=self._tracker.current_signed)
        for step_pk, certificate in steps:
            candidate.change_org_key(step_pk, certificate)
        roster = candidate.accept(signed, self._clock())
        self._tracker, state.org_pk = candidate, new_pk
        return roster

    async def _sendable_roster(self) -> tuple[Roster, bytes]:
        """The newest roster, fetched and verified now (one signed GET), and its hash: every message is
        sealed to it, so a counsellor the admin listed since the last send gets it too (docs/protocol.md
        §11 "Sending"). A roster the tracker refuses (rollback, fork, bad signature, expired) stops the
        send with the RosterError; an unreachable relay with a ReporterError, before anything is sealed."""
        assert self._tracker is not None
        await self.refresh_roster()
        roster = self._tracker.require_sendable(self._clock())
        current_hash = self._tracker.current_hash
        assert current_hash is not None
        return roster, current_hash

    # -- choosing who reads -----------------------------------------------------------------------------

    def counsellors(self) -> list[CounsellorChoice]:
        """The counsellors of the roster held (``refresh_roster`` first for the newest)."""
        roster = self.roster
        if roster is None:
            return []
        return [
            CounsellorChoice(
                counsellor_id=c.counsellor_id,
                display_name=c.display_name,
                role=c.role,
                intro=dict(c.intro),
                availability=dict(c.availability),
                reachable=any(True for _d in c.valid_devices()),
            )
            for c in roster.counsellors
        ]

    def resolve_counsellors(self, choice: Iterable[str | uuid.UUID]) -> tuple[uuid.UUID, ...]:
        """Counsellor ids for names or ids the user chose; each must be a reachable counsellor of the
        current roster. Raises ReporterError(code="unknown_counsellor") with a clear message."""
        available = {c.counsellor_id: c for c in self.counsellors() if c.reachable}
        out: list[uuid.UUID] = []
        for wanted in choice:
            text = str(wanted).strip()
            found = [
                c
                for c in available.values()
                if str(c.counsellor_id) == text.lower() or c.display_name.casefold() == text.casefold()
            ]
            if len(found) != 1:
                raise ReporterError(
                    f"{text!r} is not a counsellor of this organisation (any more); "
                    "see the list of counsellors and choose again",
                    code="unknown_counsellor",
                )
            out.append(found[0].counsellor_id)
        if not out:
            raise ReporterError("choose at least one counsellor", code="unknown_counsellor")
        return tuple(sorted(set(out)))

    def readers(self, conv_id: uuid.UUID) -> list[str] | None:
        """Display names of the counsellors who can read the conversation (None: every counsellor)."""
        conv = self._conv(conv_id)
        if conv.members is None:
            return None
        roster = self.roster
        names = []
        for m in conv.members:
            entry = None if roster is None else roster.counsellor(uuid.UUID(m))
            names.append(entry.display_name if entry is not None else "?")
        return sorted(names, key=str.casefold)

    def gone_members(self, conv_id: uuid.UUID) -> list[uuid.UUID]:
        """Chosen counsellors the current roster no longer lists with a device (content-free notice:
        the app tells the reporter and offers to choose again)."""
        conv = self._conv(conv_id)
        roster = self.roster
        if conv.members is None or roster is None:
            return []
        listed = {c.counsellor_id for c, _d in roster.valid_devices()}
        return [uuid.UUID(m) for m in conv.members if uuid.UUID(m) not in listed]

    def handover_requests(self, conv_id: uuid.UUID) -> list[HandoverAsk]:
        conv = self._conv(conv_id)
        return [
            HandoverAsk(
                request_id=uuid.UUID(msg_id),
                colleague_id=uuid.UUID(h["colleague"]),
                colleague_name=h.get("colleague_name", ""),
                asked_by=h.get("by", ""),
                state=h["state"],
            )
            for msg_id, h in conv.handovers.items()
        ]

    async def answer_handover(self, conv_id: uuid.UUID, request_id: uuid.UUID, *, accept: bool) -> None:
        """Answer a handover request with a CONSENT signed by this conversation key: "yes" adds the
        colleague to the recipient set (the requesting counsellor then shares the history), "no"
        changes nothing."""
        conv = self._conv(conv_id)
        asked = conv.handovers.get(str(request_id))
        if asked is None or asked["state"] != "asked":
            raise ReporterError("there is no open handover request with this id")
        if conv.members is None:
            raise ReporterError("every counsellor can already read this conversation")
        members = [uuid.UUID(m) for m in conv.members or []]
        fresh = await self._sendable_roster()  # the colleague must be on the newest roster
        if accept:
            members.append(self.resolve_counsellors([asked["colleague"]])[0])
        await self._change_members(conv, members, request=request_id, accept=accept, fresh=fresh)
        asked["state"] = "accepted" if accept else "declined"
        self._save()

    async def choose_again(self, conv_id: uuid.UUID, choice: Iterable[str | uuid.UUID]) -> None:
        """Choose the conversation's counsellors anew (e.g. after a chosen one left the roster). The
        counsellors chosen now get new messages; none gets the history this way."""
        conv = self._conv(conv_id)
        fresh = await self._sendable_roster()  # chosen from the newest roster, sealed to it
        chosen = list(self.resolve_counsellors(choice))
        await self._change_members(conv, chosen, request=None, accept=True, fresh=fresh)
        # The HELLO again, so that newly chosen counsellors learn the pseudonym and this key.
        await self._send(conv, MessageType.HELLO, self._chosen_profile(conv).to_payload(), fresh=fresh)

    async def _change_members(
        self,
        conv: ConversationState,
        members: list[uuid.UUID],
        *,
        request: uuid.UUID | None,
        accept: bool,
        fresh: tuple[Roster, bytes],
    ) -> None:
        current = Membership(conv.conv_id, _members(conv), conv.members_counter)
        consent = current.consent_for(
            members if accept else list(current.members or members), request=request, accept=accept
        )
        # A "yes" is wrapped to the new set (the colleague learns of it), a "no" to the current one.
        after = current.apply(consent)
        await self._send(conv, MessageType.CONSENT, consent.to_payload(), members=after.members, fresh=fresh)
        conv.members = [str(m) for m in after.members or ()] if after.members is not None else None
        conv.members_counter = after.counter
        self._save()

    # -- profile and sending ---------------------------------------------------------------------------

    def set_profile(
        self, pseudonym: str, *, age_category: str | None = None, gender: str | None = None
    ) -> Profile:
        """Set the pseudonym (and optional age category and gender) that the next HELLO carries.
        Raises ValueError for a pseudonym or category the protocol does not allow."""
        profile = Profile(pseudonym, age_category, gender, self.keys.enc_pk, self.keys.sign_pk)
        self.state.profile = {"pseudonym": profile.pseudonym, "age_category": age_category, "gender": gender}
        self._save()
        return profile

    def _profile(self) -> Profile:
        saved = self.state.profile
        if saved is None or saved["pseudonym"] is None:
            raise ReporterError("choose a pseudonym first (set_profile)")
        return Profile(
            saved["pseudonym"], saved["age_category"], saved["gender"], self.keys.enc_pk, self.keys.sign_pk
        )

    async def open_conversation(self, to: Iterable[str | uuid.UUID] | None = None) -> uuid.UUID:
        """Start a conversation: its first message is the HELLO with the profile and this install's keys.
        ``to``: the counsellors (names or ids) who may read it; None: every counsellor. Raises
        ReporterError(code="unknown_counsellor") for one the roster does not list (any more)."""
        profile = self._profile()
        # The newest roster, to choose from and to seal the HELLO to (fails before the conversation
        # exists locally).
        fresh = await self._sendable_roster()
        chosen = None if to is None else self.resolve_counsellors(to)
        if chosen is not None:
            profile = Profile(
                profile.pseudonym,
                profile.age_category,
                profile.gender,
                profile.reporter_enc_pk,
                profile.reporter_sign_pk,
                to=chosen,
            )
        conv = ConversationState(
            conv_id=uuid.uuid4(), members=None if chosen is None else [str(m) for m in chosen]
        )
        self.state.conversations[str(conv.conv_id)] = conv
        await self._send(conv, MessageType.HELLO, profile.to_payload(), fresh=fresh)
        return conv.conv_id

    async def rename(self, conv_id: uuid.UUID, pseudonym: str) -> None:
        """A new pseudonym is a new HELLO in the conversation."""
        saved = self.state.profile or {}
        self.set_profile(pseudonym, age_category=saved.get("age_category"), gender=saved.get("gender"))
        conv = self._conv(conv_id)
        await self._send(conv, MessageType.HELLO, self._chosen_profile(conv).to_payload())

    def _chosen_profile(self, conv: ConversationState) -> Profile:
        """The profile with the conversation's current recipient set (a desk that first sees this
        HELLO takes the set from it)."""
        p = self._profile()
        return Profile(
            p.pseudonym, p.age_category, p.gender, p.reporter_enc_pk, p.reporter_sign_pk, to=_members(conv)
        )

    async def say(self, conv_id: uuid.UUID, text: str) -> dict[str, Any]:
        """Send a text message; returns the relay's `Stored` object."""
        if not text.strip():
            raise ReporterError("a message cannot be empty")
        return await self._send(self._conv(conv_id), MessageType.TEXT, text.encode("utf-8"))

    async def send_file(self, conv_id: uuid.UUID, data: bytes, media_type: str) -> dict[str, Any]:
        """Send one file (already stripped: `opgelucht_reporter.files.prepare_file`): a fresh key, the
        encrypted blob uploaded under a new blob id (retried with the same id and bytes when the
        connection fails: the relay answers 200 for a repeat), then a FILE message referring to it."""
        conv = self._conv(conv_id)
        key = new_file_key()
        ref = FileRef(
            blob_id=uuid.uuid4(),
            key=key,
            sha256=hashlib.sha256(data).digest(),
            size=len(data),
            media_type=media_type,
        )
        FileRef.from_payload(ref.to_payload())  # a type or size no receiver accepts fails here
        blob = seal_blob(data, key)
        path = f"/v1/device/conversations/{conv.conv_id}/blobs/{ref.blob_id}"
        for attempt in range(3):
            try:
                await self._call("PUT", path, raw_body=blob, signed=True)
                break
            except ReporterError as exc:
                if exc.status is not None or attempt == 2:
                    raise
        return await self._send(conv, MessageType.FILE, ref.to_payload())

    async def fetch_file(self, conv_id: uuid.UUID, ref: FileRef) -> bytes:
        """Download and open a file of a conversation; raises BlobError when it does not verify."""
        conv = self._conv(conv_id)
        response = await self._request(
            "GET", f"/v1/device/conversations/{conv.conv_id}/blobs/{ref.blob_id}", signed=True
        )
        return open_blob(response.content, ref.key, sha256=ref.sha256, size=ref.size)

    def _conv(self, conv_id: uuid.UUID) -> ConversationState:
        try:
            return self.state.conversations[str(conv_id)]
        except KeyError:
            raise ReporterError("unknown conversation") from None

    async def _send(
        self,
        conv: ConversationState,
        msg_type: MessageType,
        payload: bytes,
        *,
        members: tuple[uuid.UUID, ...] | None = None,
        fresh: tuple[Roster, bytes] | None = None,
    ) -> dict[str, Any]:
        """Seal one message to the newest roster (``fresh``: fetched by the caller for this same
        operation, else now) and post it; what was saved but not posted before goes first."""
        await self.flush()
        roster, current_hash = fresh if fresh is not None else await self._sendable_roster()
        # Only the chosen counsellors' current devices (docs/protocol.md §16), and this install.
        chosen = members if members is not None else _members(conv)
        counsellors = roster.member_keys(chosen)
        if not counsellors:
            raise ReporterError(
                "none of the counsellors you chose is on the organisation's list any more: choose again",
                code="members_gone",
            )
        recipients = [*counsellors, self.keys.enc_pk]
        envelope = seal_message(
            conv_id=conv.conv_id,
            msg_id=uuid.uuid4(),
            roster_version=roster.version,
            sender=self.keys,
            seq=conv.seq + 1,
            msg_type=msg_type,
            prev_hash=conv.prev_hash,
            roster_hash=current_hash,
            payload=payload,
            recipients=recipients,
        )
        # Persist first: a crash or a dead relay loses nothing, and a retry posts the same bytes (the
        # relay answers 200 with the original Stored for the same msg_id and bytes).
        conv.seq += 1
        conv.prev_hash = envelope_hash(envelope)
        conv.pending.append(b64e(envelope))
        self._save()
        return await self._post_pending(conv, conv.pending[-1])

    async def _post_pending(self, conv: ConversationState, envelope_b64: str) -> dict[str, Any]:
        stored: dict[str, Any] = await self._call(
            "POST",
            f"/v1/device/conversations/{conv.conv_id}/messages",
            body={"envelope": envelope_b64},
            signed=True,
        )
        conv.pending.remove(envelope_b64)
        self._save()
        return stored

    async def flush(self) -> int:
        """Post every envelope that was saved but not acknowledged (after a crash or network failure)."""
        count = 0
        for conv in self.state.conversations.values():
            for envelope_b64 in list(conv.pending):
                await self._post_pending(conv, envelope_b64)
                count += 1
        return count

    # -- receiving -------------------------------------------------------------------------------------

    async def conversations(self) -> list[dict[str, Any]]:
        """The relay's list of this device's conversations."""
        result: list[dict[str, Any]] = (await self._call("GET", "/v1/device/conversations", signed=True))[
            "conversations"
        ]
        return result

    async def read(self, conv_id: uuid.UUID) -> list[ReceivedMessage]:
        """Fetch, decrypt and verify new messages of a conversation (own ones included). Messages that
        fail verification are left out and recorded in `self.rejected`; duplicates are shown once."""
        conv = self._conv(conv_id)
        try:
            await self.refresh_roster()
        except RosterError as exc:
            if exc.kind != "expired":
                raise  # rollback, fork or a bad signature: stop and warn, do not read on
        except ReporterError as exc:
            if exc.status != 404:  # 404: the org has no roster yet
                raise
        received: list[ReceivedMessage] = []
        while True:
            page = await self._call(
                "GET",
                f"/v1/device/conversations/{conv.conv_id}/messages?after={conv.after}&limit={PAGE_LIMIT}",
                signed=True,
            )
            for item in page["messages"]:
                message = self._accept(conv, item)
                if message is not None:
                    received.append(message)
            conv.after = max(conv.after, int(page["next_after"]))
            if len(page["messages"]) < PAGE_LIMIT:
                break
        conv.seen_msg_ids = conv.seen_msg_ids[-SEEN_IDS_KEPT:]
        self._save()
        return received

    def _accept(self, conv: ConversationState, item: dict[str, Any]) -> ReceivedMessage | None:
        seq, msg_id = int(item["seq"]), str(item["msg_id"])
        if msg_id in conv.seen_msg_ids:
            return None
        try:
            envelope = b64d(item["envelope"])
            opened = open_message(envelope, keys=self.keys, expected_conv_id=conv.conv_id)
            if str(opened.header.msg_id) != msg_id:
                raise EnvelopeError("msg_id_mismatch")
        except (ProtocolError, KeyError) as exc:
            reason = exc.reason if isinstance(exc, EnvelopeError) else "malformed"
            self.rejected.append(RejectedMessage(seq, msg_id, reason))
            return None
        from_me = opened.sender_sign_pk == self.keys.sign_pk
        counsellor_name: str | None = None
        if not from_me:
            roster = self.roster
            found = None if roster is None else roster.device_by_sign_pk(opened.sender_sign_pk)
            if found is None:
                self.rejected.append(RejectedMessage(seq, msg_id, "unknown_sender"))
                return None
            counsellor_name = found[0].display_name
            if conv.members is not None:
                assert roster is not None
                if str(found[0].counsellor_id) not in conv.members:
                    self.rejected.append(RejectedMessage(seq, msg_id, "not_a_member"))
                    return None
                try:
                    check_stanzas(opened.header, [*roster.member_keys(_members(conv)), self.keys.enc_pk])
                except MembershipError as exc:
                    self.rejected.append(RejectedMessage(seq, msg_id, exc.reason))
                    return None
        if opened.msg_type not in (MessageType.TEXT, MessageType.FILE) and not (
            (from_me and opened.msg_type in (MessageType.HELLO, MessageType.CONSENT))
            or (not from_me and opened.msg_type is MessageType.HANDOVER)
        ):
            self.rejected.append(RejectedMessage(seq, msg_id, "unexpected_type"))
            return None
        head_key = b64e(opened.sender_sign_pk)
        head = conv.sender_heads.get(head_key)
        if head is not None and opened.seq <= int(head[0]):
            conv.seen_msg_ids.append(msg_id)  # (sender, seq) seen before: shown once
            return None
        chain_ok = (head is None and opened.seq == 1) or (
            head is not None and opened.prev_hash == b64d(head[1]) and opened.seq == int(head[0]) + 1
        )
        conv.sender_heads[head_key] = [opened.seq, b64e(opened.envelope_hash)]
        conv.seen_msg_ids.append(msg_id)
        assert self._tracker is not None
        file_ref: FileRef | None = None
        try:
            if opened.msg_type is MessageType.HELLO:
                text = Profile.from_payload(opened.payload).pseudonym
            elif opened.msg_type is MessageType.FILE:
                file_ref, text = FileRef.from_payload(opened.payload), ""
            elif opened.msg_type is MessageType.CONSENT:
                text = Consent.from_payload(opened.payload).decision
            elif opened.msg_type is MessageType.HANDOVER:
                text = self._note_handover(conv, opened.payload, counsellor_name or "", msg_id)
            else:
                text = opened.payload.decode("utf-8")
        except (ProtocolError, UnicodeDecodeError):
            self.rejected.append(RejectedMessage(seq, msg_id, "bad_payload"))
            return None
        return ReceivedMessage(
            seq=seq,
            msg_id=opened.header.msg_id,
            msg_type=opened.msg_type,
            from_me=from_me,
            counsellor_name=counsellor_name,
            text=text,
            stored_at=int(item["stored_at"]),
            chain_ok=chain_ok,
            roster_matches=opened.roster_hash == self._tracker.current_hash,
            file=file_ref,
        )

    def _note_handover(self, conv: ConversationState, payload: bytes, by: str, msg_id: str) -> str:
        """A member's handover request: kept as an open question for the reporter. Returns the
        colleague's display name (the text shown). Raises ProtocolError when malformed."""
        request = HandoverRequest.from_payload(payload)
        roster = self.roster
        entry = None if roster is None else roster.counsellor(request.colleague)
        name = entry.display_name if entry is not None else ""
        if (
            conv.members is not None
            and request.counter == conv.members_counter
            and msg_id not in conv.handovers
        ):
            conv.handovers[msg_id] = {
                "colleague": str(request.colleague),
                "colleague_name": name,
                "by": by,
                "state": "asked",
            }
        return name

    # -- usage events, feedback, data rights -----------------------------------------------------------

    async def send_events(self, events: Iterable[tuple[str, str, int]]) -> int:
        """Usage events `(kind, item, count)` for the org code, in a signed request: the relay counts this
        device once per (kind, item) and period and stores no device id with it (docs/stats.md)."""
        body = {
            "org_code": self.state.org_code,
            "events": [{"kind": kind, "item": item, "count": count} for kind, item, count in events],
        }
        return int((await self._call("POST", "/v1/events", body=body, signed=True))["accepted"])

    async def send_feedback(self, text: str, *, include_device: bool = False) -> uuid.UUID:
        """Feedback for the vendor (plaintext by design). The device id is attached only when asked."""
        body: dict[str, Any] = {
            "text": text,
            "org_code": self.state.org_code,
            "app_version": self._app_version,
        }
        if include_device:
            body["device_id"] = str(self.device_id)
        return uuid.UUID((await self._call("POST", "/v1/feedback", body=body))["id"])

    async def export(self) -> dict[str, Any]:
        """Everything the relay holds about this device, plus this client's decrypted view of it."""
        relay: dict[str, Any] = await self._call("GET", "/v1/device/export", signed=True)
        decrypted = []
        for conv in relay["conversations"]:
            conv_id = uuid.UUID(conv["conv_id"])
            for item in conv["messages"]:
                try:
                    opened = open_message(b64d(item["envelope"]), keys=self.keys, expected_conv_id=conv_id)
                    header = parse_header(b64d(item["envelope"]))
                except ProtocolError:
                    continue
                payload = opened.payload
                decrypted.append(
                    {
                        "conv_id": str(conv_id),
                        "msg_id": str(header.msg_id),
                        "type": opened.msg_type.name.lower(),
                        "from_me": opened.sender_sign_pk == self.keys.sign_pk,
                        "text": payload.decode("utf-8", errors="replace"),
                    }
                )
        return {"relay": relay, "decrypted": decrypted, "profile": self.state.profile}

    async def forget(self) -> None:
        """Delete this device and all its data on the relay, then the local state file."""
        await self._call("DELETE", "/v1/device", signed=True)
        delete_state(self.state_path)
        self._state = None
        self._tracker = None
