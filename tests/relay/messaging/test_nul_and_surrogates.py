"""Issue 9 item 7: NUL characters and lone surrogates in any request text are a 400 on SQLite and on
PostgreSQL alike (PostgreSQL cannot store NUL, neither driver can encode a lone surrogate), and nothing
is stored. JSON bodies are sent as raw bytes so that ``\\u0000`` and ``\\ud800`` escapes arrive as such."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from kit.actors import Actor
from kit.reporter import RawReporter
from sqlalchemy import func, select

from opgelucht_relay.context import AppContext
from opgelucht_relay.models.messaging import Feedback

# JSON text (already escaped): NUL, a lone high and a lone low surrogate.
ODD = {"nul": "a\\u0000b", "high": "a\\ud800b", "low": "\\udfffb"}


def _json_with(fields: dict[str, str], odd_field: str, odd: str) -> bytes:
    """A JSON object whose ``odd_field`` holds the raw JSON string text ``odd`` (escapes kept)."""
    parts = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in fields.items() if k != odd_field]
    parts.append(f'{json.dumps(odd_field)}: "{odd}"')
    return ("{" + ", ".join(parts) + "}").encode()


def _refused(response: httpx.Response, field: str, *, or_invalid_json: bool = False) -> None:
    assert response.status_code == 400, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    expected = [f"{field}: forbidden_character"] + ["body is not valid JSON"] * or_invalid_json
    assert any(text in error["message"] for text in expected), error["message"]


async def _feedback_rows(ctx: AppContext) -> int:
    async with ctx.db.sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(Feedback)) or 0)


@pytest.mark.parametrize("kind", sorted(ODD))
async def test_feedback_refuses_nul_and_lone_surrogates(
    client: httpx.AsyncClient, ctx: AppContext, kind: str
) -> None:
    fields = {"text": "Fijne app", "app_version": "1.0", "session_code": "S1", "org_code": "ABCDEFGHJK"}
    for field in fields:
        body = _json_with(fields, field, ODD[kind])
        headers = {"Content-Type": "application/json"}
        _refused(await client.post("/v1/feedback", content=body, headers=headers), field)
    assert await _feedback_rows(ctx) == 0
    ok = await client.post("/v1/feedback", json={"text": "Fijne app 😀", "app_version": "1.0"})
    assert ok.status_code == 201 and await _feedback_rows(ctx) == 1


@pytest.mark.parametrize("kind", sorted(ODD))
async def test_device_registration_events_and_posts_refuse_them(
    client: httpx.AsyncClient, reporter: RawReporter, admin: Actor, code: str, kind: str
) -> None:
    register = _json_with({"device_id": str(reporter.device_id)}, "org_code", ODD[kind])
    headers = {"Content-Type": "application/json"}
    _refused(await client.post("/v1/devices", content=register, headers=headers), "org_code")
    events = f'{{"org_code": "{code}", "events": [{{"kind": "screen", "item": "{ODD[kind]}", "count": 1}}]}}'
    signed_events = {**reporter.sign("POST", "/v1/events", events.encode()), **headers}  # events are signed
    _refused(await client.post("/v1/events", content=events.encode(), headers=signed_events), "events")
    path = f"/v1/device/conversations/{reporter.device_id}/messages"
    post = f'{{"envelope": "{ODD[kind]}"}}'.encode()
    signed = {**reporter.sign("POST", path, post), **headers}
    # The signed post parses its body with pydantic's JSON parser, which refuses a lone surrogate as
    # invalid JSON already; a NUL gets through the parser and is refused by the model.
    envelope = await client.post(path, content=post, headers=signed)
    _refused(envelope, "envelope", or_invalid_json=kind != "nul")
    label = f'{{"label": "{ODD[kind]}"}}'.encode()
    _refused(await client.post("/v1/org/codes", content=label, headers={**admin.headers, **headers}), "label")


@pytest.mark.parametrize("value", ["%00", "a%00b"])
async def test_nul_in_a_path_or_query_value_is_not_a_server_error(
    client: httpx.AsyncClient, admin: Actor, value: str
) -> None:
    for response in (
        await client.get(f"/v1/join/{value}"),
        await client.get("/v1/articles", params={"org_code": value.replace("%00", "\x00")}),
        await client.delete(f"/v1/org/codes/{value}", headers=admin.headers),
        await client.get("/v1/stats", params={"period": value.replace("%00", "\x00")}, headers=admin.headers),
    ):
        assert response.status_code in (400, 404), (response.request.url, response.status_code)
        assert set(response.json()["error"]) == {"code", "message"}


async def test_json_nested_too_deep_to_parse_is_a_400_on_every_route(
    client: httpx.AsyncClient, reporter: RawReporter, admin: Actor
) -> None:
    """Found against a running relay: ~1,000 nested arrays (far below the body limit) made the lean
    routes' JSON parser raise RecursionError, a 500; every route answers 400 with the error shape."""
    deep = b"[" * 5000 + b"]" * 5000
    headers = {"Content-Type": "application/json"}
    conv = uuid.uuid4()
    device_path = f"/v1/device/conversations/{reporter.device_id}/messages"
    for path, auth in (
        ("/v1/events", reporter.sign("POST", "/v1/events", deep)),
        (device_path, reporter.sign("POST", device_path, deep)),
        (f"/v1/inbox/conversations/{conv}/messages", admin.headers),
        (f"/v1/inbox/conversations/{conv}/notes", admin.headers),
        ("/v1/feedback", {}),
        ("/v1/org/codes", admin.headers),
    ):
        response = await client.post(path, content=deep, headers={**auth, **headers})
        assert response.status_code == 400, (path, response.status_code)
        assert set(response.json()["error"]) == {"code", "message"}
