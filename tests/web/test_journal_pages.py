"""Journal pages and API: writing with guided prompts, sharing with one coach, patterns."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ACCOUNTS, conversation, log_in, token

HTML = {"Accept": "text/html"}
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_an_agent_writes_shares_and_unshares_an_entry(client: TestClient) -> None:
    client.post(
        "/api/v1/conversations",
        json=[conversation("c-1", "agent-1")],
        headers=token(client, "admin"),
    )
    csrf = log_in(client, "agent_1")
    form = client.get("/journal/new", headers=HTML).text
    for prompt in (
        "What did I feel?",
        "What did the customer feel?",
        "What would I do differently?",
        "anxious",
    ):
        assert prompt in form
    assert '<option value="c-1">' in form  # conversations in scope to link to
    resp = client.post(
        "/journal",
        data={
            "csrf": csrf,
            "felt": "Rattled by the shouting",
            "customer_felt": "Ignored",
            "differently": "Name the delay first",
            "feelings": ["anxious", "drained"],
            "conversation_id": "c-1",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert resp.status_code == 303
    eid = int(resp.headers["location"].split("/")[2].split("?")[0])
    entry = client.get(f"/journal/{eid}", headers=HTML).text
    assert (
        "Rattled by the shouting" in entry
        and "Not shared" in entry
        and 'href="/conversations/c-1"' in entry
    )
    assert (
        ACCOUNTS["coach_a"].email in entry and ACCOUNTS["coach_b"].email not in entry
    )  # only their coaches
    listing = client.get("/journal", headers=HTML).text
    assert "Your patterns over time" in listing and "anxious ×1" in listing and "Rattled" in listing
    resp = client.post(
        f"/journal/{eid}/share",
        data={"csrf": csrf, "coach_email": ACCOUNTS["coach_a"].email},
        headers=HTML,
    )
    assert resp.status_code == 200 and "Shared with" in resp.text
    refused = client.post(
        f"/journal/{eid}/share",
        data={"csrf": csrf, "coach_email": ACCOUNTS["coach_b"].email},
        headers=HTML,
    )
    assert refused.status_code == 422 and "not one of your coaches" in refused.text
    log_in(client, "coach_a")
    shared = client.get(f"/journal/{eid}", headers=HTML).text
    assert (
        "Rattled by the shouting" in shared
        and "read-only" in shared
        and "Stop sharing" not in shared
        and "Delete this entry" not in shared
    )
    mine = client.get("/journal", headers=HTML).text
    assert (
        "Shared with you" in mine
        and "anxious" not in mine.split("Shared with you")[0].split("Your patterns")[1]
    )
    csrf = log_in(client, "agent_1")
    client.post(
        f"/journal/{eid}/unshare",
        data={"csrf": csrf, "coach_email": ACCOUNTS["coach_a"].email},
        headers=HTML,
    )
    log_in(client, "coach_a")
    assert client.get(f"/journal/{eid}", headers=HTML).status_code == 404


@sqlite_only
def test_bad_entries_show_the_form_again(client: TestClient) -> None:
    client.post(
        "/api/v1/conversations",
        json=[conversation("theirs", "agent-3")],
        headers=token(client, "admin"),
    )
    csrf = log_in(client, "agent_1")
    assert 'value="theirs"' not in client.get("/journal/new", headers=HTML).text
    empty = client.post("/journal", data={"csrf": csrf}, headers=HTML)
    assert empty.status_code == 422 and "the entry is empty" in empty.text
    other = client.post(
        "/journal",
        data={"csrf": csrf, "felt": "Keep this text", "conversation_id": "theirs"},
        headers=HTML,
    )
    assert (
        other.status_code == 422
        and "not a conversation you can see" in other.text
        and "Keep this text" in other.text
    )
    assert client.post("/journal", data={"felt": "no token"}, headers=HTML).status_code == 403
    assert client.get("/journal/abc", headers=HTML).status_code == 422


@sqlite_only
def test_the_rest_api_keeps_entries_private(client: TestClient) -> None:
    auth = token(client, "agent_1")
    created = client.post(
        "/api/v1/journal", json={"felt": "Tired", "feelings": ["drained"]}, headers=auth
    )
    assert created.status_code == 201
    eid = created.json()["id"]
    assert client.get("/api/v1/journal", headers=auth).json()[0]["felt"] == "Tired"
    bad = client.post("/api/v1/journal", json={"feelings": ["elated"]}, headers=auth)
    assert bad.status_code == 422 and "choose from" in bad.json()["error"]["message"]
    shared = client.post(
        f"/api/v1/journal/{eid}/share",
        json={"coach_email": ACCOUNTS["coach_a"].email},
        headers=auth,
    )
    assert shared.json()["shared_with"] == [ACCOUNTS["coach_a"].email]
    coach = client.get(f"/api/v1/journal/{eid}", headers=token(client, "coach_a")).json()
    assert coach["felt"] == "Tired" and coach["mine"] is False and coach["shared_with"] == []
    unshared = client.delete(
        f"/api/v1/journal/{eid}/share",
        params={"coach_email": ACCOUNTS["coach_a"].email},
        headers=auth,
    )
    assert unshared.json()["shared_with"] == []
    gone = client.get(f"/api/v1/journal/{eid}", headers=token(client, "coach_a"))
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert client.delete(f"/api/v1/journal/{eid}", headers=auth).status_code == 204
    assert client.get(f"/api/v1/journal/{eid}", headers=auth).status_code == 404
