"""The app on a real uvicorn server on 127.0.0.1: a 50 MB upload, a login round-trip, health."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.server import serve_app
from tests.web.conftest import ACCOUNTS, PASSWORD, conversation
from warmline.admin import upgrade_database
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.users import create_user
from warmline.web import create_app


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_fifty_megabyte_upload_is_refused_and_changes_nothing(database_url: str, tmp_path, analyzer: Analyzer) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")  # default 20 MB limit
    upgrade_database(settings)
    db = Database(database_url)
    with db.session() as session:
        create_user(session, email=ACCOUNTS["admin"].email, password=PASSWORD, role="admin")
    db.dispose()
    app = create_app(settings, analyzer=analyzer)
    line = (json.dumps(conversation("big", "agent-1")) + "\n").encode()
    blob = line * (50 * 1024 * 1024 // len(line) + 1)
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        tok = http.post("/api/v1/token", data={"username": ACCOUNTS["admin"].email, "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {tok['access_token']}"}
        http.post("/api/v1/conversations", json=conversation("kept", "agent-1"), headers=headers)
        resp = http.post("/api/v1/imports", files={"file": ("huge.jsonl", blob)}, headers=headers)
        assert resp.status_code == 413
        error = resp.json()["error"]
        assert error["code"] == "too_large" and "20 MB" in error["message"]
        page = http.post("/import", files={"file": ("huge.jsonl", blob)}, headers={"Accept": "text/html"})
        assert page.status_code == 413 and "text/html" in page.headers["content-type"]
        assert "upload limit of 20 MB" in page.text  # a browser gets the error page, not JSON
        listing = http.get("/api/v1/conversations", headers=headers).json()
        assert [c["id"] for c in listing["items"]] == ["kept"]
        assert http.get("/healthz").json()["status"] == "ok"
    uploads = tmp_path / "data" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir()), "no partial upload is left behind"
