"""The API's one error shape, ``{"error": {"code", "message"}}``, and the handlers that enforce it.

No handler ever puts a stack trace, SQL, or a request value into a response. Every failure a client
is meant to see is an ``ApiError`` (raised by a route, a dependency or a service); the kinds::

    Exception
    ├── ApiError(status, code, message)     the JSON error shape; the shortcuts below build plain ones
    │   └── BadRequest                      400 bad_request with a message for the person who typed
    │       ├── PeriodError                 services/periods.py: not a fixed statistics period
    │       ├── PeriodNotOver               services/stats.py: the period (or its month) has not ended
    │       └── InvitationCodeError         auth/invitations.py: not an invitation code (also a
    │                                       ValueError, the parser's contract for scripts)
    ├── RequestValidationError (FastAPI)    400 bad_request naming the fields and problems, never values
    ├── HTTPException (Starlette)           the stable code of its status (CODE_BY_STATUS)
    ├── storage unavailable                 503 unavailable with Retry-After (storage_unavailable():
    │                                       the database down, restarting or unreachable, a full disk)
    └── anything else                       500 internal_error, logged by type and route template only

``ValueError``, ``TypeError`` and assertions are programming errors (a 500), never a client's answer.
The ops CLI (opgelucht_relay/cli_common.py) turns an ``ApiError`` into its one-line ``CliError``.
"""

from __future__ import annotations

import errno
import logging
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("opgelucht.relay")

# Stable codes of docs/api.md by the status they go with when a plain HTTPException is raised.
CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "bad_request",
    429: "rate_limited",
    503: "unavailable",
}

MESSAGES = {
    "bad_request": "The request is malformed.",
    "unauthenticated": "Authentication is required.",
    "forbidden": "Your role does not allow this.",
    "not_found": "Not found.",
    "method_not_allowed": "Method not allowed.",
    "conflict": "Conflicts with the current state.",
    "gone": "No longer available.",
    "too_large": "The request body is too large.",
    "rate_limited": "Too many attempts; try again later.",
    "unavailable": "The service is unavailable.",
    "internal_error": "Internal error.",
    "device_required": (
        "This session is bound to no device: register this computer (POST /v1/me/devices) first."
    ),
    "device_removed": "This computer was removed from the organisation's list of counsellors (roster).",
    "device_unknown": "This computer's device is not one of this account's, or its signature is not valid.",
}


class ApiError(Exception):
    """Raise from any route or dependency to answer with the JSON error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        self.headers = headers


class BadRequest(ApiError):
    """400 ``bad_request``: the base of the domain errors about a value the client gave."""

    def __init__(self, message: str = MESSAGES["bad_request"]) -> None:
        super().__init__(400, "bad_request", message)


def bad_request(message: str = MESSAGES["bad_request"]) -> ApiError:
    return ApiError(400, "bad_request", message)


def not_found() -> ApiError:
    return ApiError(404, "not_found")


def conflict(message: str = MESSAGES["conflict"]) -> ApiError:
    return ApiError(409, "conflict", message)


def gone(message: str = MESSAGES["gone"]) -> ApiError:
    return ApiError(410, "gone", message)


def forbidden() -> ApiError:
    return ApiError(403, "forbidden")


def device_required() -> ApiError:
    """403: a session opened without a device (a further computer) may only register its device."""
    return ApiError(403, "device_required")


def device_removed() -> ApiError:
    """403: a login with a device that the organisation's roster dropped."""
    return ApiError(403, "device_removed")


def device_unknown() -> ApiError:
    """401: a login naming a device that is not the counsellor's, or signed with another key."""
    return ApiError(401, "device_unknown")


def unauthenticated(message: str = MESSAGES["unauthenticated"]) -> ApiError:
    return ApiError(401, "unauthenticated", message, headers={"WWW-Authenticate": "Bearer"})


def rate_limited(retry_after: int) -> ApiError:
    return ApiError(429, "rate_limited", headers={"Retry-After": str(max(1, retry_after))})


def error_response(
    status: int, code: str, message: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message or MESSAGES.get(code, code)}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Name the fields and the kind of problem only: never echo the submitted values.
    problems = []
    for err in exc.errors()[:10]:
        if err.get("type") == "json_invalid":
            problems.append("body is not valid JSON")
        else:
            problems.append(f"{_field_path(tuple(err.get('loc', ())))}: {err.get('type', 'invalid')}")
    return error_response(400, "bad_request", "Invalid request: " + "; ".join(problems))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = CODE_BY_STATUS.get(exc.status_code, "bad_request" if exc.status_code < 500 else "internal_error")
    return error_response(exc.status_code, code, None, dict(exc.headers or {}) or None)


# SQLite primary result codes that mean "storage not usable now", not a bug: BUSY, LOCKED, IOERR, FULL,
# CANTOPEN. PostgreSQL SQLSTATE classes and codes of the same kind: 08 connection exception, 53
# insufficient resources (disk full, out of memory, too many connections), 57P01-57P03 shutting down,
# crashed, not accepting connections yet.
_SQLITE_UNAVAILABLE = frozenset({5, 6, 10, 13, 14})
_PG_UNAVAILABLE = ("08", "53", "57P01", "57P02", "57P03")
_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})
RETRY_AFTER_UNAVAILABLE = 2
"""Seconds a client waits after a 503 for storage that is down (a database restart takes a few)."""


def storage_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the database or the disk cannot be used right now:
    PostgreSQL stopped, restarting or unreachable, a connection lost, a pool exhausted, SQLite's disk
    full or busy beyond its timeout. Such a request is answered 503 ``unavailable`` (retry later), not
    500; nothing of it was stored."""
    current: BaseException | None = exc
    for _ in range(8):  # SQLAlchemy wraps the driver's error, which may wrap an OSError
        if current is None:
            return False
        if getattr(current, "connection_invalidated", False) or isinstance(current, PoolTimeout):
            return True
        if isinstance(current, ConnectionError | TimeoutError):
            return True
        if isinstance(current, OSError) and current.errno in _STORAGE_ERRNOS:
            return True
        if isinstance(current, sqlite3.Error):
            return (getattr(current, "sqlite_errorcode", 0) & 0xFF) in _SQLITE_UNAVAILABLE
        state = getattr(current, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_PG_UNAVAILABLE):
            return True
        kind = type(current)
        if kind.__module__.startswith("asyncpg") and kind.__name__ == "InterfaceError":
            return "closed" in str(current)  # "connection is closed": the server went away mid-request
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def log_unexpected(scope: Scope, exc: Exception) -> None:
    # The error type and the route template only: an exception's message (a database error's SQL and
    # values, a ValueError quoting its input) may carry request values, so it is never logged.
    route = getattr(scope.get("route"), "path", None) or "unmatched"
    if storage_unavailable(exc):
        log.warning("storage unavailable", extra={"exc_type": type(exc).__name__, "route": route})
    else:
        log.error("unhandled error", extra={"exc_type": type(exc).__name__, "route": route})


def unexpected_response(exc: Exception) -> JSONResponse:
    if storage_unavailable(exc):
        return error_response(503, "unavailable", None, {"Retry-After": str(RETRY_AFTER_UNAVAILABLE)})
    return error_response(500, "internal_error")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """The last resort for an error outside the routes (Starlette re-raises it to the server after)."""
    log_unexpected(request.scope, exc)
    return unexpected_response(exc)


class UnexpectedErrorMiddleware:
    """A route's unexpected exception becomes the JSON 500 (503 when storage is unavailable) here and
    goes no further: the server then keeps the connection open (uvicorn drops a connection whose
    application raised) and logs nothing of its own about it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log_unexpected(scope, exc)
            if started:  # half a response is out: only the server can end it
                raise
            await unexpected_response(exc)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(UnexpectedErrorMiddleware)  # inside every other middleware (added first)
