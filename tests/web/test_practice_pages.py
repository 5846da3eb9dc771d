"""Practice pages and API: scenarios, playing a role-play to its debrief, roles, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ACCOUNTS, conversation, log_in, token

HTML = {"Accept": "text/html"}
REPLIES = Path(__file__).parents[1] / "practice" / "data" / "replies"
SCENARIO = "late-order-transferred"
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _start(client: TestClient, csrf: str, scenario: str = SCENARIO, seed: str = "4") -> int:
    resp = client.post(
        f"/practice/{scenario}/new",
        data={"csrf": csrf, "seed": seed},
        headers=HTML,
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    return int(resp.headers["location"].rsplit("/", 1)[1])


def _script() -> list[str]:
    return (REPLIES / f"{SCENARIO}.empathic.txt").read_text(encoding="utf-8").splitlines()


def test_an_agent_plays_a_scenario_to_its_debrief(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    listing = client.get("/practice", headers=HTML).text
    assert "Late order, transferred twice" in listing or SCENARIO in listing
    assert 'href="/practice"' in listing and 'href="/journal"' in listing  # nav links
    briefing = client.get(f"/practice/{SCENARIO}/new", headers=HTML)
    assert (
        briefing.status_code == 200
        and "Dana" in briefing.text
        and "Start the role-play" in briefing.text
    )
    sid = _start(client, csrf)
    page = client.get(f"/practice/sessions/{sid}", headers=HTML).text
    assert "Your reply to Dana" in page and "opening" in page
    for text in _script():
        resp = client.post(
            f"/practice/sessions/{sid}/replies", data={"csrf": csrf, "text": text}, headers=HTML
        )
        assert resp.status_code == 200
        if "Debrief" in resp.text:
            break
    page = client.get(f"/practice/sessions/{sid}", headers=HTML).text
    assert 'id="debrief"' in page and "Outcome: <strong>resolved</strong>" in page
    assert (
        "<svg" in page
        and "Score per reply" in page
        and "What worked" in page
        and "What to try" in page
    )
    assert "Your first finished attempt" in page and "Your reply to Dana" not in page
    # a second attempt is compared with the first
    sid2 = _start(client, csrf, seed="5")
    client.post(f"/practice/sessions/{sid2}/end", data={"csrf": csrf}, headers=HTML)
    again = client.get(f"/practice/sessions/{sid2}", headers=HTML).text
    assert "Attempt 2 at this scenario" in again and f"/practice/sessions/{sid}" in again
    listing = client.get("/practice", headers=HTML).text
    assert "2 attempts" in listing and "best" in listing


@sqlite_only
def test_bad_input_is_refused_with_a_message(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    missing = client.get("/practice/no-such-scenario/new", headers=HTML)
    assert missing.status_code == 404 and "no scenario" in missing.text
    assert (
        client.post("/practice/no-such-scenario/new", data={"csrf": csrf}, headers=HTML).status_code
        == 404
    )
    sid = _start(client, csrf)
    empty = client.post(
        f"/practice/sessions/{sid}/replies", data={"csrf": csrf, "text": "   "}, headers=HTML
    )
    assert empty.status_code == 422 and "write what you would say" in empty.text
    no_csrf = client.post(
        f"/practice/sessions/{sid}/replies", data={"text": "Hello Dana"}, headers=HTML
    )
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
    assert client.post(f"/practice/{SCENARIO}/new", data={}, headers=HTML).status_code == 403
    bad_seed = client.post(
        f"/practice/{SCENARIO}/new", data={"csrf": csrf, "seed": "abc"}, headers=HTML
    )
    assert bad_seed.status_code == 422 and "whole number" in bad_seed.text
    assert client.get("/practice/sessions/99999", headers=HTML).status_code == 404
    client.post(f"/practice/sessions/{sid}/end", data={"csrf": csrf}, headers=HTML)
    over = client.post(
        f"/practice/sessions/{sid}/replies", data={"csrf": csrf, "text": "More?"}, headers=HTML
    )
    assert over.status_code == 409 and "has ended" in over.text


@sqlite_only
def test_roles_see_sessions_in_their_scope_read_only(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    sid = _start(client, csrf)
    for who, status in (
        ("coach_a", 200),
        ("admin", 200),
        ("coach_b", 404),
        ("agent_2", 404),
        ("agent_3", 404),
    ):
        c = log_in(client, who)
        page = client.get(f"/practice/sessions/{sid}", headers=HTML)
        assert page.status_code == status, who
        history = client.get("/practice/history", headers=HTML).text
        assert (f"/practice/sessions/{sid}" in history) == (status == 200), who
        if status == 200:
            assert "read-only" in page.text and "Your reply to" not in page.text
            resp = client.post(
                f"/practice/sessions/{sid}/replies", data={"csrf": c, "text": "Hi"}, headers=HTML
            )
            assert resp.status_code == 403


@sqlite_only
def test_coaches_assign_and_agents_see_their_status(client: TestClient) -> None:
    csrf = log_in(client, "coach_a")
    form = client.get("/practice/assign", headers=HTML).text
    assert ACCOUNTS["agent_1"].email in form and ACCOUNTS["agent_3"].email not in form
    resp = client.post(
        "/practice/assign",
        data={
            "csrf": csrf,
            "agent_email": ACCOUNTS["agent_1"].email,
            "scenario_id": SCENARIO,
            "due": "2099-01-31",
            "note": "Before Friday",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert resp.status_code == 303
    bad = client.post(
        "/practice/assign",
        data={
            "csrf": csrf,
            "agent_email": ACCOUNTS["agent_1"].email,
            "scenario_id": SCENARIO,
            "due": "Friday",
        },
        headers=HTML,
    )
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    other = client.post(
        "/practice/assign",
        data={"csrf": csrf, "agent_email": ACCOUNTS["agent_3"].email, "scenario_id": SCENARIO},
        headers=HTML,
    )
    assert other.status_code == 403
    csrf = log_in(client, "agent_1")
    listing = client.get("/practice", headers=HTML).text
    assert "Assigned to you" in listing and "not started" in listing and "Before Friday" in listing
    sid = _start(client, csrf)
    client.post(
        f"/practice/sessions/{sid}/replies",
        data={"csrf": csrf, "text": "Sorry about that, Dana."},
        headers=HTML,
    )
    assert "attempted" in client.get("/practice", headers=HTML).text
    assert client.get("/practice/assign", headers=HTML).status_code == 403
    log_in(client, "coach_a")
    results = client.get("/practice/assign", headers=HTML).text
    assert "attempted" in results and ">1</td>" in results


@sqlite_only
def test_practise_this_starts_from_a_conversation_in_scope(client: TestClient) -> None:
    rude = conversation("low-1", "agent-1", team="Team A")
    rude["turns"][1]["text"] = "You should have read the email. Nothing I can do."
    good = conversation("good-1", "agent-1", team="Team A")
    resp = client.post("/api/v1/conversations", json=[rude, good], headers=token(client, "admin"))
    assert resp.status_code == 201
    csrf = log_in(client, "agent_1")
    conv_page = client.get("/conversations/low-1", headers=HTML).text
    assert 'href="/practice/from-conversation/low-1"' in conv_page and "Practise this" in conv_page
    assert "Practise this" not in client.get("/conversations/good-1", headers=HTML).text
    briefing = client.get("/practice/from-conversation/low-1", headers=HTML)
    assert (
        briefing.status_code == 200
        and "Dana Reyes" in briefing.text
        and "third time" in briefing.text
    )
    resp = client.post(
        "/practice/from-conversation/low-1",
        data={"csrf": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert resp.status_code == 303
    page = client.get(resp.headers["location"], headers=HTML).text
    assert "Practise conversation low-1" in page and "third time" in page
    sid = resp.headers["location"].rsplit("/", 1)[1]
    client.post(f"/practice/sessions/{sid}/end", data={"csrf": csrf}, headers=HTML)
    ended = client.get(f"/practice/sessions/{sid}", headers=HTML).text
    assert 'href="/practice/from-conversation/low-1">Play it again' in ended
    assert 'href="/journal/new?conversation=low-1"' in ended
    log_in(client, "agent_3")
    assert client.get("/practice/from-conversation/low-1", headers=HTML).status_code == 403
    assert client.get("/practice/from-conversation/none", headers=HTML).status_code == 404


def test_the_rest_api_plays_a_session(client: TestClient) -> None:
    auth = token(client, "agent_1")
    listed = client.get("/api/v1/practice/scenarios", headers=auth).json()
    assert SCENARIO in {s["id"] for s in listed}
    created = client.post(
        "/api/v1/practice/sessions", json={"scenario_id": SCENARIO, "seed": 2}, headers=auth
    )
    assert created.status_code == 201
    body = created.json()
    assert body["seed"] == 2 and body["lines"][0]["state"] == "opening" and body["debrief"] is None
    sid = body["id"]
    empty = client.post(
        f"/api/v1/practice/sessions/{sid}/replies", json={"text": " "}, headers=auth
    )
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid_input"
    for text in _script():
        resp = client.post(
            f"/api/v1/practice/sessions/{sid}/replies", json={"text": text}, headers=auth
        )
        assert resp.status_code == 200, resp.text
        if resp.json()["exchange"]["done"]:
            break
    final = client.get(f"/api/v1/practice/sessions/{sid}", headers=auth).json()
    assert final["outcome"] == "resolved" and final["debrief"]["outcome"] == "resolved"
    over = client.post(
        f"/api/v1/practice/sessions/{sid}/replies", json={"text": "And?"}, headers=auth
    )
    assert over.status_code == 409 and over.json()["error"]["code"] == "conflict"
    unknown = client.post("/api/v1/practice/sessions", json={"scenario_id": "nope"}, headers=auth)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    outsider = client.get(f"/api/v1/practice/sessions/{sid}", headers=token(client, "agent_3"))
    assert outsider.status_code == 404
    coach = token(client, "coach_a")
    assert client.get(f"/api/v1/practice/sessions/{sid}", headers=coach).status_code == 200
    assert client.post(
        f"/api/v1/practice/sessions/{sid}/replies", json={"text": "Hi"}, headers=coach
    ).status_code in (403, 409)
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/practice/scenarios",
        "/api/v1/practice/sessions",
        "/api/v1/practice/sessions/{session_id}/replies",
        "/api/v1/journal",
        "/api/v1/journal/{entry_id}/share",
    ):
        assert path in paths
