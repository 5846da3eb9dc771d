"""The data-protection API (retention purge, forget a customer, audit log) and the retention
schedule, on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import conversation, token
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store.audit import verify_chain
from warmline.store.db import Database
from warmline.web import create_app


def _import(client: TestClient, headers: dict[str, str], cid: str, customer_id: str, when: str) -> None:
    record = conversation(cid, "agent-1")
    record["metadata"] = {"customer_id": customer_id}
    record["turns"][0]["timestamp"] = when
    resp = client.post("/api/v1/conversations", json=record, headers=headers)
    assert resp.status_code in (200, 201), resp.text


def _ids(client: TestClient, headers: dict[str, str]) -> set[str]:
    return {c["id"] for c in client.get("/api/v1/conversations", headers=headers).json()["items"]}


def test_forget_then_audit_then_verify(client: TestClient) -> None:
    admin = token(client, "admin")
    _import(client, admin, "c1", "C-1", "2026-11-02T10:00:00Z")
    _import(client, admin, "c2", "C-2", "2026-11-03T10:00:00Z")
    dry = client.post("/api/v1/customers/forget", json={"customer_id": "C-1", "dry_run": True}, headers=admin)
    assert dry.status_code == 200 and dry.json()["conversations"] == 1 and dry.json()["audit_event_id"] is None
    assert _ids(client, admin) == {"c1", "c2"}
    done = client.post("/api/v1/customers/forget", json={"customer_id": "C-1"}, headers=admin).json()
    assert done["conversations"] == 1 and done["audit_event_id"] is not None
    assert _ids(client, admin) == {"c2"}
    assert client.get("/api/v1/conversations/c1", headers=admin).status_code == 404
    events = client.get("/api/v1/audit", headers=admin).json()
    assert [e["action"] for e in events] == ["customer.forget"]
    assert events[0]["actor"] == "admin@example.com" and "C-1" not in str(events[0]["detail"])
    assert client.get("/api/v1/audit/verify", headers=admin).json() == {
        "ok": True, "events": 1, "first_bad_id": None, "reason": "",
    }  # fmt: skip


def test_purge_needs_days_when_no_retention_is_configured(client: TestClient) -> None:
    admin = token(client, "admin")
    resp = client.post("/api/v1/retention/purge", json={}, headers=admin)
    assert resp.status_code == 422 and "WARMLINE_RETENTION_DAYS" in resp.json()["error"]["message"]
    bad = client.post("/api/v1/retention/purge", json={"days": 0}, headers=admin)
    assert bad.status_code == 422
    unknown = client.post("/api/v1/customers/forget", json={"email": "x@y.z"}, headers=admin)
    assert unknown.status_code == 422
    neither = client.post("/api/v1/customers/forget", json={}, headers=admin)
    assert neither.status_code == 422 and "exactly one" in neither.json()["error"]["message"]


@pytest.mark.parametrize("who", ["coach_a", "agent_1"])
def test_only_admins_reach_privacy_routes(client: TestClient, who: str) -> None:
    admin = token(client, "admin")
    _import(client, admin, "c1", "C-1", "2026-11-02T10:00:00Z")
    headers = token(client, who)
    assert client.post("/api/v1/customers/forget", json={"customer_id": "C-1"}, headers=headers).status_code == 403
    assert client.post("/api/v1/retention/purge", json={"days": 1}, headers=headers).status_code == 403
    assert client.get("/api/v1/audit", headers=headers).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=headers).status_code == 403
    assert client.post("/api/v1/customers/forget", json={"customer_id": "C-1"}).status_code == 401
    assert _ids(client, admin) == {"c1"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_retention_schedule_purges_at_start_and_is_audited(seeded: Settings, analyzer: Analyzer, tmp_path: Path) -> None:
    with TestClient(create_app(seeded, analyzer=analyzer)) as client:
        admin = token(client, "admin")
        _import(client, admin, "ancient", "C-1", "2020-01-05T10:00:00Z")
        _import(client, admin, "recent", "C-2", "2099-01-05T10:00:00Z")
    kept = seeded.model_copy(update={"retention_days": 365})
    app = create_app(kept, analyzer=analyzer)
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        while not app.state.retention.runs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.conversations for r in app.state.retention.runs] == [1]
        admin = token(client, "admin")
        assert _ids(client, admin) == {"recent"}
        [event] = client.get("/api/v1/audit", headers=admin).json()
        assert event["actor"] == "retention schedule" and event["detail"]["older_than_days"] == 365
        # without days in the body, a purge uses the configured period
        again = client.post("/api/v1/retention/purge", json={"dry_run": True}, headers=admin).json()
        assert again["criteria"]["older_than_days"] == 365 and again["conversations"] == 0
    db = Database(seeded.resolved_database_url())
    with db.session() as session:
        assert verify_chain(session, seeded.resolved_secret()).ok
    db.dispose()
