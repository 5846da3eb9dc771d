"""The REST API end to end on a real database: tokens, import, read, roles, reviews, assist, errors."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ACCOUNTS, conversation, token


def _error(resp) -> dict:  # type: ignore[no-untyped-def]
    body = resp.json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == resp.status_code
    assert body["error"]["message"]
    return body["error"]


def test_healthz_reports_database(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] in ("sqlite", "postgresql")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_security_headers_on_pages_api_and_errors_and_no_cdn_docs(client: TestClient) -> None:
    for resp in (
        client.get("/login", headers={"Accept": "text/html"}),
        client.get("/healthz"),
        client.get("/api/v1/conversations"),  # a 401 carries them too
    ):
        assert resp.headers["X-Frame-Options"] == "DENY", resp.url
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert client.get("/docs").status_code == 404  # Swagger UI would need a CDN
    assert client.get("/openapi.json").json()["info"]["title"] == "Warmline"


def test_token_with_wrong_password_is_401_with_the_error_shape(client: TestClient) -> None:
    resp = client.post("/api/v1/token", data={"username": ACCOUNTS["admin"].email, "password": "nope-nope"})
    assert resp.status_code == 401
    assert "wrong email or password" in _error(resp)["message"]


def test_no_token_and_bad_token_are_401(client: TestClient) -> None:
    assert _error(client.get("/api/v1/conversations"))["code"] == "unauthorized"
    resp = client.get("/api/v1/conversations", headers={"Authorization": "Bearer not-a-token"})
    assert resp.status_code == 401 and "log in again" in _error(resp)["message"]


def test_expired_token_is_401(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import update

    from warmline.store.db import Database
    from warmline.store.tables import AuthToken, utcnow

    headers = token(client, "admin")
    db = Database(seeded.resolved_database_url())
    with db.session() as session:
        session.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.dispose()
    resp = client.get("/api/v1/me", headers=headers)
    assert resp.status_code == 401 and "expired" in _error(resp)["message"]


def test_import_then_read_back_with_the_analyze_fields(client: TestClient) -> None:
    headers = token(client, "coach_a")
    resp = client.post("/api/v1/conversations", json=conversation("c-1", "agent-1"), headers=headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["ids"] == ["c-1"] and resp.json()["created"] == 1
    body = client.get("/api/v1/conversations/c-1", headers=headers).json()
    assert body["id"] == "c-1" and body["agent_id"] == "agent-1" and body["team"] == "Team A"
    agent_turn = body["turns"][1]
    assert {"behaviours", "mechanisms", "score", "tips", "rewrite"} <= set(agent_turn)
    labels = {b["id"] for b in agent_turn["behaviours"]}
    assert "apology" in labels or "acknowledge_emotion" in labels
    assert body["turns"][0]["emotions"], "customer emotions are stored"
    assert isinstance(body["score"], int)


def test_reimporting_an_id_updates_and_never_duplicates(client: TestClient) -> None:
    headers = token(client, "admin")
    client.post("/api/v1/conversations", json=[conversation("c-1", "agent-1")], headers=headers)
    changed = conversation("c-1", "agent-1", angry=False)
    resp = client.post("/api/v1/conversations", json=changed, headers=headers)
    assert resp.json()["created"] == 0 and resp.json()["updated"] == 1
    listing = client.get("/api/v1/conversations", headers=headers).json()
    assert listing["total"] == 1
    body = client.get("/api/v1/conversations/c-1", headers=headers).json()
    assert "opening hours" in body["turns"][0]["text"]


def test_pii_is_redacted_before_storing(client: TestClient) -> None:
    headers = token(client, "admin")
    record = conversation("c-pii", "agent-1")
    record["turns"][0]["text"] = "Reach me at dana.r@example.com or +1 (415) 555-0134 about order 48213-K."
    resp = client.post("/api/v1/conversations", json=record, headers=headers)
    assert resp.json()["redactions"] == 2
    text = client.get("/api/v1/conversations/c-pii", headers=headers).json()["turns"][0]["text"]
    assert "dana.r@example.com" not in text and "555-0134" not in text
    assert "[email]" in text and "[phone]" in text and "48213-K" in text


def test_a_malformed_record_is_refused_whole_and_changes_nothing(client: TestClient) -> None:
    headers = token(client, "admin")
    client.post("/api/v1/conversations", json=conversation("keep", "agent-1"), headers=headers)
    bad = [conversation("new-1", "agent-1"), {"id": "broken", "turns": [{"speaker": "narrator", "text": "hi"}]}]
    resp = client.post("/api/v1/conversations", json=bad, headers=headers)
    assert resp.status_code == 422
    err = _error(resp)
    assert "nothing was imported" in err["message"] and "turns[0].speaker" in err["message"]
    assert err["items"][0]["position"] == 2
    ids = [c["id"] for c in client.get("/api/v1/conversations", headers=headers).json()["items"]]
    assert ids == ["keep"]


def test_invalid_json_body_is_a_clear_422(client: TestClient) -> None:
    headers = {**token(client, "admin"), "Content-Type": "application/json"}
    resp = client.post("/api/v1/conversations", content=b"{not json", headers=headers)
    assert resp.status_code == 422
    assert "JSON" in _error(resp)["message"] or "json" in _error(resp)["message"]


def test_agents_see_only_their_own_conversations(client: TestClient) -> None:
    admin = token(client, "admin")
    for cid, agent in (("a1", "agent-1"), ("a2", "agent-2"), ("b3", "agent-3")):
        client.post("/api/v1/conversations", json=conversation(cid, agent), headers=admin)
    agent1 = token(client, "agent_1")
    listing = client.get("/api/v1/conversations", headers=agent1).json()
    assert [c["id"] for c in listing["items"]] == ["a1"]
    resp = client.get("/api/v1/conversations/a2", headers=agent1)
    assert resp.status_code == 403 and _error(resp)["code"] == "forbidden"
    # asking for someone else's agent_id returns nothing, not their data
    assert client.get("/api/v1/conversations?agent_id=agent-2", headers=agent1).json()["total"] == 0


def test_coaches_see_their_teams_only(client: TestClient) -> None:
    admin = token(client, "admin")
    for cid, agent in (("a1", "agent-1"), ("a2", "agent-2"), ("b3", "agent-3")):
        client.post("/api/v1/conversations", json=conversation(cid, agent), headers=admin)
    coach_a = token(client, "coach_a")
    ids = {c["id"] for c in client.get("/api/v1/conversations", headers=coach_a).json()["items"]}
    assert ids == {"a1", "a2"}
    assert client.get("/api/v1/conversations/b3", headers=coach_a).status_code == 403
    coach_b = token(client, "coach_b")
    assert {c["id"] for c in client.get("/api/v1/conversations", headers=coach_b).json()["items"]} == {"b3"}


def test_agents_cannot_import(client: TestClient) -> None:
    resp = client.post("/api/v1/conversations", json=conversation("x", "agent-1"), headers=token(client, "agent_1"))
    assert resp.status_code == 403 and "coach" in _error(resp)["message"]


def test_list_filters_by_date(client: TestClient) -> None:
    admin = token(client, "admin")
    early, late = conversation("early", "agent-1"), conversation("late", "agent-1")
    early["turns"][0]["timestamp"] = "2026-10-01T09:00:00Z"
    late["turns"][0]["timestamp"] = "2026-11-15T09:00:00Z"
    client.post("/api/v1/conversations", json=[early, late], headers=admin)
    got = client.get("/api/v1/conversations?since=2026-11-01T00:00:00Z", headers=admin).json()
    assert [c["id"] for c in got["items"]] == ["late"]
    got = client.get("/api/v1/conversations?until=2026-10-31T00:00:00Z&agent_id=agent-1", headers=admin).json()
    assert [c["id"] for c in got["items"]] == ["early"]


def test_reviews_are_stored_apart_and_never_change_the_machine_result(client: TestClient) -> None:
    coach = token(client, "coach_a")
    client.post("/api/v1/conversations", json=conversation("c-1", "agent-1"), headers=coach)
    before = client.get("/api/v1/conversations/c-1", headers=coach).json()
    beh = before["turns"][1]["behaviours"][0]
    review = {"turn": 1, "label": beh["id"], "start": beh["start"], "end": beh["end"], "verdict": "disagree", "comment": "Too generic"}
    resp = client.post("/api/v1/conversations/c-1/reviews", json=review, headers=coach)
    assert resp.status_code == 201, resp.text
    after = client.get("/api/v1/conversations/c-1", headers=coach).json()
    assert after["turns"] == before["turns"] and after["score"] == before["score"]
    assert after["reviews"][0]["verdict"] == "disagree" and after["reviews"][0]["comment"] == "Too generic"
    wrong = {**review, "label": "blame", "start": 0, "end": 3}
    assert client.post("/api/v1/conversations/c-1/reviews", json=wrong, headers=coach).status_code == 422
    agent = token(client, "agent_1")
    assert client.post("/api/v1/conversations/c-1/reviews", json=review, headers=agent).status_code == 403


def test_assist_scores_a_draft(client: TestClient) -> None:
    headers = token(client, "agent_1")
    context = [{"speaker": "customer", "text": "I was charged twice and nobody answers my emails. I'm really angry."}]
    good = client.post("/api/v1/assist", json={"turns": context, "draft": "I'm so sorry, being charged twice and ignored is infuriating. I've refunded the duplicate charge now.", "customer_name": "Sam"}, headers=headers)
    bad = client.post("/api/v1/assist", json={"turns": context, "draft": "As I already told you, that's our policy."}, headers=headers)
    assert good.status_code == 200 and bad.status_code == 200
    g, b = good.json(), bad.json()
    assert {"score", "behaviours", "missing", "warnings", "rewrite"} <= set(g)
    assert g["score"] > b["score"]
    assert b["warnings"], "blame is flagged"
    assert client.post("/api/v1/assist", json={"turns": context, "draft": ""}, headers=headers).status_code == 422


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/token", "/api/v1/conversations", "/api/v1/conversations/{conversation_id}", "/api/v1/assist"):
        assert path in paths


def test_upload_over_the_limit_is_413_and_imports_nothing(client: TestClient) -> None:
    headers = token(client, "admin")
    line = json.dumps(conversation("big", "agent-1")) + "\n"
    blob = (line * (3 * 1024 * 1024 // len(line) + 1)).encode()
    resp = client.post("/api/v1/imports", files={"file": ("big.jsonl", blob, "application/jsonl")}, headers=headers)
    assert resp.status_code == 413
    assert "upload limit" in _error(resp)["message"]
    assert client.get("/api/v1/conversations", headers=headers).json()["total"] == 0


def test_background_import_reports_progress(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    headers = token(client, "coach_a")
    lines = "".join(json.dumps(conversation(f"bg-{i}", "agent-1")) + "\n" for i in range(30))
    resp = client.post("/api/v1/imports", files={"file": ("team.jsonl", lines.encode(), "application/jsonl")}, headers=headers)
    assert resp.status_code == 202, resp.text
    app.state.ctx.runner.wait(timeout=60)
    job = client.get(f"/api/v1/imports/{resp.json()['id']}", headers=headers).json()
    assert job["status"] == "done" and job["done"] == 30 and job["created"] == 30
    assert client.get("/api/v1/conversations", headers=headers).json()["total"] == 30


def test_background_import_of_a_malformed_file_fails_clearly(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    headers = token(client, "admin")
    content = json.dumps(conversation("ok", "agent-1")) + "\n{broken\n"
    resp = client.post("/api/v1/imports", files={"file": ("bad.jsonl", content.encode(), "application/jsonl")}, headers=headers)
    app.state.ctx.runner.wait(timeout=60)
    job = client.get(f"/api/v1/imports/{resp.json()['id']}", headers=headers).json()
    assert job["status"] == "failed" and "line 2" in job["message"] and "nothing was imported" in job["message"]
    assert client.get("/api/v1/conversations", headers=headers).json()["total"] == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_uploaded_transcript_keeps_its_file_name_as_its_id(client: TestClient, app, settings) -> None:  # type: ignore[no-untyped-def]
    headers = token(client, "coach_a")
    text = "Customer: My parcel 7781 is lost and I'm upset.\nAgent: I'm sorry, Dana. I've sent a new one today.\n"
    resp = client.post("/api/v1/imports", data={"agent_id": "agent-1"}, files={"file": ("Call 0042.TXT", text.encode(), "text/plain")}, headers=headers)
    assert resp.status_code == 202, resp.text
    app.state.ctx.runner.wait(timeout=60)
    job = client.get(f"/api/v1/imports/{resp.json()['id']}", headers=headers).json()
    assert job["status"] == "done" and job["created"] == 1, job
    stored = client.get("/api/v1/conversations/Call_0042", headers=headers)
    assert stored.status_code == 200, stored.text
    assert [t["speaker"] for t in stored.json()["turns"]] == ["customer", "agent"]
    assert not any((settings.data_dir / "uploads").iterdir())  # the upload and its folder are gone
