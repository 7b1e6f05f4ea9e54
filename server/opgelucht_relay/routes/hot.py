"""Lean endpoints of the hot paths (issue 12): the device's message post, the counsellor's reply and note,
and ``POST /v1/events`` as plain Starlette routes placed before the FastAPI routes of the same paths
(``LEAN_ROUTES``, mounted first by opgelucht_relay/app.py). No per-request dependency solving: each
reads the body, checks auth and validates path and body itself, in FastAPI's order and with FastAPI's
rules (:func:`json_body`, :func:`body_model`, :func:`path_uuid`), so answers and error JSON are those of
the FastAPI routes. The FastAPI routes (routes/device.py, inbox.py, events.py) stay for the OpenAPI
document (a plain Starlette route is not in it) and call the same services."""

from __future__ import annotations

import email.message
import json
import uuid
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from opgelucht_relay.context import AppContext
from opgelucht_relay.deps import client_address, request_target
from opgelucht_relay.errors import unauthenticated
from opgelucht_relay.models.messaging import CHANNEL_CHAT, CHANNEL_STAFF
from opgelucht_relay.schemas import EnvelopeIn, EventsIn, b64_field
from opgelucht_relay.services import hot_paths
from opgelucht_relay.services.live_events import broker_for

M = TypeVar("M", bound=BaseModel)
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


async def device_post(request: Request) -> Response:
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
    return JSONResponse(stored, status_code=status)


async def _counsellor_post(request: Request, channel: str) -> Response:
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
    return JSONResponse(stored, status_code=201)


async def inbox_reply(request: Request) -> Response:
    """``POST /v1/inbox/conversations/{conv_id}/messages`` (routes/inbox.py documents it)."""
    return await _counsellor_post(request, CHANNEL_CHAT)


async def inbox_note(request: Request) -> Response:
    """``POST /v1/inbox/conversations/{conv_id}/notes`` (routes/inbox.py documents it)."""
    return await _counsellor_post(request, CHANNEL_STAFF)


async def usage_events(request: Request) -> Response:
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
    return JSONResponse({"accepted": accepted}, status_code=202)


LEAN_ROUTES = (
    Route("/v1/device/conversations/{conv_id}/messages", device_post, methods=["POST"]),
    Route("/v1/inbox/conversations/{conv_id}/messages", inbox_reply, methods=["POST"]),
    Route("/v1/inbox/conversations/{conv_id}/notes", inbox_note, methods=["POST"]),
    Route("/v1/events", usage_events, methods=["POST"]),
)


class LeanRoutesMiddleware:
    """Serves ``LEAN_ROUTES`` without the framework's inner layers (issue 12): a POST whose path matches
    one is answered here, inside the relay's own middlewares (access log, body limit, unexpected
    errors: they stay around it) but before Starlette's ExceptionMiddleware, FastAPI's exit-stack
    middleware, the router's walk and the route's request/response wrapper, which together were
    ~10 % of a message post's CPU (docs/benchmarks.md "Relay speed (wrk): lean route profiled").

    What those layers do for these routes is done here the same way: the route's match and path
    parameters (``Route.matches``, ``scope["route"]`` as the router sets it, for the access log), and
    the app's exception handlers (the ones FastAPI gives its ExceptionMiddleware: all but 500 and
    ``Exception``) through Starlette's own ``wrap_app_handling_exceptions``, so every answer and error
    JSON is the router's. Everything else (other methods, other paths) goes on to the app unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._handlers: tuple[dict[Any, Any], dict[int, Any]] | None = None

    def _exception_handlers(self, scope: Scope) -> tuple[dict[Any, Any], dict[int, Any]]:
        if self._handlers is None:
            by_class: dict[Any, Any] = {}
            by_status: dict[int, Any] = {}
            for key, handler in scope["app"].exception_handlers.items():
                if key in (500, Exception):
                    continue  # the server-error layer's, outside (as in FastAPI's stack)
                if isinstance(key, int):
                    by_status[key] = handler
                else:
                    by_class[key] = handler
            self._handlers = (by_class, by_status)
        return self._handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            for route in LEAN_ROUTES:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope["route"] = route
                    scope.update(child_scope)
                    scope["starlette.exception_handlers"] = self._exception_handlers(scope)
                    await self._serve(route, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    @staticmethod
    async def _serve(route: Route, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)

        async def respond(scope: Scope, receive: Receive, send: Send) -> None:
            response: Response = await route.endpoint(request)
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(respond, request)(scope, receive, send)
