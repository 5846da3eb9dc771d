"""Fixtures for the property tests: one migrated app per module, on SQLite and PostgreSQL.

Hypothesis runs many examples inside one test, so the app (and its database) lives for the
module; examples add conversations to it, which the properties allow for. Also prints how
many generated inputs the property and schemathesis tests tried.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.properties.counts import TRIED
from tests.support.postgres import PostgresServer
from warmline.admin import upgrade_database
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.users import create_user
from warmline.web import create_app

PASSWORD = "property tests password"
USERS = {
    "admin": ("prop.admin@example.com", "admin", None, None),
    "coach": ("prop.coach@example.com", "coach", "Team P", None),
    "agent": ("prop.agent@example.com", "agent", "Team P", "agent-p"),
}


@dataclass(frozen=True)
class Api:
    """A running app (in-process), its client and each role's bearer headers."""

    app: FastAPI
    client: TestClient
    headers: dict[str, dict[str, str]]
    data_dir: Path
    backend: str


def _seed(settings: Settings) -> None:
    upgrade_database(settings)
    db = Database(settings.resolved_database_url())
    try:
        with db.session() as session:
            for email, role, team, agent_id in USERS.values():
                create_user(
                    session,
                    email=email,
                    password=PASSWORD,
                    role=role,
                    teams=[team] if team else [],
                    agent_id=agent_id,
                )
    finally:
        db.dispose()


@contextmanager
def running_api(url: str, folder: Path, analyzer: Analyzer) -> Iterator[Api]:
    """The app on *url* (migrated here) with an admin, a coach and an agent."""
    settings = Settings(database_url=url, data_dir=folder / "data", max_upload_mb=1)
    _seed(settings)
    app = create_app(settings, analyzer=analyzer)
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {}
        for who, (email, *_) in USERS.items():
            resp = client.post("/api/v1/token", data={"username": email, "password": PASSWORD})
            assert resp.status_code == 200, resp.text
            headers[who] = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        backend = "sqlite" if url.startswith("sqlite") else "postgresql"
        yield Api(app, client, headers, settings.data_dir, backend)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, analyzer: Analyzer
) -> Iterator[Api]:
    """The app on a fresh database, SQLite then PostgreSQL."""
    folder = tmp_path_factory.mktemp("api")
    if request.param == "sqlite":
        with running_api(f"sqlite:///{folder / 'warmline.db'}", folder, analyzer) as running:
            yield running
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"p_{uuid.uuid4().hex[:16]}"
    try:
        with running_api(server.fresh_database(name), folder, analyzer) as running:
            yield running
    finally:
        server.drop_database(name)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per property family, and the total."""
    if not TRIED:
        return
    terminalreporter.section("generated inputs tried")
    for family, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"{family:<48} {count:>6}")
    inputs = sum(n for family, n in TRIED.items() if "operation" not in family)
    terminalreporter.write_line(f"{'total inputs':<48} {inputs:>6}")
