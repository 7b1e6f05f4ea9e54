"""View types the facade hands to the UI. Plain frozen dataclasses and enums, no behaviour."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


class DeskState(enum.Enum):
    NOT_ENROLLED = "not_enrolled"
    LOCKED = "locked"
    UNLOCKED = "unlocked"


class Status(enum.Enum):
    """Conversation status; ``value`` is the wire value inside META (ui/labels.py words it)."""

    NEW = "new"
    OPEN = "open"
    CLOSED = "closed"


class Category(enum.Enum):
    """Conversation category; ``value`` is the wire value inside META (ui/labels.py words it)."""

    INTIMIDATIE = "intimidatie"
    SEKSUELE_INTIMIDATIE = "seksuele_intimidatie"
    PESTEN = "pesten"
    DISCRIMINATIE = "discriminatie"
    AGRESSIE_GEWELD = "agressie_geweld"
    INTEGRITEIT = "integriteit"
    OVERIG = "overig"


Role = Literal["counsellor", "admin"]
MessageState = Literal["queued", "sent", "received", "verification_failed"]


@dataclass(frozen=True)
class AccountInfo:
    username: str
    display_name: str
    role: str
    org_id: uuid.UUID
    relay_url: str
    safety_number: str
    counsellor_id: uuid.UUID
    device_id: uuid.UUID


@dataclass(frozen=True)
class EnrolmentChallenge:
    """Step 1 of enrolment done: show ``totp_uri`` as a QR code (``totp_secret`` for typing)."""

    relay_url: str
    username: str
    display_name: str
    enrolment_token: str
    totp_secret: str
    totp_uri: str


@dataclass(frozen=True)
class EnrolmentResult:
    safety_number: str
    is_admin: bool
    created_org_key: bool


@dataclass(frozen=True)
class ConversationSummary:
    conv_id: uuid.UUID
    pseudonym: str
    age_category: str | None
    gender: str | None
    last_activity: datetime
    unread: int
    status: Status
    category: Category | None
    days_until_deletion: int
    verification_problem: str | None
    # Who can read it besides this counsellor: None every counsellor (the reporter chose no one),
    # () only this counsellor, else the other chosen counsellors' display names.
    readers: tuple[str, ...] | None = None
    # Messages this computer holds without their key yet: a colleague's desk shares them (signed
    # re-wrap) once the admin's list includes this computer. An expected state, never a verification
    # problem (which stays in ``verification_problem``). ``waiting_for_share``: nothing of it is
    # readable here yet (no pseudonym either).
    not_shared_yet: int = 0
    waiting_for_share: bool = False


@dataclass(frozen=True)
class HandoverView:
    """A chosen counsellor's request to bring in a colleague, and the reporter's answer so far."""

    request_id: uuid.UUID
    colleague: str  # display name
    asked_by: str
    state: Literal["asked", "accepted", "declined"]


@dataclass(frozen=True)
class Colleague:
    """A counsellor of the roster who could be brought into a conversation."""

    counsellor_id: uuid.UUID
    display_name: str
    role: str | None
    availability: dict[str, str]  # language ("nl", "en") → text, as the colleague entered it


@dataclass(frozen=True)
class Presentation:
    """How a counsellor presents themselves to reporters in the roster (each text per language)."""

    role: str = ""
    intro: dict[str, str] = field(default_factory=dict)
    availability: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AttachmentView:
    """A file in the conversation (a FILE message): what it is, never its name."""

    media_type: str
    size: int

    @property
    def is_pdf(self) -> bool:
        return self.media_type == "application/pdf"


@dataclass(frozen=True)
class MessageView:
    msg_id: uuid.UUID
    outgoing: bool
    author: str
    text: str
    sent_at: datetime
    state: MessageState
    problem: str | None = None
    attachment: AttachmentView | None = None


@dataclass(frozen=True)
class NoteView:
    msg_id: uuid.UUID
    author: str
    text: str
    written_at: datetime
    state: MessageState
    problem: str | None = None


@dataclass(frozen=True)
class ComputerView:
    """One computer (device) of a counsellor as the relay lists it. The relay keeps no date for a
    device (its bundle is keys and signatures only), so none is shown."""

    device_id: uuid.UUID
    listed: bool  # the published roster lists it (it can read new messages)
    current: bool  # this very computer (it cannot remove itself)

    @property
    def short_id(self) -> str:
        """The first 8 hex digits of the device id, as the UI shows it."""
        return self.device_id.hex[:8]


@dataclass(frozen=True)
class CounsellorView:
    counsellor_id: uuid.UUID
    username: str
    display_name: str
    role: str
    safety_number: str
    devices: int
    in_roster: bool
    unlisted_devices: int = 0  # registered devices the published roster does not list yet
    computers: tuple[ComputerView, ...] = ()  # the devices the relay lists, valid signatures first


@dataclass(frozen=True)
class SessionView:
    """One of the counsellor's relay sessions (this computer's is ``current``)."""

    session_id: str
    created_at: datetime
    last_used_at: datetime
    current: bool


@dataclass(frozen=True)
class OrgCode:
    code: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    qr_payload: str


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str
    language: str
    published: bool
    updated_at: datetime | None


@dataclass(frozen=True)
class StatsRow:
    label: str
    devices: int | None
    suppressed: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class StatsReport:
    period: str
    rows: list[StatsRow]
    total: StatsRow


@dataclass(frozen=True)
class StoredDataSummary:
    """What this installation stores about the user (the "what is stored about me" view)."""

    data_dir: str
    cache_file: str
    conversations: int
    messages: int
    notes: int
    drafts: int
    queued_replies: int
    keyring_service: str
    keyring_entries: list[str]
    oldest_message: datetime | None


class RosterWarningKind(enum.Enum):
    """Why the roster cannot be trusted or used; the UI words each kind in the user's language.

    The values of the roster problems are the protocol's ``RosterError.kind`` values."""

    NOT_LISTED = "not_listed"  # this computer is not in the verified roster: it receives no new messages
    BAD_SIGNATURE = "bad_signature"
    ROLLBACK = "rollback"
    FORK = "fork"
    EXPIRED = "expired"
    ORG_KEY_CHANGE = "org_key_change"  # the org key changed without a valid certificate
    MALFORMED = "malformed"


@dataclass(frozen=True)
class RosterWarning:
    """A roster warning for the UI: ``kind`` for the translated text, ``detail`` the English technical
    reason (for logs and tooltips, never the main text)."""

    kind: RosterWarningKind
    detail: str
