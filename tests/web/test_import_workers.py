"""The web app analyses imports in a worker process, and stores what its own analyzer would."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import conversation, token
from warmline.engine.model import conversation_from_dict
from warmline.engine.pipeline import Analyzer
from warmline.engine.serialize import analysis_to_dict
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.tables import Conversation
from warmline.web import create_app

RECORDS = [conversation(f"c{i}", "agent-1", angry=i % 2 == 0) for i in range(5)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_app_imports_through_its_worker(seeded: Settings, analyzer: Analyzer) -> None:
    settings = seeded.model_copy(update={"import_workers": 1})
    app = create_app(settings, analyzer=analyzer)
    assert app.state.ctx.pool is not None
    with TestClient(app) as client:
        resp = client.post("/api/v1/conversations", json=RECORDS, headers=token(client, "admin"))
        assert resp.status_code == 201 and resp.json()["created"] == 5
    db = Database(settings.resolved_database_url())
    with db.session() as session:
        stored = {c.external_id: c.analysis for c in session.query(Conversation)}
    db.dispose()
    for record in RECORDS:
        here = analysis_to_dict(analyzer.analyze(conversation_from_dict(record)), explain=True)
        assert stored[record["id"]] == here


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_analyzer_of_its_own_keeps_imports_in_process(seeded: Settings) -> None:
    own = Analyzer(calibrate=False)
    settings = seeded.model_copy(update={"import_workers": 1})
    assert create_app(settings, analyzer=own).state.ctx.pool is None
