"""Lean endpoints of the hot paths (issue 12): the device's message post, the counsellor's reply and note,
and ``POST /v1/events`` as plain handlers answered at the very top of the ASGI stack, before the FastAPI
routes of the same paths (``LEAN_ROUTES``, served by :class:`LeanRoutes` from opgelucht_relay/app.py's
``RelayApp``). No per-request dependency solving: each
reads the body, checks auth and validates path and body itself, in FastAPI's order and with FastAPI's
rules (:func:`json_body`, :func:`body_model`, :func:`path_uuid`), so answers and error JSON are those of
the FastAPI routes. The FastAPI routes (routes/device.py, inbox.py, events.py) stay for the OpenAPI
document (a plain Starlette route is not in it) and call the same services."""

from __future__ import annotations

import email.message
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from opgelucht_relay.context import AppContext
from opgelucht_relay.deps import client_address, request_target
from opgelucht_relay.errors import log_unexpected, unauthenticated, unexpected_response
from opgelucht_relay.limits import LARGE_BODY_PATHS, declared_length_refusal
from opgelucht_relay.models.messaging import CHANNEL_CHAT, CHANNEL_STAFF
from opgelucht_relay.schemas import EnvelopeIn, EventsIn, b64_field
from opgelucht_relay.services import hot_paths
from opgelucht_relay.services.live_events import broker_for

M = TypeVar("M", bound=BaseModel)
Answer = tuple[int, Any]
"""A lean endpoint's answer: the status and the JSON content (what its FastAPI route returns)."""
UNDEFINED: Any = object()  # no body (FastAPI: "field required")
_UUID = TypeAdapter(uuid.UUID)
_ADAPTERS: dict[type[BaseModel], TypeAdapter[Any]] = {}


def json_body(request: Request, raw: bytes) -> Any:
    """The body as FastAPI reads it for a JSON body parameter: parsed when the content type is JSON,
    the raw bytes otherwise (the model then refuses them), UNDEFINED when empty; invalid JSON is the
    400 ``body is not valid JSON``, undecodable bytes or JSON nested too deep to parse a plain 400 (as
    FastAPI answers a body it cannot parse)."""
    if not raw:
        return UNDEFINED
    content_type = request.headers.get("content-type")
    if not content_type:
        return raw  # FastAPI's strict content type: no content type, no JSON
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    is_json = subtype == "json" or subtype.endswith("+json")
    if message.get_content_maintype() != "application" or not is_json:
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error", "input": {}}
        raise RequestValidationError([error]) from None
    except (ValueError, RecursionError):  # not UTF-8/16/32, or nested deeper than the parser goes
        raise HTTPException(400) from None


def _errors(exc: ValidationError, prefix: tuple[str, ...]) -> list[dict[str, Any]]:
    errors = exc.errors(include_url=False, include_input=False)
    return [{**err, "loc": (*prefix, *err["loc"])} for err in errors]


def body_model(model: type[M], body: Any, errors: list[dict[str, Any]] | None = None) -> M:
    """Validate like FastAPI (python mode, from attributes); path ``errors`` found before come first."""
    found = list(errors or [])
    value: M | None = None
    if body is UNDEFINED:
        found.append({"type": "missing", "loc": ("body",), "msg": "Field required", "input": None})
    else:
        adapter = _ADAPTERS.get(model) or _ADAPTERS.setdefault(model, TypeAdapter(model))
        try:
            value = adapter.validate_python(body, from_attributes=True)
        except ValidationError as exc:
            found.extend(_errors(exc, ("body",)))
    if found:
        raise RequestValidationError(found)
    assert value is not None
    return value


def path_uuid(request: Request, name: str) -> tuple[uuid.UUID | None, list[dict[str, Any]]]:
    try:
        return _UUID.validate_python(request.path_params[name], from_attributes=True), []
    except ValidationError as exc:
        return None, _errors(exc, ("path", name))


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def device_post(request: Request) -> Answer:
    """``POST /v1/device/conversations/{conv_id}/messages`` (routes/device.py documents it)."""
    ctx = _ctx(request)
    raw = await request.body()
    now = ctx.clock.now()
    headers = hot_paths.signed_headers(request.scope["headers"])
    key, nonce = await hot_paths.verify(ctx, headers, "POST", request_target(request), raw, now)
    conv_id, errors = path_uuid(request, "conv_id")
    if conv_id is None:
        raise RequestValidationError(errors)
    stored, status = await hot_paths.device_post(ctx, broker_for(request), key, nonce, now, conv_id, raw)
    return status, stored


async def _counsellor_post(request: Request, channel: str) -> Answer:
    ctx = _ctx(request)
    body = json_body(request, await request.body())  # FastAPI reads the body before any dependency
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    if scheme.lower() != "bearer" or not token or len(token) > 100:
        raise unauthenticated()

    def checked() -> tuple[uuid.UUID, bytes]:
        """Path and body (after the session: hot_paths answers 401 before these errors)."""
        conv_id, errors = path_uuid(request, "conv_id")
        envelope_in = body_model(EnvelopeIn, body, errors)
        assert conv_id is not None
        return conv_id, b64_field(envelope_in.envelope, "envelope")

    broker = broker_for(request)
    stored = await hot_paths.counsellor_post_with_token(ctx, broker, token, checked, channel)
    return 201, stored


async def inbox_reply(request: Request) -> Answer:
    """``POST /v1/inbox/conversations/{conv_id}/messages`` (routes/inbox.py documents it)."""
    return await _counsellor_post(request, CHANNEL_CHAT)


async def inbox_note(request: Request) -> Answer:
    """``POST /v1/inbox/conversations/{conv_id}/notes`` (routes/inbox.py documents it)."""
    return await _counsellor_post(request, CHANNEL_STAFF)


async def usage_events(request: Request) -> Answer:
    """``POST /v1/events`` (routes/events.py documents it): the per-address budget before anything."""
    ctx = _ctx(request)
    hot_paths.address_limit(ctx, client_address(request))
    raw = await request.body()
    body = json_body(request, raw)
    now = ctx.clock.now()
    headers = hot_paths.signed_headers(request.scope["headers"])
    key, nonce = await hot_paths.verify(ctx, headers, "POST", request_target(request), raw, now)
    events = body_model(EventsIn, body)
    accepted = await hot_paths.usage_events(ctx, key, nonce, now, events)
    return 202, {"accepted": accepted}


async def _served_at_the_top(_request: Request) -> Response:
    """The router never reaches these paths' POSTs: :class:`LeanRoutes` answers them first."""
    raise RuntimeError("a lean route reached the router")


class LeanRoute:
    """One lean route: its Starlette ``Route`` (the match, the path parameters and, as ``scope["route"]``,
    the template the access log and the request counter name), its endpoint, and whether its body may
    be a message's (``LARGE_BODY_PATHS`` of opgelucht_relay/limits.py) or has the default limit."""

    __slots__ = ("endpoint", "large_body", "route")

    def __init__(self, path: str, endpoint: Callable[[Request], Awaitable[Answer]]) -> None:
        self.route = Route(path, _served_at_the_top, methods=["POST"])
        self.endpoint = endpoint
        self.large_body = LARGE_BODY_PATHS.match(path.replace("{conv_id}", "c")) is not None


LEAN_ROUTES = (
    LeanRoute("/v1/device/conversations/{conv_id}/messages", device_post),
    LeanRoute("/v1/inbox/conversations/{conv_id}/messages", inbox_reply),
    LeanRoute("/v1/inbox/conversations/{conv_id}/notes", inbox_note),
    LeanRoute("/v1/events", usage_events),
)
_LEAN_PREFIXES = ("/v1/device/conversations/", "/v1/inbox/conversations/", "/v1/events")
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode
"""Starlette's ``JSONResponse.render`` with one encoder built once (the same bytes)."""

RecordRequest = Callable[[str, str, int, float], None]
"""The access log and request counter of one request: method, route template, status, start time."""


class LeanRoutes:
    """Serves ``LEAN_ROUTES`` at the very top of the ASGI stack (issue 12; opgelucht_relay/app.py's
    ``RelayApp`` calls it before FastAPI's middleware stack): a POST whose path matches one is answered
    here, everything else (other methods, other paths, other scope types) goes to the app unchanged.

    What the stack does for every route is done here for these, in one place: the route's match and
    path parameters (``Route.matches``; ``scope["route"]`` as the router sets it), the access log line
    and request counter (``record``: the same function as opgelucht_relay/app.py's
    ``AccessLogMiddleware``, same labels and fields), the body limit (opgelucht_relay/limits.py's
    rules: a declared length over the limit or invalid is answered before the route is known, as there;
    a streamed body over it is the 413 from the body read), the app's exception handlers (all but 500
    and ``Exception``, looked up as Starlette's ExceptionMiddleware does: by status, then by class) and
    the unexpected-error layer (opgelucht_relay/errors.py: 503 when storage is unavailable, else 500
    ``internal_error``, logged by type and route only, the connection kept). Answers are the JSON bytes
    ``JSONResponse`` would send, with its headers."""

    def __init__(self, *, default_limit: int, large_limit: int, record: RecordRequest) -> None:
        self.default_limit = default_limit
        self.large_limit = large_limit
        self.record = record
        self._handlers: tuple[dict[Any, Any], dict[int, Any]] | None = None

    @staticmethod
    def match(scope: Scope) -> tuple[LeanRoute, Scope] | None:
        """The lean route of an HTTP POST and its child scope (None: not a lean route's request)."""
        if scope["method"] != "POST" or not scope["path"].startswith(_LEAN_PREFIXES):
            return None
        for lean in LEAN_ROUTES:
            found, child_scope = lean.route.matches(scope)
            if found is Match.FULL:
                return lean, child_scope
        return None

    def _exception_handlers(self, scope: Scope) -> tuple[dict[Any, Any], dict[int, Any]]:
        if self._handlers is None:
            by_class: dict[Any, Any] = {}
            by_status: dict[int, Any] = {}
            for key, handler in scope["app"].exception_handlers.items():
                if key in (500, Exception):
                    continue  # the unexpected-error layer's (as in FastAPI's stack)
                if isinstance(key, int):
                    by_status[key] = handler
                else:
                    by_class[key] = handler
            self._handlers = (by_class, by_status)
        return self._handlers

    def _handler_for(self, scope: Scope, exc: Exception) -> Any:
        by_class, by_status = self._exception_handlers(scope)
        handler = by_status.get(exc.status_code) if isinstance(exc, HTTPException) else None
        if handler is None:
            for kind in type(exc).__mro__:
                if kind in by_class:
                    return by_class[kind]
        return handler

    async def serve(
        self, lean: LeanRoute, child_scope: Scope, scope: Scope, receive: Receive, send: Send
    ) -> None:
        started = time.perf_counter()
        status = 500
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
            await send(message)

        try:
            limit = self.large_limit if lean.large_body else self.default_limit
            refusal = declared_length_refusal(scope, limit)
            if refusal is not None:
                await refusal(scope, receive, tracking_send)
                return
            scope["route"] = lean.route
            scope.update(child_scope)
            await self._answer(lean, limit, scope, receive, tracking_send, lambda: response_started)
        finally:
            route = scope.get("route")
            self.record(scope["method"], getattr(route, "path", None) or "unmatched", status, started)

    async def _answer(
        self,
        lean: LeanRoute,
        limit: int,
        scope: Scope,
        receive: Receive,
        send: Send,
        response_started: Callable[[], bool],
    ) -> None:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413)  # shaped by the HTTPException handler, as from the router
            return message

        request = Request(scope, limited_receive, send)
        try:
            try:
                status, content = await lean.endpoint(request)
            except Exception as exc:
                handler = self._handler_for(scope, exc)
                if handler is None:
                    raise
                response: Response = await handler(request, exc)
                await response(scope, receive, send)
                return
            body = _JSON(content).encode("utf-8")
            headers = [
                (b"content-length", str(len(body)).encode("latin-1")),
                (b"content-type", b"application/json"),
            ]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        except Exception as exc:
            log_unexpected(scope, exc)
            if response_started():  # half a response is out: only the server can end it
                raise
            await unexpected_response(exc)(scope, receive, send)
