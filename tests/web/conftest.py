"""Fixtures for the web app: a migrated database (SQLite file and PostgreSQL), seeded users, an app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from warmline.admin import upgrade_database
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.users import create_user
from warmline.web import create_app

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    email: str
    role: str
    team: str | None = None
    agent_id: str | None = None


ACCOUNTS = {
    "admin": Account("admin@example.com", "admin"),
    "coach_a": Account("coach.a@example.com", "coach", "Team A"),
    "coach_b": Account("coach.b@example.com", "coach", "Team B"),
    "agent_1": Account("agent1@example.com", "agent", "Team A", "agent-1"),
    "agent_2": Account("agent2@example.com", "agent", "Team A", "agent-2"),
    "agent_3": Account("agent3@example.com", "agent", "Team B", "agent-3"),
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a throwaway deployment on the test's database."""
    # Imports analysed in this process: a worker per test app would cost seconds each to start
    # (tests/store/test_import_pool.py covers the worker path).
    return Settings(database_url=database_url, data_dir=tmp_path / "data", max_upload_mb=2, import_workers=0)


@pytest.fixture
def seeded(settings: Settings) -> Settings:
    """The database migrated, with one user per entry of ACCOUNTS."""
    upgrade_database(settings)
    db = Database(settings.resolved_database_url())
    with db.session() as session:
        for acc in ACCOUNTS.values():
            create_user(
                session,
                email=acc.email,
                password=PASSWORD,
                role=acc.role,
                teams=[acc.team] if acc.team else [],
                agent_id=acc.agent_id,
            )
    db.dispose()
    return settings


@pytest.fixture
def app(seeded: Settings, analyzer: Analyzer) -> FastAPI:
    return create_app(seeded, analyzer=analyzer)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def token(client: TestClient, who: str) -> dict[str, str]:
    """Authorization headers for the account *who*."""
    resp = client.post("/api/v1/token", data={"username": ACCOUNTS[who].email, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def log_in(client: TestClient, who: str) -> str:
    """Log *who* in with the form, in a fresh cookie jar; return the session's CSRF token."""
    client.cookies.clear()
    resp = client.post("/login", data={"email": ACCOUNTS[who].email, "password": PASSWORD}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/journal/new", headers={"Accept": "text/html"}).text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def conversation(cid: str, agent_id: str | None, *, team: str | None = None, angry: bool = True) -> dict[str, Any]:
    """A small conversation in the interchange format."""
    customer = (
        "This is the third time I'm writing. My order 48213-K still hasn't arrived and I'm furious."
        if angry
        else "Hi, what are your opening hours on Saturday?"
    )
    record: dict[str, Any] = {
        "id": cid,
        "channel": "chat",
        "customer_name": "Dana Reyes",
        "turns": [
            {"speaker": "customer", "text": customer, "timestamp": "2026-11-02T10:00:00Z"},
            {"speaker": "agent", "text": "Dana, I'm so sorry, that's really frustrating. I've reshipped it today by express and I'll email you the tracking by 5pm."},
        ],
    }
    if agent_id:
        record["agent_id"] = agent_id
    if team:
        record["metadata"] = {"team": team}
    return record
