"""A counsellor's presentation (role, introduction, availability): stored as given for the org admin,
who signs it into the next roster; strict input, other counsellors of the org see it, other orgs not."""

from __future__ import annotations

import httpx
from kit.actors import Actor, create_invitation_for, create_org_with_admin, enrol, enrol_admin

from opgelucht_relay.clock import ManualClock
from opgelucht_relay.context import AppContext

BODY = {
    "role": " extern ",
    "intro": {"nl": "Ik ben Bob.", "en": "I am Bob."},
    "availability": {"nl": "afwezig tot 12 januari"},
}


def _given(value: dict[str, object]) -> dict[str, object]:
    """The fields given (the response lists the unset language of a text as null)."""
    return {
        k: ({lang: t for lang, t in v.items() if t is not None} if isinstance(v, dict) else v)
        for k, v in value.items()
    }


async def test_presentation_is_stored_and_listed_to_the_org_only(
    client: httpx.AsyncClient, admin: Actor, ctx: AppContext, clock: ManualClock
) -> None:
    bob = await enrol(client, clock, await create_invitation_for(ctx, admin.org_id), username="bob")
    response = await client.put("/v1/me/presentation", json=BODY, headers=bob.headers)
    assert response.status_code == 200, response.text
    stored = response.json()["presentation"]
    assert _given(stored) == {
        "role": "extern",
        "intro": {"nl": "Ik ben Bob.", "en": "I am Bob."},
        "availability": {"nl": "afwezig tot 12 januari"},
    }
    assert (await client.get("/v1/me", headers=bob.headers)).json()["presentation"] == stored
    listed = {
        c["username"]: c["presentation"]
        for c in (await client.get("/v1/org", headers=admin.headers)).json()["counsellors"]
    }
    assert listed == {admin.username: None, "bob": stored}
    org_id, invitation = await create_org_with_admin(ctx, "Andere Org")
    zoe = await enrol_admin(client, clock, org_id, invitation, username="zoe")
    others = (await client.get("/v1/org", headers=zoe.headers)).json()["counsellors"]
    assert [c["username"] for c in others] == ["zoe"]
    # Empty clears it.
    cleared = await client.put("/v1/me/presentation", json={"intro": {"nl": "  "}}, headers=bob.headers)
    assert cleared.status_code == 200 and cleared.json()["presentation"] is None


async def test_presentation_input_is_strict(client: httpx.AsyncClient, admin: Actor) -> None:
    for bad in (
        {"role": "x" * 41},
        {"intro": {"nl": "x" * 601}},
        {"availability": {"de": "weg"}},
        {"colour": "blue"},
        {"intro": "Ik ben Anna"},
    ):
        response = await client.put("/v1/me/presentation", json=bad, headers=admin.headers)
        assert response.status_code in (400, 422), (bad, response.text)
    assert (await client.put("/v1/me/presentation", json=BODY)).status_code == 401
