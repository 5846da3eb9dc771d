"""The feedback REST API on a real app (SQLite file and PostgreSQL): survey links, answers,
templates and follow-ups, with their scope and error shape, and their place in /openapi.json."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.web.conftest import token

ANGRY = "This is the third time I am writing about my refund and I am absolutely fed up. Nobody ever gets back to me!!"
THANKS = "Thank you so much, that is a huge relief. I really appreciate it."
REPLY = "I am so sorry, that is really frustrating. I have refunded the full amount today and I will email you the confirmation by 5pm."


def turned_around(cid: str, agent: str) -> dict[str, Any]:
    """A conversation that starts very frustrated and ends grateful: it gets a follow-up."""
    return {
        "id": cid,
        "agent_id": agent,
        "customer_name": "Dana Reyes",
        "turns": [
            {"speaker": "customer", "text": ANGRY, "timestamp": "2026-11-02T10:00:00Z"},
            {"speaker": "agent", "text": REPLY, "timestamp": "2026-11-02T10:05:00Z"},
            {"speaker": "customer", "text": THANKS, "timestamp": "2026-11-02T10:09:00Z"},
        ],
        "metadata": {"topic": "refund"},
    }


def _seed(client: TestClient) -> dict[str, str]:
    admin = token(client, "admin")
    resp = client.post(
        "/api/v1/conversations",
        json=[turned_around("c-1", "agent-1"), turned_around("c-2", "agent-2"), turned_around("c-3", "agent-3")],
        headers=admin,
    )
    assert resp.status_code == 201, resp.text
    return admin


def _answer(client: TestClient, url: str, **fields: str) -> int:
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}", headers={"Accept": "text/html"})
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce, page.text
    return client.post(f"/{path}", data={"nonce": nonce.group(1), **fields}).status_code


def test_a_coach_makes_a_link_and_the_answer_shows_in_scope(client: TestClient) -> None:
    _seed(client)
    coach = token(client, "coach_a")
    resp = client.post("/api/v1/conversations/c-1/survey", json={"days": 7}, headers=coach)
    assert resp.status_code == 201, resp.text
    link = resp.json()
    assert re.fullmatch(r"http://testserver/s/[A-Za-z0-9_-]{40,}", link["url"])
    assert link["template"] == "Quick check-in" and link["revoked_links"] == 0
    assert _answer(client, link["url"], csat="2", solved="no", comment="Still no refund. Really disappointed.") == 200
    mine = client.get("/api/v1/surveys", headers=token(client, "agent_1")).json()["items"]
    assert [(a["conversation_id"], a["csat"], a["csat_label"], a["solved"]) for a in mine] == [("c-1", 2, "Unhappy", False)]
    assert mine[0]["comment_emotion"] == "disappointment"
    assert client.get("/api/v1/surveys", headers=token(client, "agent_2")).json()["items"] == []
    assert client.get("/api/v1/surveys", headers=token(client, "coach_b")).json()["items"] == []
    assert len(client.get("/api/v1/surveys?agent_id=agent-1&since=2020-01-01", headers=coach).json()["items"]) == 1
    bad = client.get("/api/v1/surveys?since=2026-12-02&until=2026-12-01", headers=coach)
    assert bad.status_code == 422 and "swap the dates" in bad.json()["error"]["message"]
    kpi = client.get("/api/v1/reports/csat-correlation", headers=coach)
    assert kpi.status_code == 200


def test_links_are_for_coaches_and_admins_within_their_scope(client: TestClient) -> None:
    _seed(client)
    resp = client.post("/api/v1/conversations/c-1/survey", headers=token(client, "agent_1"))
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden"
    assert client.post("/api/v1/conversations/c-1/survey", headers=token(client, "coach_b")).status_code == 403
    assert client.post("/api/v1/conversations/nope/survey", headers=token(client, "admin")).status_code == 404
    bad = client.post("/api/v1/conversations/c-1/survey", json={"days": 0}, headers=token(client, "admin"))
    assert bad.status_code == 422
    first = client.post("/api/v1/conversations/c-3/survey", headers=token(client, "coach_b")).json()
    second = client.post("/api/v1/conversations/c-3/survey", headers=token(client, "coach_b")).json()
    assert second["revoked_links"] == 1 and first["url"] != second["url"]
    path = first["url"].split("testserver", 1)[1]
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 404  # revoked


def test_templates_admins_create_coaches_list_errors_are_clear(client: TestClient) -> None:
    admin = token(client, "admin")
    body = {
        "name": "After a refund",
        "questions": [
            {"key": "csat", "kind": "scale", "feeds": "csat", "text": "How did it go?"},
            {"key": "back", "kind": "yes_no", "feeds": "fcr", "text": "Did the money arrive?"},
        ],
    }
    made = client.post("/api/v1/survey-templates", json=body, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["questions"][0]["labels"][0] == "Very unhappy"
    assert client.post("/api/v1/survey-templates", json=body, headers=admin).status_code == 409
    assert client.post("/api/v1/survey-templates", json=body, headers=token(client, "coach_a")).status_code == 403
    broken = {"name": "Broken", "questions": [{"key": "q", "kind": "stars", "text": "?"}]}
    resp = client.post("/api/v1/survey-templates", json=broken, headers=admin)
    assert resp.status_code == 422
    assert resp.json()["error"]["message"].startswith("questions[0].kind: expected one of scale, yes_no, text")
    listed = client.get("/api/v1/survey-templates", headers=token(client, "coach_a")).json()
    assert [(t["name"], t["builtin"]) for t in listed] == [("Quick check-in", True), ("After a refund", False)]
    assert client.get("/api/v1/survey-templates", headers=token(client, "agent_1")).status_code == 403


def test_followups_list_done_and_skip(client: TestClient) -> None:
    _seed(client)
    agent = token(client, "agent_1")
    tasks = client.get("/api/v1/followups", headers=agent).json()
    assert [t["conversation_id"] for t in tasks["open"]] == ["c-1"]
    task = tasks["open"][0]
    assert task["reason"].startswith("Started very frustrated") and task["overdue"] is True
    assert task["due_at"].startswith("2026-11-04T10:09:00")
    coach = client.get("/api/v1/followups", headers=token(client, "coach_a")).json()
    assert [(s["agent_id"], s["open"], s["overdue"]) for s in coach["stats"]] == [("agent-1", 1, 1), ("agent-2", 1, 1)]
    assert len(client.get("/api/v1/followups", headers=token(client, "admin")).json()["open"]) == 3
    other = client.get("/api/v1/followups", headers=token(client, "agent_2")).json()["open"][0]["id"]
    assert client.post(f"/api/v1/followups/{other}/done", headers=agent).status_code == 404
    empty = client.post(f"/api/v1/followups/{task['id']}/skip", json={"reason": " "}, headers=agent)
    assert empty.status_code == 422 and "say why" in empty.json()["error"]["message"]
    done = client.post(f"/api/v1/followups/{task['id']}/done", json={"note": "Refund arrived"}, headers=agent)
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["note"] == "Refund arrived"
    again = client.post(f"/api/v1/followups/{task['id']}/skip", json={"reason": "x"}, headers=agent)
    assert again.status_code == 409
    assert client.get("/api/v1/followups?status=done", headers=agent).json()["closed"][0]["id"] == task["id"]
    # re-importing the same conversation adds no second task
    client.post("/api/v1/conversations", json=[turned_around("c-1", "agent-1")], headers=token(client, "admin"))
    after = client.get("/api/v1/followups", headers=agent).json()
    assert after["open"] == [] and len(after["closed"]) == 1


def test_openapi_documents_the_feedback_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {
        "/api/v1/conversations/{conversation_id}/survey": ("post", "surveys"),
        "/api/v1/surveys": ("get", "surveys"),
        "/api/v1/survey-templates": ("post", "surveys"),
        "/api/v1/followups": ("get", "followups"),
        "/api/v1/followups/{task_id}/done": ("post", "followups"),
        "/api/v1/followups/{task_id}/skip": ("post", "followups"),
    }
    for path, (method, tag) in expected.items():
        op = paths[path][method]
        assert op["tags"] == [tag], path
        ok = op["responses"].get("200") or op["responses"]["201"]
        assert "$ref" in str(ok["content"]["application/json"]["schema"]), path
    assert "get" in paths["/api/v1/survey-templates"]
    assert not any(p.startswith("/s/") for p in paths)  # the public page is not part of the API
