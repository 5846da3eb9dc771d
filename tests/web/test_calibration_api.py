"""The calibration and rubric REST API on SQLite and PostgreSQL: blind reviewing through the
API, scope, closing, the results, and publishing rubric versions."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.calibration_data import STAFF, calibration_conversation
from tests.web.conftest import ACCOUNTS, token
from warmline.engine.scoring import load_weights

EMAILS = [ACCOUNTS[w].email for w in ("coach_a", "agent_2", "admin")]


def _seed(client: TestClient) -> dict[str, dict[str, str]]:
    auth = {who: token(client, who) for who in ACCOUNTS}
    body = [calibration_conversation("c1", "agent-1", team="Team A")]
    assert client.post("/api/v1/conversations", json=body, headers=auth["coach_a"]).status_code == 201
    return auth


def _open(client: TestClient, auth: dict[str, dict[str, str]]) -> int:
    resp = client.post(
        "/api/v1/calibration",
        json={"conversation_id": "c1", "reviewers": EMAILS, "note": "Q4"},
        headers=auth["coach_a"],
    )
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def _turns(labels: dict[int, list[str]], scores: dict[int, int]) -> list[dict[str, Any]]:
    return [{"turn": t, "labels": labels.get(t, []), "score": scores.get(t)} for t in STAFF]


def test_reviewers_cannot_read_each_other_or_the_engine_until_closed(client: TestClient) -> None:
    auth = _seed(client)
    sid = _open(client, auth)
    mine = _turns({1: ["apology", "solution"], 3: ["dismissive"]}, {1: 85, 3: 15, 5: 70})
    put = client.put(f"/api/v1/calibration/{sid}/answers", json={"turns": mine, "submit": True}, headers=auth["agent_2"])
    assert put.status_code == 200 and put.json()["submitted"] is True
    for who in ("coach_a", "admin", "agent_2"):
        view = client.get(f"/api/v1/calibration/{sid}", headers=auth[who]).json()
        assert {"engine", "answers", "results"}.isdisjoint(view), who
        assert all("behaviours" not in t and "score" not in t for t in view["turns"])
        assert [r["submitted"] for r in view["reviewers"]] == [False, True, False]
        assert bool(view["me"]["answers"]) == (who == "agent_2")
        results = client.get(f"/api/v1/calibration/{sid}/results", headers=auth[who])
        assert results.status_code == 409 and "hidden until" in results.json()["error"]["message"]
    again = client.put(f"/api/v1/calibration/{sid}/answers", json={"turns": mine, "submit": True}, headers=auth["agent_2"])
    assert again.status_code == 409 and "final" in again.json()["error"]["message"]


def test_scope_other_teams_and_uninvited_people_are_kept_out(client: TestClient) -> None:
    auth = _seed(client)
    other = client.post("/api/v1/calibration", json={"conversation_id": "c1", "reviewers": [ACCOUNTS["coach_b"].email, ACCOUNTS["agent_3"].email]}, headers=auth["coach_b"])
    assert other.status_code == 403
    agent = client.post("/api/v1/calibration", json={"conversation_id": "c1", "reviewers": EMAILS}, headers=auth["agent_2"])
    assert agent.status_code == 403
    sid = _open(client, auth)
    for who in ("coach_b", "agent_1", "agent_3"):
        assert client.get(f"/api/v1/calibration/{sid}", headers=auth[who]).status_code == 404
        assert client.get("/api/v1/calibration", headers=auth[who]).json() == []
    invite = client.post(f"/api/v1/calibration/{sid}/reviewers", json={"reviewers": [ACCOUNTS["agent_3"].email]}, headers=auth["coach_a"])
    assert invite.status_code == 422 and "cannot review" in invite.json()["error"]["message"]
    people = client.get("/api/v1/calibration/candidates", params={"conversation": "c1"}, headers=auth["coach_a"]).json()
    assert {p["email"] for p in people} == set(EMAILS)


def test_bad_answers_get_the_error_shape(client: TestClient) -> None:
    auth = _seed(client)
    sid = _open(client, auth)
    url = f"/api/v1/calibration/{sid}/answers"
    too_high = client.put(url, json={"turns": [{"turn": 1, "score": 101}]}, headers=auth["admin"])
    assert too_high.status_code == 422 and "score" in too_high.json()["error"]["message"]
    twice = client.put(url, json={"turns": [{"turn": 1}, {"turn": 1}]}, headers=auth["admin"])
    assert twice.status_code == 422 and "index 1 appears twice" in twice.json()["error"]["message"]
    customer = client.put(url, json={"turns": [{"turn": 0, "score": 5}]}, headers=auth["admin"])
    assert "turn 1 (index 0): not a staff turn" in customer.json()["error"]["message"]
    huge = client.get(f"/api/v1/calibration/{2**70}", headers=auth["admin"])
    assert huge.status_code == 422 and "session_id" in huge.json()["error"]["message"]
    early = client.put(url, json={"turns": [{"turn": 1, "score": 5}], "submit": True}, headers=auth["admin"])
    assert early.status_code == 422 and "missing: turn 4 (index 3), turn 6 (index 5)" in early.json()["error"]["message"]


def test_closing_shows_everyone_the_answers_the_engine_and_the_figures(client: TestClient) -> None:
    auth = _seed(client)
    sid = _open(client, auth)
    base = {1: ["apology", "acknowledge_emotion", "solution"], 3: ["dismissive"], 5: ["follow_up"]}
    for who, scores in (("coach_a", {1: 85, 3: 10, 5: 75}), ("agent_2", {1: 80, 3: 20, 5: 70})):
        r = client.put(f"/api/v1/calibration/{sid}/answers", json={"turns": _turns(base, scores), "submit": True}, headers=auth[who])
        assert r.status_code == 200, r.text
    assert client.post(f"/api/v1/calibration/{sid}/close", headers=auth["agent_2"]).status_code == 403
    closed = client.post(f"/api/v1/calibration/{sid}/close", headers=auth["coach_a"])
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    view = client.get(f"/api/v1/calibration/{sid}", headers=auth["agent_2"]).json()
    assert len(view["answers"]) == 2 and set(view["engine"]["turns"]) == {"1", "3", "5"}
    res = client.get(f"/api/v1/calibration/{sid}/results", headers=auth["admin"]).json()
    assert res["behaviours"]["reviewers"]["alpha"] == 1.0  # the same marks everywhere
    assert res["behaviours"]["reviewers"]["units"] == 3 * 26
    assert res["score"]["reviewers"]["alpha"] > 0.9 and res["score"]["reviewers"]["reading"] == "reliable"
    listed = client.get("/api/v1/calibration", headers=auth["agent_2"]).json()
    assert [(s["id"], s["status"], s["submitted"]) for s in listed] == [(sid, "closed", 2)]


def test_rubric_versions_through_the_api(client: TestClient) -> None:
    auth = _seed(client)
    listed = client.get("/api/v1/rubrics", headers=auth["agent_1"]).json()
    assert [(r["version"], r["active"]) for r in listed] == [(1, True)]
    assert client.get("/api/v1/rubrics/active", headers=auth["coach_a"]).json()["weights"] == load_weights()
    assert client.post("/api/v1/rubrics", json={"weights": load_weights()}, headers=auth["coach_a"]).status_code == 403
    bad = client.post("/api/v1/rubrics", content="base: 50\naction: {solution: lots}\n", headers={**auth["admin"], "Content-Type": "application/yaml"})
    assert bad.status_code == 422
    message = bad.json()["error"]["message"]
    assert "action.solution: expected a number, got the text 'lots'" in message and "emotional: expected a value" in message
    weights = {**load_weights(), "base": 20}
    made = client.post("/api/v1/rubrics", json={"weights": weights, "note": "stricter"}, headers=auth["admin"])
    assert made.status_code == 201 and made.json()["version"] == 2 and made.json()["active"]
    body = [calibration_conversation("c2", "agent-1", team="Team A")]
    client.post("/api/v1/conversations", json=body, headers=auth["coach_a"])
    old = client.get("/api/v1/conversations/c1", headers=auth["coach_a"]).json()
    new = client.get("/api/v1/conversations/c2", headers=auth["coach_a"]).json()
    assert (old["rubric_version"], new["rubric_version"]) == (1, 2)
    assert new["score"] < old["score"]
    assert client.get("/api/v1/rubrics/9", headers=auth["admin"]).status_code == 404
    untyped = client.post("/api/v1/rubrics", content=json.dumps({"weights": {**weights, "base": 25}}), headers={**auth["admin"], "Content-Type": "text/plain"})
    assert untyped.status_code == 201 and untyped.json()["version"] == 3
    assert client.post("/api/v1/rubrics/rescore", headers=auth["coach_a"]).status_code == 403
    done = client.post("/api/v1/rubrics/rescore", headers=auth["admin"])
    assert done.json() == {"version": 3, "rescored": 2, "remaining": 0}
    assert client.get("/api/v1/conversations/c1", headers=auth["coach_a"]).json()["rubric_version"] == 3


def test_the_openapi_schema_documents_calibration_and_rubrics(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/calibration", "/api/v1/calibration/{session_id}/answers", "/api/v1/calibration/{session_id}/results", "/api/v1/rubrics"):
        assert path in paths, path
    assert "application/yaml" in paths["/api/v1/rubrics"]["post"]["requestBody"]["content"]
