"""Issue 9 items 6 and 7: odd input gets a 400 in the API's error shape on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from kit.actors import Actor


def _bad_request(response: httpx.Response) -> str:
    assert response.status_code == 400, (response.status_code, response.text)
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and error["code"] == "bad_request"
    return str(error["message"])


@pytest.mark.parametrize(
    "period",
    ["0000-01", "9999-12", "9999-W52", "1999-12", "٢٠٢٦-01", "2026-01\n"],
)
async def test_out_of_range_or_malformed_periods_are_400(
    client: httpx.AsyncClient, admin: Actor, period: str
) -> None:
    message = _bad_request(await client.get("/v1/stats", params={"period": period}, headers=admin.headers))
    assert "period" in message or "ISO week" in message


async def test_the_last_and_first_years_still_answer(client: httpx.AsyncClient, admin: Actor) -> None:
    for period in ("9998-12", "9998-W52", "9998-W53"):
        response = await client.get("/v1/stats", params={"period": period}, headers=admin.headers)
        message = _bad_request(response)
        assert "once the period has ended" in message or "ISO week" in message
    for period in ("2000-01", "2000-W01"):
        response = await client.get("/v1/stats", params={"period": period}, headers=admin.headers)
        assert response.status_code == 200, response.text
