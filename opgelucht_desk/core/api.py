"""Typed async client of the relay's counsellor API (docs/api.md), on ``httpx.AsyncClient``.

TLS verification is always on (a custom CA bundle may be given); every call has a time-out; idempotent
calls (GETs, and message posts, which are idempotent by their client-chosen msg_id) are retried with
exponential back-off; relay errors become the typed errors of :mod:`opgelucht_desk.core.errors`.
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Required, TypedDict

import httpx

from opgelucht_desk.core.errors import (
    AuthExpiredError,
    ConflictError,
    DeviceRefusedError,
    ForbiddenError,
    GoneError,
    InvalidCredentialsError,
    LockedOutError,
    NotFoundError,
    OfflineError,
    ServerError,
    UntrustedCertificateError,
)
from opgelucht_desk.protocol.encoding import b64e
from opgelucht_desk.protocol.request_auth import sign_login

JSON = dict[str, Any]


class StoredResult(TypedDict):
    conv_id: str
    msg_id: str
    seq: int
    cursor: int
    stored_at: int
    expires_at: int


class SyncMessage(TypedDict):
    conv_id: str
    seq: int
    cursor: int
    msg_id: str
    envelope: str
    stored_at: int
    expires_at: int
    channel: str


class SyncWrap(TypedDict):
    conv_id: str
    msg_id: str
    key_id: str
    wrap: str
    record: str


class SyncPage(TypedDict):
    messages: list[SyncMessage]
    wraps: list[SyncWrap]
    cursor: int
    more: bool


class LiveConversation(TypedDict, total=False):
    conv_id: Required[str]
    created_at: Required[int]
    last_activity: Required[int]
    last_seq: Required[int]
    expires_at: Required[int]
    org_code: str  # the code the reporter registered under (relays before the case register: absent)


@dataclass(frozen=True)
class ChangeEvent:
    """One content-free live event: conversation ``conv_id`` changed at ``cursor``."""

    conv_id: str
    seq: int
    cursor: int


_RETRYABLE_STATUS = {502, 503, 504}
RELAY_KEEPALIVE = 15.0  # seconds between the relay's ": keep-alive" comments on the live stream
# The live stream: a silence of two keep-alives (plus slack) is a dead connection; connecting to the relay
# takes well under a second, so a stream that cannot connect in 5 s will not.
EVENTS_TIMEOUT = httpx.Timeout(15.0, connect=5.0, read=2 * RELAY_KEEPALIVE + 5.0)


class RelayUnreachableError(OfflineError):
    """Nothing answered at the relay's address: the connection was refused, reset or timed out before
    any response, or a gateway in front of the relay said it is down (502, 503, 504). The sync engine
    shows this at once as offline (no retries first)."""


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    code, message = "http_error", ""
    try:
        err = response.json()["error"]
        code, message = str(err["code"]), str(err["message"])
    except (ValueError, KeyError, TypeError):
        pass
    status = response.status_code
    if status == 401 and code == "invalid_credentials":
        raise InvalidCredentialsError("Wrong user name, password or code.")
    if code in ("device_removed", "device_unknown") and status in (401, 403):
        kind = "removed" if code == "device_removed" else "unknown"
        raise DeviceRefusedError(kind, message or code)
    if status == 401:
        raise AuthExpiredError("Your session has ended; log in again.")
    if status == 429:
        try:
            retry_after = int(response.headers.get("Retry-After", "30"))
        except ValueError:
            retry_after = 30
        raise LockedOutError(retry_after)
    cls: type[ServerError] = {
        403: ForbiddenError,
        404: NotFoundError,
        409: ConflictError,
        410: GoneError,
    }.get(status, ServerError)
    raise cls(status, code, message)


class RelayClient:
    """One relay, one (optional) session token."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        ca_bundle: Path | None = None,
        timeout: float = 15.0,
        retries: int = 4,
        backoff: float = 0.25,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        verify: ssl.SSLContext | bool = True
        if ca_bundle is not None:
            verify = ssl.create_default_context(cafile=str(ca_bundle))
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._retries = retries
        self._backoff = backoff
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            verify=verify,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _headers(self, auth: bool) -> dict[str, str]:
        if not auth:
            return {}
        if self.token is None:
            raise AuthExpiredError("Not logged in.")
        return {"Authorization": f"Bearer {self.token}"}

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        auth: bool = True,
        idempotent: bool = False,
    ) -> Any:
        attempts = self._retries + 1 if idempotent else 1
        for attempt in range(attempts):
            try:
                response = await self._client.request(
                    method, path, json=body, params=params, headers=self._headers(auth)
                )
            except httpx.TransportError as exc:
                if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                    raise UntrustedCertificateError(
                        "The relay's TLS certificate is not trusted: check the relay address, or the CA "
                        "bundle your IT department configured."
                    ) from None
                if attempt + 1 >= attempts:
                    raise OfflineError(f"The relay cannot be reached ({type(exc).__name__}).") from None
            else:
                if response.status_code in _RETRYABLE_STATUS and attempt + 1 < attempts:
                    pass
                else:
                    _raise_for(response)
                    if response.status_code == 204 or not response.content:
                        return None
                    try:
                        return response.json()
                    except ValueError:
                        raise ServerError(response.status_code, "bad_response", "not JSON") from None
            await asyncio.sleep(self._backoff * (2**attempt) * (0.5 + random.random()))  # noqa: S311
        raise OfflineError("The relay cannot be reached.")  # pragma: no cover - loop always returns/raises

    # -- enrolment and sessions ----------------------------------------------------------------------
    async def enrolment_start(self, invitation: str, username: str, display_name: str, password: str) -> JSON:
        body = {
            "invitation": invitation,
            "username": username,
            "display_name": display_name,
            "password": password,
        }
        result: JSON = await self._call("POST", "/v1/enrolment/start", body=body, auth=False)
        return result

    async def enrolment_finish(self, body: Mapping[str, Any]) -> JSON:
        result: JSON = await self._call("POST", "/v1/enrolment/finish", body=body, auth=False)
        return result

    async def login(
        self,
        username: str,
        password: str,
        totp_code: str,
        device: tuple[uuid.UUID, bytes] | None = None,
    ) -> JSON:
        """A new session; ``device`` (this computer's device id and signing seed) binds it to the
        device with an ``opg/login/v1`` signature over username, code and device id. Without it the
        session may only register a device (a further computer, :meth:`add_device`)."""
        body: dict[str, Any] = {"username": username, "password": password, "totp_code": totp_code}
        if device is not None:
            device_id, sign_seed = device
            body["device_id"] = str(device_id)
            body["device_sig"] = b64e(sign_login(username, totp_code, device_id, sign_seed))
        result: JSON = await self._call("POST", "/v1/auth/login", body=body, auth=False)
        return result

    async def logout(self) -> None:
        await self._call("POST", "/v1/auth/logout")

    async def sessions(self) -> list[JSON]:
        result: list[JSON] = (await self._call("GET", "/v1/auth/sessions", idempotent=True))["sessions"]
        return result

    async def delete_session(self, session_id: str) -> None:
        await self._call("DELETE", f"/v1/auth/sessions/{session_id}")

    async def add_device(self, bundle: Mapping[str, Any]) -> None:
        await self._call("POST", "/v1/me/devices", body=bundle)

    # -- organisation --------------------------------------------------------------------------------
    async def org(self) -> JSON:
        result: JSON = await self._call("GET", "/v1/org", idempotent=True)
        return result

    async def me(self) -> JSON:
        result: JSON = await self._call("GET", "/v1/me", idempotent=True)
        return result

    async def put_presentation(self, presentation: Mapping[str, Any]) -> JSON:
        result: JSON = await self._call("PUT", "/v1/me/presentation", body=presentation, idempotent=True)
        return result

    async def put_roster(self, signed_roster: Mapping[str, Any]) -> None:
        await self._call("PUT", "/v1/org/roster", body=signed_roster)

    async def create_invitation(self, role: str) -> JSON:
        result: JSON = await self._call("POST", "/v1/org/invitations", body={"role": role})
        return result

    async def remove_counsellor(self, counsellor_id: str) -> None:
        await self._call("DELETE", f"/v1/org/counsellors/{counsellor_id}")

    # -- case register (docs/case-register.md): opaque blobs ------------------------------------------
    async def register_settings(self) -> JSON:
        result: JSON = await self._call("GET", "/v1/register/settings", idempotent=True)
        return result

    async def set_register_settings(self, retention_days: int) -> JSON:
        body = {"retention_days": retention_days}
        result: JSON = await self._call("PUT", "/v1/register/settings", body=body, idempotent=True)
        return result

    async def register_records(self, after: str = "") -> JSON:
        params: dict[str, str | int] = {"after": after} if after else {}
        result: JSON = await self._call("GET", "/v1/register/records", params=params, idempotent=True)
        return result

    async def register_record(self, record_id: str) -> JSON:
        result: JSON = await self._call("GET", f"/v1/register/records/{record_id}", idempotent=True)
        return result

    async def put_register_record(self, record_id: str, version: int, blob: str) -> JSON:
        """Version ``version`` of a record; ConflictError when another version exists (re-read, merge)."""
        body = {"version": version, "blob": blob}
        result: JSON = await self._call("PUT", f"/v1/register/records/{record_id}", body=body)
        return result

    async def register_key_wraps(self) -> list[JSON]:
        result: list[JSON] = (await self._call("GET", "/v1/register/keys", idempotent=True))["wraps"]
        return result

    async def post_register_key_wrap(self, device_id: str, blob: str) -> JSON:
        body = {"device_id": device_id, "blob": blob}
        result: JSON = await self._call("POST", "/v1/register/keys", body=body, idempotent=True)
        return result

    async def codes(self) -> list[JSON]:
        result: list[JSON] = (await self._call("GET", "/v1/org/codes", idempotent=True))["codes"]
        return result

    async def create_code(self, label: str) -> JSON:
        result: JSON = await self._call("POST", "/v1/org/codes", body={"label": label})
        return result

    async def revoke_code(self, code: str) -> None:
        await self._call("DELETE", f"/v1/org/codes/{code}")

    async def articles(self) -> list[JSON]:
        result: list[JSON] = (await self._call("GET", "/v1/org/articles", idempotent=True))["articles"]
        return result

    async def create_article(self, article: Mapping[str, Any]) -> JSON:
        result: JSON = await self._call("POST", "/v1/org/articles", body=article)
        return result

    async def update_article(self, article_id: str, article: Mapping[str, Any]) -> JSON | None:
        result: JSON | None = await self._call("PUT", f"/v1/org/articles/{article_id}", body=article)
        return result

    async def delete_article(self, article_id: str) -> None:
        await self._call("DELETE", f"/v1/org/articles/{article_id}")

    async def stats(self, period: str) -> JSON:
        result: JSON = await self._call("GET", "/v1/stats", params={"period": period}, idempotent=True)
        return result

    # -- inbox ---------------------------------------------------------------------------------------
    async def inbox_sync(self, after: int, limit: int = 500) -> SyncPage:
        result: SyncPage = await self._call(
            "GET", "/v1/inbox/sync", params={"after": after, "limit": limit}, idempotent=True
        )
        return result

    async def inbox_conversations(self) -> list[LiveConversation]:
        result: list[LiveConversation] = (
            await self._call("GET", "/v1/inbox/conversations", idempotent=True)
        )["conversations"]
        return result

    async def post_message(self, conv_id: str, envelope: str) -> StoredResult:
        """A reply on the chat channel; idempotent by the envelope's msg_id, so it is retried."""
        result: StoredResult = await self._call(
            "POST",
            f"/v1/inbox/conversations/{conv_id}/messages",
            body={"envelope": envelope},
            idempotent=True,
        )
        return result

    async def post_note(self, conv_id: str, envelope: str) -> StoredResult:
        """A staff-channel message (note, status, category); idempotent by msg_id."""
        result: StoredResult = await self._call(
            "POST", f"/v1/inbox/conversations/{conv_id}/notes", body={"envelope": envelope}, idempotent=True
        )
        return result

    async def put_blob(self, conv_id: str, blob_id: str, blob: bytes) -> None:
        """Upload an encrypted file blob; idempotent by blob id (same bytes: 200), so it is retried."""
        await self._raw("PUT", f"/v1/inbox/conversations/{conv_id}/blobs/{blob_id}", blob)

    async def get_blob(self, conv_id: str, blob_id: str) -> bytes:
        """Download an encrypted file blob."""
        return await self._raw("GET", f"/v1/inbox/conversations/{conv_id}/blobs/{blob_id}", None)

    async def _raw(self, method: str, path: str, content: bytes | None) -> bytes:
        headers = self._headers(True)
        if content is not None:
            headers["Content-Type"] = "application/octet-stream"
        attempts = self._retries + 1
        for attempt in range(attempts):
            try:
                response = await self._client.request(method, path, content=content, headers=headers)
            except httpx.TransportError as exc:
                if attempt + 1 >= attempts:
                    raise OfflineError(f"The relay cannot be reached ({type(exc).__name__}).") from None
            else:
                if response.status_code not in _RETRYABLE_STATUS or attempt + 1 >= attempts:
                    _raise_for(response)
                    return response.content
            await asyncio.sleep(self._backoff * (2**attempt) * (0.5 + random.random()))  # noqa: S311
        raise OfflineError("The relay cannot be reached.")  # pragma: no cover - loop always returns/raises

    async def post_wraps(self, wraps: Sequence[Mapping[str, str]]) -> None:
        await self._call("POST", "/v1/inbox/wraps", body={"wraps": wraps}, idempotent=True)

    async def events(self) -> AsyncIterator[ChangeEvent | None]:
        """Server-Sent Events of the inbox. Yields None when the subscription is active (``: ready``)
        or the relay asks for a resync, and one :class:`ChangeEvent` per change; raises OfflineError
        when the stream breaks or ends, RelayUnreachableError when it cannot even be opened."""
        answered = False
        try:
            async with self._client.stream(
                "GET", "/v1/inbox/events", headers=self._headers(True), timeout=EVENTS_TIMEOUT
            ) as response:
                answered = True
                if response.status_code in _RETRYABLE_STATUS:
                    raise RelayUnreachableError(f"The relay is down (HTTP {response.status_code}).")
                if response.status_code >= 400:
                    await response.aread()
                    _raise_for(response)
                event, data = "", ""
                async for line in response.aiter_lines():
                    if line.startswith(":"):
                        if line[1:].strip() == "ready":  # the subscription is active
                            yield None
                        continue
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip()
                    elif line == "":
                        if event == "change" and data:
                            parsed = _parse_change(data)
                            if parsed is not None:
                                yield parsed
                        elif event == "resync":  # we fell behind: sync by cursor
                            yield None
                        event, data = "", ""
        except httpx.TransportError as exc:
            if not answered:
                raise RelayUnreachableError(f"The relay cannot be reached ({type(exc).__name__}).") from None
            raise OfflineError(f"The live connection broke ({type(exc).__name__}).") from None
        raise OfflineError("The live connection was closed by the relay.")


def _parse_change(data: str) -> ChangeEvent | None:
    try:
        raw = json.loads(data)
        return ChangeEvent(conv_id=str(raw["conv_id"]), seq=int(raw["seq"]), cursor=int(raw["cursor"]))
    except (ValueError, KeyError, TypeError):
        return None


__all__ = [
    "ChangeEvent",
    "LiveConversation",
    "RelayClient",
    "RelayUnreachableError",
    "StoredResult",
    "SyncMessage",
    "SyncPage",
    "SyncWrap",
]
