"""Organisation administration: invitations, the counsellor list, roster signing and publishing,
re-wrapping content keys for new devices, org codes and their posters, and the app's articles."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from opgelucht_desk.core.errors import (
    NotAllowedError,
    OwnComputerError,
    UnknownComputerError,
    UnlistedComputerError,
    VerificationError,
)
from opgelucht_desk.core.inbox import MessageRecord
from opgelucht_desk.core.membership import wraps_for
from opgelucht_desk.core.model import Article, ComputerView, CounsellorView, OrgCode
from opgelucht_desk.core.poster import CodePoster
from opgelucht_desk.core.session import Session
from opgelucht_desk.core.sync import TRUST_META
from opgelucht_desk.core.views import article, org_code
from opgelucht_desk.protocol.encoding import b64d
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.keys import safety_number
from opgelucht_desk.protocol.qr import parse_qr_payload
from opgelucht_desk.protocol.roster import (
    ZERO_HASH,
    CounsellorEntry,
    DeviceEntry,
    Roster,
    SignedRoster,
    parse_roster_body,
    roster_hash,
    sign_roster,
    texts,
)

ROSTER_LIFETIME = 14 * 86400
WRAPS_PER_REQUEST = 200
NO_ORG_KEY = "Only the admin who holds the organisation key can do this."


# -- roster signing --------------------------------------------------------------------------------------
def new_roster(
    org_id: uuid.UUID,
    counsellors: list[CounsellorEntry],
    prev: SignedRoster | None,
    org_seed: bytes,
    now: int,
) -> SignedRoster:
    """The next roster after ``prev`` (version 1 without one), valid for ROSTER_LIFETIME, signed."""
    version = 1
    if prev is not None:
        version = parse_roster_body(prev.body).version + 1
    roster = Roster(
        org_id=org_id,
        version=version,
        prev_hash=roster_hash(prev) if prev is not None else ZERO_HASH,
        issued=now,
        expires=now + ROSTER_LIFETIME,
        counsellors=tuple(counsellors),
    )
    return sign_roster(roster, org_seed)


def publishable_devices(counsellor: dict[str, Any], identity: bytes) -> list[DeviceEntry]:
    """The devices of a counsellor (as the relay lists them) whose signatures verify: the ones a
    published roster lists."""
    devices = []
    for d in counsellor.get("devices", []):
        try:
            dev = DeviceEntry.from_json(d)
        except ProtocolError:
            continue
        if dev.verifies(identity):
            devices.append(dev)
    return devices


def org_seed_of(s: Session) -> bytes:
    """The org signing key, or NotAllowedError when this computer does not hold it."""
    if s.secrets.org_seed is None:
        raise NotAllowedError(NO_ORG_KEY)
    return s.secrets.org_seed


async def publish_roster(s: Session) -> int:
    """Sign and upload the next roster listing every counsellor of the org and their valid devices.
    Org admins with the org key only. Returns the new version."""
    return await _publish(s, await s.api.org(), None)


async def remove_device(s: Session, counsellor_id: uuid.UUID | str, device_id: uuid.UUID | str) -> int:
    """Publish the next roster without one computer of a counsellor (a stolen laptop), everything
    else as publish_roster lists it. The relay then ends that computer's sessions and refuses its
    logins; the counsellor's other computers keep working. Refuses this desk's own computer
    (OwnComputerError) and a computer the relay does not list for that counsellor
    (UnknownComputerError), and one no published roster lists yet (UnlistedComputerError: the relay
    drops only devices the previous roster listed, so it would stay signed in). Returns the new roster
    version."""
    org_seed_of(s)
    cid, did = uuid.UUID(str(counsellor_id)), uuid.UUID(str(device_id))
    if (cid, did) == (s.account.counsellor_id, s.account.device_id):
        raise OwnComputerError("This computer cannot remove itself from the list of counsellors.")
    org = await s.api.org()
    known = {
        d.device_id
        for c in org["counsellors"]
        if uuid.UUID(c["counsellor_id"]) == cid
        for d in publishable_devices(c, b64d(c["identity_key"]))
    }
    if did not in known:
        raise UnknownComputerError("This counsellor has no such computer (removed already?).")
    current = s.trust.tracker.current
    if current is None or did not in {
        d.device_id for c, d in current.valid_devices() if c.counsellor_id == cid
    }:
        raise UnlistedComputerError("This computer is not in the published list of counsellors yet.")
    return await _publish(s, org, (cid, did))


async def _publish(s: Session, org: dict[str, Any], without: tuple[uuid.UUID, uuid.UUID] | None) -> int:
    """The next roster from ``org`` (GET /v1/org), leaving out the device ``without`` names."""
    org_seed = org_seed_of(s)
    if org.get("roster") is not None:
        warning = s.trust.accept(org["roster"], s.now())
        if warning and s.trust.problem_kind != "expired":
            raise VerificationError(warning.detail)
    entries = []
    for c in org["counsellors"]:
        identity = b64d(c["identity_key"])
        devices = publishable_devices(c, identity)
        if without is not None and uuid.UUID(c["counsellor_id"]) == without[0]:
            devices = [d for d in devices if d.device_id != without[1]]
        shown = c.get("presentation") or {}
        entries.append(
            CounsellorEntry(
                uuid.UUID(c["counsellor_id"]),
                c["display_name"],
                identity,
                tuple(devices),
                role=(shown.get("role") or "").strip() or None,
                intro=texts(shown.get("intro")),
                availability=texts(shown.get("availability")),
            )
        )
    prev = s.trust.tracker.current_signed
    signed = new_roster(uuid.UUID(str(org["org_id"])), entries, prev, org_seed, s.now())
    await s.api.put_roster(signed.to_json())
    warning = s.trust.accept(signed.to_json(), s.now())
    if warning:
        raise VerificationError(warning.detail)
    await asyncio.to_thread(s.cache.set_meta, TRUST_META, s.trust.to_bytes())
    current = s.trust.tracker.current
    assert current is not None
    return current.version


# -- counsellors -----------------------------------------------------------------------------------------
async def counsellors(s: Session) -> list[CounsellorView]:
    org = await s.api.org()
    current = s.trust.tracker.current
    in_roster = {c.counsellor_id for c in current.counsellors} if current else set()
    listed = {d.device_id for _c, d in current.valid_devices()} if current else set()
    views = []
    for c in org["counsellors"]:
        identity = b64d(c["identity_key"])
        valid = publishable_devices(c, identity)
        unlisted = sum(1 for d in valid if d.device_id not in listed)
        cid = uuid.UUID(c["counsellor_id"])
        computers = tuple(
            ComputerView(
                device_id=d.device_id,
                listed=d.device_id in listed,
                current=(cid, d.device_id) == (s.account.counsellor_id, s.account.device_id),
            )
            for d in valid
        )
        views.append(
            CounsellorView(
                counsellor_id=uuid.UUID(c["counsellor_id"]),
                username=c["username"],
                display_name=c["display_name"],
                role=c["role"],
                safety_number=safety_number(identity),
                devices=len(c.get("devices", [])),
                in_roster=uuid.UUID(c["counsellor_id"]) in in_roster,
                unlisted_devices=unlisted,
                computers=computers,
            )
        )
    return views


async def remove_counsellor(s: Session, counsellor_id: uuid.UUID | str) -> None:
    """Remove a counsellor (their sessions die) and publish a roster without their devices."""
    await s.api.remove_counsellor(str(counsellor_id))
    await publish_roster(s)


# -- re-wrap sharing -------------------------------------------------------------------------------------
async def share_conversations_with_new_devices(s: Session) -> int:
    """Re-wrap the content keys of live messages for roster devices that lack them (signed
    ``opg/rewrap/v1`` records). Returns the number of keys shared."""
    await s.engine.sync_once()
    await s.engine.load_all()
    roster, _hash = s.trust.sendable(s.now())
    wraps: list[dict[str, str]] = []
    changed: list[MessageRecord] = []
    for conv_id, msgs in s.inbox.messages.items():
        # Only to the devices of the counsellors the reporter chose (docs/protocol.md §16).
        conv = s.inbox.conversations.get(conv_id)
        members = None if conv is None else conv.membership().members
        targets = [d for c, d in roster.valid_devices() if members is None or c.counsellor_id in members]
        conv_wraps, conv_changed = wraps_for(msgs.values(), [d.enc_pk for d in targets], s.keys)
        wraps += conv_wraps
        changed += conv_changed
    for i in range(0, len(wraps), WRAPS_PER_REQUEST):
        await s.api.post_wraps(wraps[i : i + WRAPS_PER_REQUEST])
    if changed:
        await asyncio.to_thread(s.cache.save, [], [m.to_cache() for m in changed])
    return len(wraps)


# -- org codes and posters -------------------------------------------------------------------------------
async def codes(s: Session) -> list[OrgCode]:
    return [org_code(c) for c in await s.api.codes()]


async def create_code(s: Session, label: str) -> OrgCode:
    return org_code(await s.api.create_code(label))


async def code_poster(s: Session, code: OrgCode) -> CodePoster:
    """What the printable poster of an org code shows (core/poster.py): its join QR text, checked to
    pin the org key this desk trusts, and that key's safety number (the one the reporter app shows).
    Raises VerificationError when the relay's QR text names another code or key."""
    try:
        join = parse_qr_payload(code.qr_payload)
    except ProtocolError as exc:
        raise VerificationError("This code has no QR code (revoked?).") from exc
    if join.org_code != code.code or not join.matches(s.trust.org_pk):
        raise VerificationError("The relay's QR code does not pin the organisation key this desk trusts.")
    org = await s.api.org()
    return CodePoster(
        org_name=str(org.get("name", "")),
        code=code.code,
        label=code.label,
        join_payload=code.qr_payload,
        safety_number=safety_number(s.trust.org_pk),
    )


# -- articles --------------------------------------------------------------------------------------------
async def articles(s: Session) -> list[Article]:
    return [article(a) for a in await s.api.articles()]


async def save_article(
    s: Session, article_id: str | None, *, title: str, body: str, language: str, published: bool
) -> Article:
    """Create (``article_id`` None) or update an article of the org's app content (admins)."""
    payload = {"title": title, "body": body, "language": language, "published": published}
    if article_id is None:
        return article(await s.api.create_article(payload))
    result = await s.api.update_article(article_id, payload)
    return article(result if result else {**payload, "id": article_id})
