"""The case register of the unlocked desk (docs/case-register.md): one content-free record per conversation
(months, category, type of help, contacts bucket, org code label), kept after the conversation is
deleted, encrypted at rest in the cache and shared end to end with the org's counsellors through the relay.

:class:`CaseRegister` keeps the register key (sealed by a colleague's device to this one, or created by
the first desk), shares it with every device of the verified roster that lacks it, pulls the records
(each verified: signed by a counsellor device of a verified roster, sealed under the register key, served
under its own id and version; a refused record is flagged and the last good one kept), and writes this
desk's view of each live conversation as the next version when it changed (a 409 re-reads and merges).
After every change it publishes ``register_changed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from opgelucht_desk.core.annual_report import AnnualReport, Period, build_report, report_csv
from opgelucht_desk.core.errors import ConflictError, DeskError, NotFoundError
from opgelucht_desk.core.events import DeskListener
from opgelucht_desk.core.inbox import STATE_FAILED, STATE_UNSHARED, ConversationRecord
from opgelucht_desk.core.report_pdf import save_report_pdf
from opgelucht_desk.core.session import Session
from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.meta import parse_meta
from opgelucht_desk.protocol.register import (
    CONTACT_BUCKETS,
    HELP_TYPES,
    CaseRecord,
    contact_bucket,
    key_id_of,
    new_register_key,
    open_key_wrap,
    open_record,
    record_id_for,
    seal_record,
    wrap_register_key,
)

__all__ = ["HELP_TYPES", "CaseRegister", "StoredRecord", "merge", "month_of"]

log = logging.getLogger("opgelucht.desk.register")

REGISTER_META = "case_register"
DEFAULT_RETENTION_DAYS = 730
_MAX_MERGES = 3
DEBOUNCE_SECONDS = 0.5
_UNSET = "unset"  # no type of help set on this desk since the last write


def month_of(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m")


def _month_end(month: str) -> int:
    """The unix time the month ends (the first second of the next)."""
    y, m = int(month[:4]), int(month[5:])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return int(datetime(y, m, 1, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class StoredRecord:
    record: CaseRecord
    version: int
    signer: bytes


def merge(
    old: CaseRecord | None, new: CaseRecord, knows_meta: bool = True, help_set: bool = False
) -> CaseRecord:
    """This desk's view ``new`` over the register's ``old``: months only move earlier, the contacts bucket
    only up (a desk that lost messages to the 31-day rule never lowers it), the type of help stays unless
    set here (``help_set``: then even to none); status and category follow the conversation when this
    desk has seen them (``knows_meta``: a computer added later cannot open the older status messages
    until a colleague shares them)."""
    if old is None:
        return new
    if not knows_meta:
        new = replace(new, closed=old.closed, category=old.category)
    in_progress = min(filter(None, (old.in_progress, new.in_progress)), default=None)
    contacts = CONTACT_BUCKETS[max(CONTACT_BUCKETS.index(old.contacts), CONTACT_BUCKETS.index(new.contacts))]
    return replace(
        new,
        opened=min(old.opened, new.opened),
        in_progress=in_progress,
        contacts=contacts,
        help_type=new.help_type if help_set or new.help_type is not None else old.help_type,
        org_code=new.org_code if new.org_code is not None else old.org_code,
    )


class CaseRegister(DeskListener):
    """The register of one unlocked session. :meth:`start` loads it and follows the inbox."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.key: bytes | None = None
        self.records: dict[str, StoredRecord] = {}
        self.problems: list[str] = []
        self.retention_days = DEFAULT_RETENTION_DAYS
        self.org_codes: dict[str, str] = {}  # conversation id → its org code's label (live only)
        self.code_labels: list[str] = []
        self._help: dict[str, str | None] = {}  # conversation id → type of help set here, not yet written
        self._pushed: dict[str, tuple[object, ...]] = {}  # conversation id → what its last write saw
        self._lock = asyncio.Lock()
        self._dirty = False
        self._running = False

    # -- life cycle --------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the local copy (encrypted cache) and update in the background on every inbox change."""
        self._load()
        self.session.events.add(self)

    def stop(self) -> None:
        self.session.events.remove(self)

    def inbox_changed(self) -> None:
        """While the sync engine runs (the app's live mode), follow the inbox: one pass soon after a burst
        of changes. Without it (a desk driven by explicit ``sync_now`` calls) only explicit passes run."""
        self._dirty = True
        if not self._running and self.session.engine.running:
            self._running = True
            self.session.background.spawn(self._background_sync())

    async def _background_sync(self) -> None:
        try:
            while self._dirty:
                await asyncio.sleep(DEBOUNCE_SECONDS)  # a sync round publishes several changes at once
                self._dirty = False
                try:
                    await self.sync()
                except DeskError:
                    pass  # offline and friends: the next change (or the page's refresh) tries again
                except Exception as exc:  # never let a background pass break the desk; no details logged
                    log.warning("register sync failed (%s)", type(exc).__name__)
        finally:
            self._running = False

    # -- local copy ---------------------------------------------------------------------------------
    def _load(self) -> None:
        raw = self.session.cache.get_meta(REGISTER_META)
        if raw is None:
            return
        data = json.loads(raw)
        self.key = b64d(data["key"]) if data.get("key") else None
        self.retention_days = int(data.get("retention_days", DEFAULT_RETENTION_DAYS))
        self.problems = list(data.get("problems", []))
        self.records = {
            rid: StoredRecord(CaseRecord(record_id=rid, **r["fields"]), int(r["version"]), b64d(r["signer"]))
            for rid, r in data.get("records", {}).items()
        }

    def _save(self) -> None:
        data = {
            "key": b64e(self.key) if self.key else None,
            "retention_days": self.retention_days,
            "problems": self.problems,
            "records": {
                rid: {"fields": s.record.fields(), "version": s.version, "signer": b64e(s.signer)}
                for rid, s in self.records.items()
            },
        }
        self.session.cache.set_meta(REGISTER_META, json.dumps(data).encode())

    def _flag(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)
        log.warning("refused a register entry")

    # -- sync ---------------------------------------------------------------------------------------
    async def sync(self) -> None:
        """Key, records and this desk's changes, once, with the relay. Raises OfflineError and friends."""
        async with self._lock:
            s = self.session
            settings = await s.api.register_settings()
            self.retention_days = int(settings["retention_days"])
            await self._ensure_key()
            if self.key is not None:
                await self._share_key()
                await self._pull()
                await self._refresh_codes()
                await self._push()
            self._expire()
            await asyncio.to_thread(self._save)
        s.events.publish(lambda listener: listener.register_changed())

    def _signers(self) -> set[bytes]:
        return set(self.session.trust.staff.devices)

    async def _ensure_key(self) -> None:
        s = self.session
        wraps = await s.api.register_key_wraps()
        mine = [w for w in wraps if b64d(str(w["sign_pk"])) == s.keys.sign_pk]
        if mine:
            try:
                key = open_key_wrap(b64d(str(mine[0]["blob"])), s.keys, self._signers())
            except ProtocolError:
                self._flag("The register key shared with this computer failed verification and was refused.")
                return
            if self.key is not None and key != self.key:
                self._flag("The relay served another register key than the one this computer holds.")
                return
            self.key = key
            return
        if self.key is None and not wraps:  # the org's first register: this desk makes the key
            key = new_register_key()
            device_id = self._own_device_id()
            if device_id is None:
                return
            blob = wrap_register_key(key, s.keys.enc_pk, s.keys.sign_pk, s.keys)
            try:
                await s.api.post_register_key_wrap(device_id, b64e(blob))
            except ConflictError:  # a colleague's desk was first: use theirs next time
                return
            self.key = key

    def _own_device_id(self) -> str | None:
        roster = self.session.trust.tracker.current
        if roster is None:
            return None
        for _counsellor, device in roster.valid_devices():
            if device.sign_pk == self.session.keys.sign_pk:
                return str(device.device_id)
        return None

    async def _share_key(self) -> None:
        """Seal the register key to every device of the verified roster that has none yet."""
        s = self.session
        roster = s.trust.tracker.current
        if roster is None or self.key is None:
            return
        have = {str(w["device_id"]) for w in await s.api.register_key_wraps()}
        for _counsellor, device in roster.valid_devices():
            if str(device.device_id) in have:
                continue
            blob = wrap_register_key(self.key, device.enc_pk, device.sign_pk, s.keys)
            with contextlib.suppress(ConflictError, NotFoundError):
                await s.api.post_register_key_wrap(str(device.device_id), b64e(blob))

    def _open(self, item: dict[str, object]) -> StoredRecord | None:
        assert self.key is not None
        rid, version = str(item["record_id"]), int(str(item["version"]))
        try:
            opened = open_record(b64d(str(item["blob"])), rid, version, self.key, self._signers())
        except (ProtocolError, ValueError, KeyError, TypeError):
            self._flag(f"A register record ({rid[:8]}) failed verification and was refused.")
            return None
        return StoredRecord(opened.record, opened.version, opened.signer_sign_pk)

    async def _pull(self) -> None:
        s = self.session
        seen: set[str] = set()
        after = ""
        while True:
            page = await s.api.register_records(after)
            for item in page["records"]:
                rid = str(item["record_id"])
                seen.add(rid)
                local = self.records.get(rid)
                if local is not None and int(item["version"]) <= local.version:
                    continue  # nothing newer (an older version served again is not taken)
                stored = self._open(item)
                if stored is not None:
                    self.records[rid] = stored
            if not page["more"] or not page["records"]:
                break
            after = str(page["records"][-1]["record_id"])
        for rid in [r for r in self.records if r not in seen]:
            del self.records[rid]  # deleted on the relay after the org's retention

    async def _refresh_codes(self) -> None:
        s = self.session
        labels = {str(c["code"]): str(c["label"]) for c in await s.api.codes()}
        self.code_labels = sorted(set(labels.values()))
        for conv in await s.api.inbox_conversations():
            code = conv.get("org_code")
            if code is not None:
                self.org_codes[conv["conv_id"]] = labels.get(code, code)

    def view_of(self, conv: ConversationRecord) -> tuple[CaseRecord, bool]:
        """This desk's content-free view of one live conversation (months and fixed words only), and
        whether this desk has seen its status and category."""
        assert self.key is not None
        s = self.session
        s.inbox.ensure_loaded(conv.conv_id)
        msgs = sorted(s.inbox.messages.get(conv.conv_id, {}).values(), key=lambda m: m.cursor)
        usable = [m for m in msgs if m.state not in (STATE_FAILED, STATE_UNSHARED)]
        statuses: list[tuple[str, str]] = []
        for m in usable:
            if m.msg_type == int(MessageType.META):
                with contextlib.suppress(ProtocolError):
                    meta = parse_meta(m.text.encode())
                    if meta.status is not None:
                        statuses.append((meta.status, month_of(m.stored_at)))
        now_month = month_of(s.now())
        in_progress = next((mo for st, mo in statuses if st == "open"), None)
        if in_progress is None and conv.status == "open":
            in_progress = now_month
        closed = None
        if conv.status == "closed":
            closings = [mo for st, mo in statuses if st == "closed"]
            closed = closings[-1] if closings else now_month
        contacts = sum(
            1
            for m in usable
            if m.channel == "chat" and not m.outgoing and m.msg_type == int(MessageType.TEXT)
        )
        help_type = self._help.get(conv.conv_id)
        knows_meta = (
            bool(statuses) or conv.meta_cursor > 0 or conv.status != "new" or conv.category is not None
        )
        return CaseRecord(
            record_id=record_id_for(self.key, conv.conv_id),
            opened=month_of(conv.created_at),
            in_progress=in_progress,
            closed=closed,
            category=conv.category,
            help_type=help_type,
            contacts=contact_bucket(contacts),
            org_code=self.org_codes.get(conv.conv_id),
        ), knows_meta

    async def _push(self) -> None:
        """Write this desk's view of every conversation whose messages are in memory and that changed
        since its last pass (conversations still loading come with the ``inbox_changed`` after them)."""
        s = self.session
        for conv in list(s.inbox.conversations.values()):
            if conv.conv_id not in s.inbox.loaded:
                continue
            used = self._help.get(conv.conv_id, _UNSET)
            fingerprint = (conv.revision, conv.status, conv.category, self.org_codes.get(conv.conv_id), used)
            if self._pushed.get(conv.conv_id) == fingerprint:
                continue
            view, knows_meta = self.view_of(conv)
            await self._write(view, knows_meta, help_set=used != _UNSET)
            if self._help.get(conv.conv_id, _UNSET) == used:  # not set again while this was written
                self._help.pop(conv.conv_id, None)
                fingerprint = (*fingerprint[:-1], _UNSET)
            self._pushed[conv.conv_id] = fingerprint

    async def _write(self, view: CaseRecord, knows_meta: bool, help_set: bool = False) -> None:
        assert self.key is not None
        s = self.session
        for _attempt in range(_MAX_MERGES):
            local = self.records.get(view.record_id)
            merged = merge(None if local is None else local.record, view, knows_meta, help_set)
            if local is not None and merged == local.record:
                return
            version = 1 if local is None else local.version + 1
            blob = seal_record(merged, version, self.key, s.keys)
            try:
                await s.api.put_register_record(merged.record_id, version, b64e(blob))
            except ConflictError:  # a colleague wrote meanwhile: read theirs, merge, write the next
                try:
                    item = await s.api.register_record(view.record_id)
                except NotFoundError:
                    return
                stored = self._open(item)
                if stored is None:
                    return
                self.records[view.record_id] = stored
                continue
            self.records[view.record_id] = StoredRecord(merged, version, s.keys.sign_pk)
            return

    def _expire(self) -> None:
        """The org's retention, enforced here too: a record goes ``retention_days`` after its last month."""
        now = self.session.now()
        limit = self.retention_days * 86400
        for rid, stored in list(self.records.items()):
            r = stored.record
            last = max(filter(None, (r.opened, r.in_progress, r.closed)))
            if _month_end(last) + limit <= now:
                del self.records[rid]

    # -- what the UI reads and sets -----------------------------------------------------------------
    def help_type(self, conv_id: str) -> str | None:
        conv_id = str(conv_id)
        if conv_id in self._help:
            return self._help[conv_id]
        if self.key is None:
            return None
        stored = self.records.get(record_id_for(self.key, conv_id))
        return None if stored is None else stored.record.help_type

    async def set_help_type(self, conv_id: str, help_type: str | None) -> None:
        """Record the type of help given in a conversation (one of HELP_TYPES), then write the register."""
        if help_type is not None and help_type not in HELP_TYPES:
            raise DeskError("Unknown type of help.")
        conv = self.session.conv(conv_id)
        self._help[conv.conv_id] = help_type
        self.session.events.publish(lambda listener: listener.register_changed())
        await self.sync()

    async def set_retention_days(self, days: int) -> None:
        """The org's register retention (admins only; 31–3650 days): how long a record stays after its
        last change, on the relay and on every desk."""
        if not 31 <= days <= 3650:
            raise DeskError("The retention must be between 31 and 3650 days.")
        settings = await self.session.api.set_register_settings(days)
        self.retention_days = int(settings["retention_days"])
        self._expire()
        await asyncio.to_thread(self._save)
        self.session.events.publish(lambda listener: listener.register_changed())

    def report(self, period: Period) -> AnnualReport:
        return build_report((s.record for s in self.records.values()), period, self.code_labels)

    def csv(self, period: Period) -> str:
        return report_csv(self.report(period))

    async def save_pdf(
        self, path: Path, period: Period, language: str = "nl", with_counsellors: bool = False
    ) -> None:
        """Export the report as a PDF (the org's name from the relay; counsellors' names only if asked)."""
        org = await self.session.api.org()
        names = [str(c["display_name"]) for c in org.get("counsellors", [])] if with_counsellors else []
        report = self.report(period)
        await asyncio.to_thread(save_report_pdf, path, report, str(org.get("name", "")), language, names)

    async def save_csv(self, path: Path, period: Period) -> None:
        await asyncio.to_thread(save_text, path, self.csv(period))

    def key_id(self) -> str | None:
        return None if self.key is None else key_id_of(self.key).hex()


def save_text(path: Path, text: str) -> None:
    """Write an export atomically with the user's usual permissions."""
    tmp = path.with_name(f".{path.name}.{int(time.time() * 1000)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
