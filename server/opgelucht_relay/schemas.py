"""The relay's wire shapes, all in one place (docs/api.md): request bodies with strict validation, response
bodies, and the mappers from database rows to them (so every endpoint shows an object the same way).

Sections: field types and the ``Strict`` request base; counsellor, org and article bodies; reporter
device, messaging, usage event and feedback bodies; rows → bodies (pydantic models, and plain dicts of
the same shapes for the hot paths that answer with a ready ``JSONResponse``).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Annotated, Any, Literal, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import Row

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.qr import qr_payload
from opgelucht_desk.protocol.roster import DeviceEntry
from opgelucht_relay.auth.passwords import MIN_PASSWORD_LENGTH
from opgelucht_relay.clock import unix
from opgelucht_relay.config import Settings
from opgelucht_relay.errors import bad_request
from opgelucht_relay.models import (
    Article,
    Conversation,
    Counsellor,
    Device,
    ExtraWrap,
    Feedback,
    Message,
    Org,
    OrgCode,
    Roster,
)


def _b64_of(length: int | None, *, max_length: int = 48 * 1024) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > max_length:
            raise ValueError("too long")
        try:
            raw = b64d(value)
        except ProtocolError:
            raise ValueError("not strict standard base64") from None
        if length is not None and len(raw) != length:
            raise ValueError(f"must decode to {length} bytes")
        return value

    return AfterValidator(check)


Key32 = Annotated[str, _b64_of(32)]
Sig64 = Annotated[str, _b64_of(64)]
B64 = Annotated[str, _b64_of(None)]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{3,64}$")]
# Characters a name shown to people must not hold: controls (terminal escapes, newlines), private-use and
# unpaired surrogate code points, line/paragraph separators, and the bidirectional embedding, override and
# isolate controls that make a name display as something else ("Trojan source"). Zero-width (non-)joiners,
# which Persian and emoji names need, stay allowed.
_NAME_CATEGORIES = frozenset({"Cc", "Co", "Cs", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def plain_name(value: str) -> str:
    """``value`` when it is a name that displays as what it is; ValueError otherwise (the message names
    the problem, never the value). Display names and organisation names (the ops CLI) use it."""
    if any(ch in _BIDI_CONTROLS or unicodedata.category(ch) in _NAME_CATEGORIES for ch in value):
        raise ValueError("a name must not contain control, private-use or text-direction characters")
    return value


DisplayName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True), AfterValidator(plain_name)
]
Password = Annotated[str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=1024)]
TotpCode = Annotated[str, StringConstraints(min_length=1, max_length=16)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Role = Literal["counsellor", "admin"]
Language = Literal["nl", "en"]


# NUL (PostgreSQL cannot store it in text) and lone UTF-16 surrogates (not encodable as UTF-8, so neither
# database driver can store them; Python's JSON parser lets ``"\ud800"`` through).
_FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def _has_forbidden_character(value: object) -> bool:
    if isinstance(value, str):
        return _FORBIDDEN_CHARACTERS.search(value) is not None
    if isinstance(value, dict):
        return any(_has_forbidden_character(k) or _has_forbidden_character(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_forbidden_character(v) for v in value)
    return False


class Strict(BaseModel):
    """The one base of every request body (counsellor, device and public routes): unknown fields are
    refused, and so is any text holding NUL or a lone surrogate, the same on SQLite and PostgreSQL
    (a 400 ``bad_request`` naming the field with ``forbidden_character``)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_forbidden_characters(cls, value: Any) -> Any:
        if _has_forbidden_character(value):
            raise PydanticCustomError(
                "forbidden_character", "text must not contain NUL or lone surrogate characters"
            )
        return value


class DeviceBundle(Strict):
    device_id: uuid.UUID
    enc_pk: Key32
    sign_pk: Key32
    identity_sig: Sig64
    self_sig: Sig64

    def entry(self) -> DeviceEntry:
        return DeviceEntry(
            device_id=self.device_id,
            enc_pk=b64d(self.enc_pk),
            sign_pk=b64d(self.sign_pk),
            identity_sig=b64d(self.identity_sig),
            self_sig=b64d(self.self_sig),
        )

    @classmethod
    def of(
        cls, device_id: uuid.UUID, enc_pk: bytes, sign_pk: bytes, identity_sig: bytes, self_sig: bytes
    ) -> DeviceBundle:
        return cls(
            device_id=device_id,
            enc_pk=b64e(enc_pk),
            sign_pk=b64e(sign_pk),
            identity_sig=b64e(identity_sig),
            self_sig=b64e(self_sig),
        )


class SignedRosterBody(Strict):
    body: Annotated[str, _b64_of(None, max_length=60 * 1024)]
    sig: Sig64


class IntroText(Strict):
    """A short introduction per language (as the counsellor wrote it)."""

    nl: str | None = Field(default=None, min_length=1, max_length=600)
    en: str | None = Field(default=None, min_length=1, max_length=600)


class AvailabilityText(Strict):
    """An availability note per language, e.g. "afwezig tot 12 januari"."""

    nl: str | None = Field(default=None, min_length=1, max_length=200)
    en: str | None = Field(default=None, min_length=1, max_length=200)


class Presentation(Strict):
    """How a counsellor presents themselves to reporters; the org admin signs it into the next roster
    (docs/protocol.md §8). Every field optional; the relay only stores it."""

    role: str | None = Field(default=None, min_length=1, max_length=40)
    intro: IntroText = Field(default_factory=IntroText)
    availability: AvailabilityText = Field(default_factory=AvailabilityText)


class CounsellorOut(BaseModel):
    counsellor_id: uuid.UUID
    org_id: uuid.UUID
    username: str
    display_name: str
    role: Role
    identity_key: str | None
    devices: list[DeviceBundle]  # the registered devices a roster may list: never a dropped one
    presentation: Presentation | None = None


class LoginResult(BaseModel):
    token: str
    expires_at: int
    counsellor: CounsellorOut


class EnrolmentStart(Strict):
    invitation: Token
    username: Username
    display_name: DisplayName
    password: Password


class EnrolmentStarted(BaseModel):
    enrolment_token: str
    totp_secret: str
    totp_uri: str
    counsellor_id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    org_key: str | None
    expires_at: int


class EnrolmentFinish(Strict):
    enrolment_token: Token
    totp_code: TotpCode
    identity_key: Key32
    device: DeviceBundle
    org_key: Key32 | None = None
    roster: SignedRosterBody | None = None


class LoginRequest(Strict):
    """``device_id`` and ``device_sig`` (the device's ``opg/login/v1`` signature over username, code and
    device id, docs/api.md) together bind the session to this computer's device; without them the
    session is bound to none and may only register a device (a further computer)."""

    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    totp_code: TotpCode
    device_id: uuid.UUID | None = None
    device_sig: Sig64 | None = None

    @model_validator(mode="after")
    def _device_with_signature(self) -> LoginRequest:
        if (self.device_id is None) != (self.device_sig is None):
            raise PydanticCustomError("device_sig", "device_id and device_sig are sent together")
        return self


class SessionOut(BaseModel):
    id: uuid.UUID
    created_at: int
    last_used_at: int
    current: bool
    device_id: uuid.UUID | None = None  # the computer it was opened on (None: none registered yet)


class SessionList(BaseModel):
    sessions: list[SessionOut]


class OrgKeyLink(BaseModel):
    """One org key change: ``certificate`` = ``old_key``'s ``opg/orgkey/v1`` signature over ``new_key``."""

    old_key: str
    new_key: str
    certificate: str


class OrgOut(BaseModel):
    org_id: uuid.UUID
    name: str
    org_key: str | None
    org_key_chain: list[OrgKeyLink]
    roster: SignedRosterBody | None
    counsellors: list[CounsellorOut]


class OrgKeyChange(Strict):
    org_key: Key32
    certificate: Sig64 | None = None


class InvitationRequest(Strict):
    role: Role = "counsellor"


class InvitationOut(BaseModel):
    invitation: str
    expires_at: int


class CodeRequest(Strict):
    label: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class CodeOut(BaseModel):
    code: str
    label: str
    created_at: int
    revoked_at: int | None
    qr_payload: str | None


class CodeList(BaseModel):
    codes: list[CodeOut]


class JoinOut(BaseModel):
    org_id: uuid.UUID
    org_name: str
    org_key: str | None
    org_key_chain: list[OrgKeyLink]
    roster: SignedRosterBody | None


class ArticleIn(Strict):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    language: Language
    published: bool = False


class ArticleOut(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    language: Language
    published: bool
    created_at: int
    updated_at: int


class PublicArticle(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    language: Language
    updated_at: int


class ArticleList(BaseModel):
    articles: list[ArticleOut]


class PublicArticleList(BaseModel):
    articles: list[PublicArticle]


# --- Reporter devices, messaging, usage events, feedback ---------------------------------------------

# 1 MiB body limit: an envelope's base64 text stays below it.
MAX_ENVELOPE_B64 = 1024 * 1024


class EnvelopeIn(Strict):
    envelope: str = Field(min_length=4, max_length=MAX_ENVELOPE_B64)


# The OpenAPI request body of a route that parses ``EnvelopeIn`` itself (``parse_body``).
ENVELOPE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvelopeIn"}}},
    }
}

M = TypeVar("M", bound=BaseModel)


def parse_body(model: type[M], raw: bytes) -> M:
    """A JSON body validated like FastAPI does (the same 400 ``bad_request`` naming the fields)."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in exc.errors(include_input=False)]
        raise RequestValidationError(errors) from None


def b64_field(value: str, name: str, length: int | None = None) -> bytes:
    """Strict standard base64 (docs/api.md); a clear 400 naming the field otherwise."""
    try:
        raw = b64d(value)
    except ProtocolError:
        raise bad_request(f"{name}: not standard base64 with padding") from None
    if length is not None and len(raw) != length:
        raise bad_request(f"{name}: must be {length} bytes")
    return raw


class StoredOut(BaseModel):
    conv_id: uuid.UUID
    msg_id: uuid.UUID
    seq: int
    cursor: int
    stored_at: int
    expires_at: int


class BlobStoredOut(BaseModel):
    """An uploaded file blob (docs/api.md "File blobs")."""

    blob_id: uuid.UUID
    size: int
    expires_at: int


BLOB_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
BLOB_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the blob's bytes",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class MessageOut(BaseModel):
    seq: int
    cursor: int
    msg_id: uuid.UUID
    envelope: str
    stored_at: int
    expires_at: int
    channel: str


class RegisterIn(Strict):
    org_code: str = Field(min_length=1, max_length=32)
    device_id: uuid.UUID
    enc_pk: str = Field(max_length=64)
    sign_pk: str = Field(max_length=64)
    proof: str = Field(max_length=128)


class RegisteredOut(Strict):
    device_id: uuid.UUID
    org_id: uuid.UUID


class WrapIn(Strict):
    conv_id: uuid.UUID
    msg_id: uuid.UUID
    key_id: str = Field(max_length=16)
    wrap: str = Field(max_length=200)
    record: str = Field(max_length=400)


class WrapsIn(Strict):
    wraps: list[WrapIn] = Field(min_length=1, max_length=1000)


EventKind = Literal["screen", "topic", "article", "device_type", "screen_size", "app_version", "error"]


class EventIn(Strict):
    kind: EventKind
    item: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/ -]+$")
    count: int = Field(ge=1, le=100)


class EventsIn(Strict):
    org_code: str = Field(min_length=1, max_length=32)
    events: list[EventIn] = Field(min_length=1, max_length=100)


class FeedbackIn(Strict):
    text: str = Field(min_length=1, max_length=5000)
    org_code: str | None = Field(default=None, max_length=32)
    device_id: uuid.UUID | None = None
    session_code: str | None = Field(default=None, max_length=64)
    app_version: str | None = Field(default=None, max_length=32)


# --- Rows → bodies -----------------------------------------------------------------------------------


def counsellor_out(counsellor: Counsellor) -> CounsellorOut:
    return CounsellorOut(
        counsellor_id=counsellor.id,
        org_id=counsellor.org_id,
        username=counsellor.username,
        display_name=counsellor.display_name,
        role=counsellor.role,  # type: ignore[arg-type]
        identity_key=b64e(counsellor.identity_key) if counsellor.identity_key else None,
        devices=[
            DeviceBundle.of(d.device_id, d.enc_pk, d.sign_pk, d.identity_sig, d.self_sig)
            for d in counsellor.devices
            if d.dropped_at is None  # so the admin's next roster (built from this list) leaves it out
        ],
        presentation=(
            Presentation.model_validate_json(counsellor.presentation) if counsellor.presentation else None
        ),
    )


def roster_out(roster: Roster | None) -> SignedRosterBody | None:
    return None if roster is None else SignedRosterBody(body=b64e(roster.body), sig=b64e(roster.sig))


def code_qr_payload(code: OrgCode, org: Org, settings: Settings) -> str | None:
    """The join QR text (relay URL, code, org key fingerprint), or None while the org has no key."""
    if org.org_key is None or code.revoked_at is not None:
        return None
    return qr_payload(settings.public_url, code.code, org.org_key)


def code_out(code: OrgCode, org: Org, settings: Settings) -> CodeOut:
    return CodeOut(
        code=code.code,
        label=code.label,
        created_at=unix(code.created_at),
        revoked_at=unix(code.revoked_at) if code.revoked_at else None,
        qr_payload=code_qr_payload(code, org, settings),
    )


def article_out(article: Article) -> ArticleOut:
    return ArticleOut(
        id=article.id,
        title=article.title,
        body=article.body,
        language=article.language,  # type: ignore[arg-type]
        published=article.published,
        created_at=unix(article.created_at),
        updated_at=unix(article.updated_at),
    )


def public_article(article: Article) -> PublicArticle:
    return PublicArticle(
        id=article.id,
        title=article.title,
        body=article.body,
        language=article.language,  # type: ignore[arg-type]
        updated_at=unix(article.updated_at),
    )


def stored_json(message: Message) -> dict[str, Any]:
    """The ``StoredOut`` shape of a stored message."""
    return {
        "conv_id": str(message.conv_id),
        "msg_id": str(message.msg_id),
        "seq": message.seq,
        "cursor": message.cursor,
        "stored_at": unix(message.stored_at),
        "expires_at": unix(message.expires_at),
    }


def message_json(message: Message | Row[Any], *, with_conv: bool = False) -> dict[str, Any]:
    """The API's ``Message`` object from an ORM row or a Core row of ``messages``."""
    out: dict[str, Any] = {
        "seq": message.seq,
        "cursor": message.cursor,
        "msg_id": str(message.msg_id),
        "envelope": b64e(message.envelope),
        "stored_at": unix(message.stored_at),
        "expires_at": unix(message.expires_at),
        "channel": message.channel,
    }
    if with_conv:
        out["conv_id"] = str(message.conv_id)
    return out


def wrap_json(wrap: ExtraWrap, conv_id: uuid.UUID, msg_id: uuid.UUID) -> dict[str, str]:
    return {
        "conv_id": str(conv_id),
        "msg_id": str(msg_id),
        "key_id": b64e(wrap.key_id),
        "wrap": b64e(wrap.wrap),
        "record": b64e(wrap.record),
    }


def feedback_json(row: Feedback) -> dict[str, Any]:
    """A feedback item in the device's export."""
    return {
        "id": str(row.id),
        "created_at": unix(row.created_at),
        "text": row.text,
        "org_code": row.org_code,
        "session_code": row.session_code,
        "app_version": row.app_version,
    }


def device_json(device: Device) -> dict[str, str | int]:
    return {
        "device_id": str(device.device_id),
        "org_id": str(device.org_id),
        "created_at": unix(device.created_at),
        "enc_pk": b64e(device.enc_pk),
        "sign_pk": b64e(device.sign_pk),
    }


def inbox_conversation_json(conv: Conversation, retention_end: int, org_code: str) -> dict[str, Any]:
    """A conversation as the counsellors' list shows it (``retention_end``: when it expires; ``org_code``:
    the code its reporter device registered under)."""
    return {
        "conv_id": str(conv.conv_id),
        "created_at": unix(conv.created_at),
        "last_activity": unix(conv.last_activity),
        "last_seq": conv.last_seq,
        "expires_at": retention_end,
        "org_code": org_code,
    }


def device_conversation_json(conv: Conversation) -> dict[str, Any]:
    return {"conv_id": str(conv.conv_id), "created_at": unix(conv.created_at), "last_seq": conv.last_seq}


# -- case register (docs/case-register.md): opaque blobs only ------------------------------------------
RecordId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
RegisterBlob = Annotated[str, _b64_of(None, max_length=(4096 * 4) // 3 + 4)]
WrapBlob = Annotated[str, _b64_of(None, max_length=(1024 * 4) // 3 + 4)]


class RegisterSettingsBody(Strict):
    retention_days: int = Field(ge=31, le=3650)


class RegisterSettingsOut(BaseModel):
    retention_days: int


class RegisterRecordBody(Strict):
    version: int = Field(ge=1, le=2**31 - 1)
    blob: RegisterBlob


class RegisterRecordOut(BaseModel):
    record_id: str
    version: int
    blob: str
    updated_at: int


class RegisterRecordList(BaseModel):
    records: list[RegisterRecordOut]
    more: bool


class RegisterKeyWrapBody(Strict):
    device_id: uuid.UUID
    blob: WrapBlob


class RegisterKeyWrapOut(BaseModel):
    device_id: uuid.UUID
    sign_pk: str
    blob: str


class RegisterKeyWrapList(BaseModel):
    wraps: list[RegisterKeyWrapOut]
