"""Every failure answers the JSON error shape, with a stable code and no internals."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from kit.actors import Actor

INTERNALS = ("Traceback", 'File "', "sqlalchemy", "SELECT", "pydantic", "line ")


def assert_clean_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    for marker in INTERNALS:
        assert marker not in response.text


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/login", content=b'{"username": "a", ', headers={"content-type": "application/json"}
    )
    assert_clean_error(response, 400, "bad_request")


async def test_schema_violation_does_not_echo_values(client: httpx.AsyncClient) -> None:
    secret = "my secret password 123"
    response = await client.post("/v1/auth/login", json={"username": "a", "password": secret, "extra": 1})
    assert_clean_error(response, 400, "bad_request")
    assert secret not in response.text
    assert "totp_code" in response.json()["error"]["message"]


async def test_bad_base64_is_a_bad_request(client: httpx.AsyncClient, admin: Actor) -> None:
    response = await client.put("/v1/org/key", json={"org_key": "not base64!"}, headers=admin.headers)
    assert_clean_error(response, 400, "bad_request")
    urlsafe = await client.put("/v1/org/key", json={"org_key": "-" * 43 + "="}, headers=admin.headers)
    assert_clean_error(urlsafe, 400, "bad_request")


async def test_oversized_body_declared(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/login", json={"username": "a" * 70_000, "password": "p", "totp_code": "1"}
    )
    assert_clean_error(response, 413, "too_large")


async def test_oversized_body_streamed_without_length(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"username": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'", "password": "p", "totp_code": "1"}'

    response = await client.post(
        "/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_clean_error(response, 413, "too_large")


@pytest.mark.parametrize(
    "path", ["/v1/device/conversations/{conv}/messages", "/v1/inbox/conversations/{conv}/notes", "/v1/events"]
)
async def test_oversized_body_on_a_lean_route(client: httpx.AsyncClient, path: str) -> None:
    """The lean routes (answered before the middleware stack, routes/hot.py) keep the body limits: a
    declared length over the limit and a streamed body over it are both the 413 JSON."""
    path = path.format(conv=uuid.uuid4())
    limit = 1024 * 1024 if "conversations" in path else 64 * 1024

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"envelope": "'
        for _ in range(limit // 1024 + 1):
            yield b"A" * 1024
        yield b'"}'

    streamed = await client.post(path, content=chunks(), headers={"content-type": "application/json"})
    assert_clean_error(streamed, 413, "too_large")
    declared = await client.post(
        path, content=b"A" * (limit + 1), headers={"content-type": "application/json"}
    )
    assert_clean_error(declared, 413, "too_large")
    bad_length = await client.post(path, content=b"{}", headers={"content-length": "-1"})
    assert_clean_error(bad_length, 400, "bad_request")


async def test_message_paths_get_the_larger_limit(app: FastAPI) -> None:
    from opgelucht_relay.limits import LARGE_BODY_PATHS

    assert LARGE_BODY_PATHS.match("/v1/device/conversations/0b1c/messages")
    assert LARGE_BODY_PATHS.match("/v1/inbox/conversations/0b1c/notes")
    assert not LARGE_BODY_PATHS.match("/v1/auth/login")


async def test_unknown_route_and_wrong_method(client: httpx.AsyncClient) -> None:
    assert_clean_error(await client.get("/v1/nothing-here"), 404, "not_found")
    assert_clean_error(await client.get("/v1/auth/login"), 405, "method_not_allowed")


async def test_unexpected_exception_is_a_bare_500(app: FastAPI, client: httpx.AsyncClient) -> None:
    async def explode() -> None:
        raise RuntimeError("SELECT secret FROM internals")

    app.router.add_api_route("/v1/test-explode", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as raw:
        response = await raw.get("/v1/test-explode")
    assert_clean_error(response, 500, "internal_error")
    assert "secret" not in response.text


async def test_nul_characters_and_odd_codes_are_refused_cleanly(
    client: httpx.AsyncClient, admin: Actor
) -> None:
    """PostgreSQL cannot store NUL: such input must be a 400/404, never a 500 (on both backends)."""
    login = await client.post(
        "/v1/auth/login",
        content=b'{"username": "admin1\\u0000", "password": "p", "totp_code": "1"}',
        headers={"content-type": "application/json"},
    )
    assert_clean_error(login, 400, "bad_request")
    label = await client.post(
        "/v1/org/codes", content=b'{"label": "a\\u0000b"}',
        headers={"content-type": "application/json", **admin.headers},
    )  # fmt: skip
    assert_clean_error(label, 400, "bad_request")
    for path in (
        "/v1/join/a%00b",
        "/v1/join/%C3%A9t%C3%A9",
        "/v1/articles?org_code=%00",
        "/v1/join/" + "A" * 80,
    ):
        assert_clean_error(await client.get(path), 404, "not_found")
    assert_clean_error(await client.delete("/v1/org/codes/a%00b", headers=admin.headers), 404, "not_found")
