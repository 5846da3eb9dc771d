"""The KPI endpoints end to end on a real database: import (JSON, CSV, upload), reports, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import token
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.tables import Conversation, Label
from warmline.store.users import get_or_create_team


@pytest.fixture
def data(seeded: Settings) -> Settings:
    """agent-1: 12 conversations before 2026-11-15 (scores 50..61), 12 after (70..81);
    agent-2: 2 before, 2 after; agent-3 (Team B): 2."""
    db = Database(seeded.resolved_database_url())
    start, event = datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 15, 9, tzinfo=UTC)
    rows: list[tuple[str, str, str, datetime, int]] = []
    for i in range(12):
        rows.append((f"b{i}", "Team A", "agent-1", start + timedelta(days=i), 50 + i))
        rows.append((f"a{i}", "Team A", "agent-1", event + timedelta(days=i), 70 + i))
    for i in range(2):
        rows.append((f"x{i}", "Team A", "agent-2", start + timedelta(days=i), 40))
        rows.append((f"y{i}", "Team A", "agent-2", event + timedelta(days=i), 60))
        rows.append((f"z{i}", "Team B", "agent-3", start + timedelta(days=i), 90))
    with db.session() as s:
        for ext, team, agent, when, score in rows:
            labels = (
                [Label(turn=1, kind="behaviour", label="apology")] if ext.startswith("a") else []
            )
            s.add(Conversation(external_id=ext, team_id=get_or_create_team(s, team).id, agent_id=agent,
                               started_at=when, score=score, record={}, analysis={}, labels=labels))  # fmt: skip
    db.dispose()
    return seeded


def _error(resp: Any) -> dict[str, Any]:
    body = resp.json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == resp.status_code
    return dict(body["error"])


def _csat_rows() -> list[dict[str, Any]]:
    return [{"conversation_id": f"b{i}", "csat": 3, "fcr": False} for i in range(12)] + [
        {"conversation_id": f"a{i}", "csat": 4, "fcr": True} for i in range(12)
    ]


def test_post_json_then_reimport_updates(client: TestClient, data: Settings) -> None:
    headers = token(client, "coach_a")
    resp = client.post("/api/v1/kpis", json=_csat_rows(), headers=headers)
    assert resp.status_code == 201, resp.text
    assert resp.json() == {
        "conversations_created": 24,
        "conversations_updated": 0,
        "periods_created": 0,
        "periods_updated": 0,
    }
    resp = client.post("/api/v1/kpis", json={"conversation_id": "b0", "csat": 5}, headers=headers)
    assert resp.json()["conversations_updated"] == 1 and resp.json()["conversations_created"] == 0


def test_post_csv_body_and_upload(client: TestClient, data: Settings) -> None:
    headers = token(client, "admin")
    csv_text = "agent_id,metric,value,period_start,period_end\nagent-1,engagement,70,2026-10-01,2026-10-31\n"
    resp = client.post(
        "/api/v1/kpis", content=csv_text, headers={**headers, "Content-Type": "text/csv"}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["periods_created"] == 1
    files = {"file": ("kpis.csv", "conversation_id,csat\nb1,2\nz0,5\n", "text/csv")}
    resp = client.post("/api/v1/kpis", files=files, headers=headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["conversations_created"] == 2
    lines = (
        '{"conversation_id": "b2", "nps": 10}\n{"conversation_id": "b3", "repeat_contact": true}\n'
    )
    resp = client.post(
        "/api/v1/kpis", files={"file": ("k.jsonl", lines, "application/x-ndjson")}, headers=headers
    )
    assert resp.status_code == 201 and resp.json()["conversations_created"] == 2


def test_bad_rows_are_422_with_line_and_column(client: TestClient, data: Settings) -> None:
    headers = token(client, "coach_a")
    files = {"file": ("kpis.csv", "conversation_id,csat\nb1,2\nb2,9\nz0,4\n", "text/csv")}
    resp = client.post("/api/v1/kpis", files=files, headers=headers)
    assert resp.status_code == 422
    error = _error(resp)
    assert error["code"] == "invalid_input"
    assert error["message"].startswith("2 of 3 records could not be read, so nothing was imported")
    assert [(i["line"], i["column"]) for i in error["items"]] == [
        (3, "csat"),
        (4, "conversation_id"),
    ]
    assert "outside your teams" in error["items"][1]["message"]
    assert (
        _error(
            client.post(
                "/api/v1/kpis",
                content="{nope",
                headers={**headers, "Content-Type": "application/json"},
            )
        )["status"]
        == 422
    )
    assert _error(client.post("/api/v1/kpis", json=[], headers=headers))["status"] == 422


def test_agents_may_not_import_and_anonymous_is_401(client: TestClient, data: Settings) -> None:
    resp = client.post("/api/v1/kpis", json=_csat_rows(), headers=token(client, "agent_1"))
    assert resp.status_code == 403 and _error(resp)["code"] == "forbidden"
    assert client.post("/api/v1/kpis", json=_csat_rows()).status_code == 401


def test_before_after_report(client: TestClient, data: Settings) -> None:
    headers = token(client, "coach_a")
    client.post("/api/v1/kpis", json=_csat_rows(), headers=headers)
    resp = client.get(
        "/api/v1/reports/before-after",
        params={"team": "Team A", "event": "2026-11-15"},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["event"] == "2026-11-15" and body["min_n"] == 10
    assert [(g["kind"], g["name"]) for g in body["groups"]] == [
        ("team", "Team A"),
        ("agent", "agent-1"),
        ("agent", "agent-2"),
    ]
    a1 = {c["metric"]: c for c in body["groups"][1]["comparisons"]}
    assert (a1["empathy"]["n_before"], a1["empathy"]["n_after"], a1["empathy"]["difference"]) == (
        12,
        12,
        20.0,
    )
    assert (
        a1["empathy"]["verdict"]["kind"] == "improved"
        and a1["csat"]["verdict"]["kind"] == "improved"
    )
    assert a1["empathy"]["ci_low"] > 0 and a1["empathy"]["effect_size"] > 0.8
    a2 = body["groups"][2]["comparisons"][0]
    assert a2["verdict"]["text"].startswith("too little data to conclude")
    only = client.get(
        "/api/v1/reports/before-after",
        params={"agent": "agent-1", "event": "2026-11-15", "metric": ["csat"]},
        headers=headers,
    ).json()
    assert [c["metric"] for c in only["groups"][0]["comparisons"]] == ["csat"]


def test_before_after_roles_and_errors(client: TestClient, data: Settings) -> None:
    url, event = "/api/v1/reports/before-after", "2026-11-15"
    coach_b = token(client, "coach_b")
    assert (
        _error(client.get(url, params={"team": "Team A", "event": event}, headers=coach_b))["code"]
        == "forbidden"
    )
    agent = token(client, "agent_2")
    mine = client.get(url, params={"team": "Team A", "event": event}, headers=agent).json()
    assert [(g["kind"], g["name"]) for g in mine["groups"]] == [("agent", "agent-2")]
    assert (
        client.get(url, params={"agent": "agent-1", "event": event}, headers=agent).status_code
        == 403
    )
    admin = token(client, "admin")
    assert (
        _error(client.get(url, params={"team": "Nope", "event": event}, headers=admin))["code"]
        == "not_found"
    )
    assert (
        _error(client.get(url, params={"team": "Team A", "event": "15/11/2026"}, headers=admin))[
            "status"
        ]
        == 422
    )
    assert "event" in _error(client.get(url, params={"team": "Team A"}, headers=admin))["message"]
    by_module = client.get(
        url, params={"team": "Team A", "module": "introduction"}, headers=admin
    ).json()
    assert by_module["module"] == "introduction" and by_module["event"] is None
    assert by_module["not_completed"] == ["agent-1", "agent-2"]
    assert (
        _error(client.get(url, params={"team": "Team A", "module": "nope"}, headers=admin))["code"]
        == "not_found"
    )
    assert (
        "metric"
        in _error(
            client.get(
                url, params={"team": "Team A", "event": event, "metric": "joy"}, headers=admin
            )
        )["message"]
    )


def test_csat_correlation_report(client: TestClient, data: Settings) -> None:
    headers = token(client, "coach_a")
    client.post("/api/v1/kpis", json=_csat_rows(), headers=headers)
    url = "/api/v1/reports/csat-correlation"
    body = client.get(url, params={"team": "Team A"}, headers=headers).json()
    assert body["n"] == 24 and body["pearson"]["r"] > 0.8 and body["verdict"]["kind"] == "positive"
    (apology,) = body["behaviours"]
    assert (apology["label"], apology["n_with"], apology["n_without"], apology["difference"]) == (
        "apology",
        12,
        12,
        1.0,
    )
    assert apology["verdict"]["kind"] == "higher"
    early = client.get(
        url, params={"since": "2026-11-01", "until": "2026-11-05"}, headers=headers
    ).json()
    assert early["n"] == 5 and early["verdict"]["kind"] == "too_little_data"
    assert (
        _error(
            client.get(url, params={"since": "2026-11-05", "until": "2026-11-01"}, headers=headers)
        )["status"]
        == 422
    )
    assert (
        client.get(url, params={"team": "Team A"}, headers=token(client, "coach_b")).status_code
        == 403
    )
    assert client.get(url, headers=token(client, "agent_3")).json()["n"] == 0


def test_openapi_lists_the_kpi_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/kpis",
        "/api/v1/reports/before-after",
        "/api/v1/reports/csat-correlation",
    } <= set(paths)
