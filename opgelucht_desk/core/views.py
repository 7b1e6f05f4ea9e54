"""What the UI reads: the inbox list, one thread view per channel (chat, notes), the "what is stored"
summary, and the mappers from the relay's JSON to view types. Synchronous where the data is in memory."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from opgelucht_desk.core.cache import CACHE_FILENAME
from opgelucht_desk.core.config import DeskConfig
from opgelucht_desk.core.inbox import STATE_FAILED, STATE_UNSHARED, ConversationRecord
from opgelucht_desk.core.model import (
    AccountInfo,
    Article,
    AttachmentView,
    Category,
    ConversationSummary,
    MessageState,
    MessageView,
    NoteView,
    OrgCode,
    SessionView,
    StatsReport,
    StatsRow,
    Status,
    StoredDataSummary,
)
from opgelucht_desk.core.outbox import ITEM_FAILED, ITEM_QUEUED
from opgelucht_desk.core.session import Session
from opgelucht_desk.protocol.attachment import FileRef
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_desk.protocol.errors import ProtocolError

Channel = Literal["chat", "staff"]
#: The message types a thread shows per channel (META updates are not shown as messages).
_SHOWN = {"chat": (int(MessageType.TEXT), int(MessageType.FILE)), "staff": (int(MessageType.NOTE),)}


# -- the inbox list --------------------------------------------------------------------------------------
def conversations(
    s: Session, query: str = "", status: Status | None = None, category: Category | None = None
) -> list[ConversationSummary]:
    """The inbox, newest activity first. ``query`` searches the decrypted local data only (pseudonym,
    messages, notes, draft), case-insensitively, in memory."""
    needle = query.casefold().strip()
    now = s.now()
    out: list[ConversationSummary] = []
    staff = s.trust.staff
    me = staff.counsellor_of.get(s.keys.sign_pk)
    since = staff.first_listed.get(s.keys.sign_pk)
    for conv in s.inbox.conversations.values():
        if not readable_here(conv, me, since):
            continue  # the reporter chose other counsellors: nothing of it is listed here
        days = max(0, math.ceil((conv.expires_at - now) / 86400))
        members = tuple(conv.members) if conv.members is not None else None
        key = (conv.revision, conv.read_cursor, conv.status, conv.category, conv.pseudonym, days, members)
        cached = s.summaries.get(conv.conv_id)
        if cached is not None and cached[0] == key:
            summary = cached[1]
        else:
            summary = _summary(conv, now)
            if members is not None:
                others = tuple(
                    sorted((staff.names.get(m, "?") for m in members if m != me), key=str.casefold)
                )
                summary = replace(summary, readers=others)
            s.summaries[conv.conv_id] = (key, summary)
        if status is not None and summary.status != status:
            continue
        if category is not None and summary.category != category:
            continue
        if needle and not _matches(s, conv, needle):
            continue
        out.append(summary)
    out.sort(key=lambda c: c.last_activity, reverse=True)
    return out


def readable_here(conv: ConversationRecord, me: str | None, listed_since: int | None) -> bool:
    """Whether this desk lists the conversation (docs/protocol.md §16): the reporter chose every
    counsellor or this one. A conversation of which nothing could be opened here is listed (with
    "not shared yet") only while all of it predates this computer's listing in the roster: a later
    envelope without a stanza for it shows it was meant for other counsellors."""
    if conv.unopened:
        return listed_since is None or conv.unshared_last <= listed_since
    return conv.members is None or me in conv.members


def _summary(conv: ConversationRecord, now: int) -> ConversationSummary:
    # The counts are kept by the inbox: no message needs to be decrypted for the list. Messages not
    # shared with this computer yet are an expected state of their own, not a verification problem.
    problems = list(conv.problems)
    try:
        status = Status(conv.status)
    except ValueError:
        status = Status.NEW
    category: Category | None
    try:
        category = Category(conv.category) if conv.category else None
    except ValueError:
        category = Category.OVERIG
    return ConversationSummary(
        conv_id=uuid.UUID(conv.conv_id),
        pseudonym=conv.pseudonym or "",
        age_category=conv.age_category,
        gender=conv.gender,
        last_activity=dt(conv.last_activity),
        unread=conv.unread or 0,
        status=status,
        category=category,
        days_until_deletion=max(0, math.ceil((conv.expires_at - now) / 86400)),
        verification_problem="; ".join(problems) or None,
        not_shared_yet=conv.unshared,
        waiting_for_share=bool(conv.unshared) and conv.pseudonym is None,
    )


def _matches(s: Session, conv: ConversationRecord, needle: str) -> bool:
    if needle in (conv.pseudonym or "").casefold():
        return True
    if needle in s.inbox.drafts.get(conv.conv_id, "").casefold():
        return True
    texts = [m.text for m in s.inbox.messages.get(conv.conv_id, {}).values()]
    texts += [
        i.text
        for i in s.outbox.for_conversation(conv.conv_id)
        if i.msg_type not in (int(MessageType.META), int(MessageType.FILE))
    ]
    return any(needle in t.casefold() for t in texts)


# -- one thread view per channel ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ThreadEntry:
    """One message of a thread, before it becomes a MessageView (chat) or a NoteView (staff)."""

    msg_id: uuid.UUID
    outgoing: bool
    author: str
    text: str
    at: datetime
    state: MessageState
    problem: str | None
    attachment: AttachmentView | None = None


def _attachment(payload: str | None) -> AttachmentView | None:
    if not payload:
        return None
    try:
        ref = FileRef.from_payload(payload.encode("utf-8"))
    except ProtocolError:
        return None
    return AttachmentView(ref.media_type, ref.size)


def thread(s: Session, conv_id: uuid.UUID | str, channel: Channel) -> list[ThreadEntry]:
    """The shown messages of one channel of a conversation, oldest first; queued ones last. Chat
    messages without an author are the reporter's (their pseudonym)."""
    conv = s.conv(conv_id)
    s.inbox.ensure_loaded(conv.conv_id)  # decrypted from the cache on first opening
    shown = _SHOWN[channel]
    fallback = (conv.pseudonym or "") if channel == "chat" else ""
    records = sorted(s.inbox.messages.get(conv.conv_id, {}).values(), key=lambda m: m.cursor)
    entries = [
        ThreadEntry(
            msg_id=uuid.UUID(m.msg_id),
            outgoing=m.outgoing,
            author=m.author or fallback,
            text=m.text if m.state != STATE_FAILED else "",
            at=dt(m.stored_at),
            state=_state(m.state),
            problem=m.problem,
            attachment=_attachment(m.attachment) if m.state != STATE_FAILED else None,
        )
        for m in records
        if m.channel == channel
        and (m.state == STATE_FAILED or (m.msg_type in shown and m.state != STATE_UNSHARED))
    ]
    seen = {m.msg_id for m in records}
    entries += [
        ThreadEntry(
            msg_id=uuid.UUID(i.msg_id),
            outgoing=True,
            author=s.account.display_name,
            text="" if i.msg_type == int(MessageType.FILE) else i.text,
            at=dt(i.queued_at),
            state="sent" if i.state != ITEM_QUEUED else "queued",
            problem=i.problem if i.state == ITEM_FAILED else None,
            attachment=_attachment(i.text) if i.msg_type == int(MessageType.FILE) else None,
        )
        for i in s.outbox.for_conversation(conv.conv_id)
        if i.msg_type in shown and i.msg_id not in seen
    ]
    return entries


def messages(s: Session, conv_id: uuid.UUID | str) -> list[MessageView]:
    """The chat of one conversation (the chat thread as MessageViews)."""
    return [
        MessageView(e.msg_id, e.outgoing, e.author, e.text, e.at, e.state, e.problem, e.attachment)
        for e in thread(s, conv_id, "chat")
    ]


def notes(s: Session, conv_id: uuid.UUID | str) -> list[NoteView]:
    """The private counsellor notes of one conversation (the staff thread as NoteViews)."""
    return [
        NoteView(e.msg_id, e.author, e.text, e.at, e.state, e.problem) for e in thread(s, conv_id, "staff")
    ]


def _state(state: str) -> MessageState:
    if state == "sent":
        return "sent"
    if state == STATE_FAILED:
        return "verification_failed"
    return "received"


# -- transparency ----------------------------------------------------------------------------------------
def stored_data_summary(
    config: DeskConfig, account: AccountInfo | None, s: Session | None
) -> StoredDataSummary:
    """What this installation stores (counts only, no content)."""
    data_dir = config.data_dir
    entries: list[str] = []
    service = ""
    if account is not None:
        keystore = config.keystore(account)
        service, entries = keystore.service, keystore.entries()
    conversations = messages = notes = drafts = queued = 0
    oldest: datetime | None = None
    if s is not None:
        conversations = len(s.inbox.conversations)
        convs = s.inbox.conversations.values()  # counts kept per conversation by the inbox
        messages = sum(c.chat_count for c in convs)
        notes = sum(c.note_count for c in convs)
        drafts, queued = len(s.inbox.drafts), s.outbox.pending()
        first = min((c.oldest for c in convs if c.oldest is not None), default=None)
        if first is not None:
            oldest = dt(first)
    return StoredDataSummary(
        data_dir=str(data_dir),
        cache_file=str(data_dir / CACHE_FILENAME),
        conversations=conversations,
        messages=messages,
        notes=notes,
        drafts=drafts,
        queued_replies=queued,
        keyring_service=service,
        keyring_entries=entries,
        oldest_message=oldest,
    )


# -- relay JSON → view types -----------------------------------------------------------------------------
def dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _opt_dt(value: object) -> datetime | None:
    return None if value is None else dt(int(str(value)))


def stats_row(raw: dict[str, Any]) -> StatsRow:
    return StatsRow(
        label=str(raw.get("label", "")),
        devices=raw.get("devices"),
        suppressed=bool(raw.get("suppressed", False)),
        counts={str(k): {str(i): int(n) for i, n in v.items()} for k, v in (raw.get("counts") or {}).items()},
    )


def stats_report(raw: dict[str, Any]) -> StatsReport:
    return StatsReport(
        period=str(raw["period"]), rows=[stats_row(r) for r in raw["codes"]], total=stats_row(raw["total"])
    )


def session_view(raw: dict[str, Any]) -> SessionView:
    return SessionView(
        session_id=str(raw["id"]),
        created_at=dt(int(raw["created_at"])),
        last_used_at=dt(int(raw["last_used_at"])),
        current=bool(raw["current"]),
    )


def org_code(raw: dict[str, Any]) -> OrgCode:
    return OrgCode(
        code=str(raw["code"]),
        label=str(raw.get("label", "")),
        created_at=dt(int(raw["created_at"])),
        revoked_at=_opt_dt(raw.get("revoked_at")),
        qr_payload=str(raw.get("qr_payload", "")),
    )


def article(raw: dict[str, Any]) -> Article:
    return Article(
        id=str(raw["id"]),
        title=str(raw.get("title", "")),
        body=str(raw.get("body", "")),
        language=str(raw.get("language", "nl")),
        published=bool(raw.get("published", True)),
        updated_at=_opt_dt(raw.get("updated_at")),
    )
