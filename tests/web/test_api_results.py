"""The results REST API with tokens: score exports (CSV, Parquet) within scope, and review
replies; errors in the one JSON shape."""

from __future__ import annotations

import csv
import io
from typing import Any

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from tests.web.conftest import conversation, token


def _error(resp: Any) -> dict[str, Any]:
    body = resp.json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == resp.status_code
    return dict(body["error"])


def _seed(client: TestClient) -> None:
    records = [conversation("c-1", "agent-1", team="Team A"), conversation("c-2", "agent-2", team="Team A"),
               conversation("c-3", "agent-3", team="Team B", angry=False)]  # fmt: skip
    resp = client.post("/api/v1/conversations", json=records, headers=token(client, "admin"))
    assert resp.status_code in (200, 201), resp.text


def test_exports_follow_the_tokens_scope(client: TestClient) -> None:
    _seed(client)
    coach = token(client, "coach_a")
    resp = client.get("/api/v1/exports/scores.csv?level=behaviour", headers=coach)
    assert resp.status_code == 200
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert {r["conversation_id"] for r in rows} == {"c-1", "c-2"}
    assert {"emotion", "behaviour"} <= {r["kind"] for r in rows}
    agent = token(client, "agent_3")
    resp = client.get("/api/v1/exports/scores.parquet?level=turn", headers=agent)
    table = pq.read_table(io.BytesIO(resp.content))
    assert set(table.column("conversation_id").to_pylist()) == {"c-3"}
    assert (
        _error(client.get("/api/v1/exports/scores.csv?agent=agent-1", headers=agent))["status"]
        == 403
    )
    assert (
        _error(client.get("/api/v1/exports/scores.json", headers=coach))["code"] == "invalid_input"
    )
    assert (
        "since"
        in _error(client.get("/api/v1/exports/scores.csv?since=soon", headers=coach))["message"]
    )
    assert client.get("/api/v1/exports/scores.csv").status_code == 401


def test_review_replies(client: TestClient) -> None:
    headers = token(client, "agent_1")
    body = {"review": "My refund still hasn't come through after a month and nobody replies. Furious.",
            "stars": 1, "business": "Northwind", "reviewer": "Sam Lee"}  # fmt: skip
    resp = client.post("/api/v1/review-replies", json=body, headers=headers)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert [i["id"] for i in data["issues"]][:1] == ["refund"]
    assert data["issues"][0]["evidence"][0]["text"] == "refund"
    assert data["emotions"] and data["emotions"][0]["label"] in {"anger", "frustration"}
    assert data["reply"].startswith("Hi Sam,") and data["check"]["score"] >= 75
    assert data["tone"] == "upset" and not data["check"]["warnings"]
    bad = client.post("/api/v1/review-replies", json={"review": "x", "stars": 7}, headers=headers)
    assert _error(bad)["status"] == 422
    empty = client.post("/api/v1/review-replies", json={"review": " "}, headers=headers)
    assert "paste the review" in _error(empty)["message"]
    assert client.post("/api/v1/review-replies", json=body).status_code == 401
