"""Request and response bodies of the counsellor-side API (docs/api.md), with strict validation."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from opgelucht_desk.protocol.encoding import b64d, b64e
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.roster import DeviceEntry
from server.auth.passwords import MIN_PASSWORD_LENGTH


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
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
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


class CounsellorOut(BaseModel):
    counsellor_id: uuid.UUID
    org_id: uuid.UUID
    username: str
    display_name: str
    role: Role
    identity_key: str | None
    devices: list[DeviceBundle]


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
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    totp_code: TotpCode


class SessionOut(BaseModel):
    id: uuid.UUID
    created_at: int
    last_used_at: int
    current: bool


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
