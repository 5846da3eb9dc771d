"""The import pages: upload or paste, small imports at once, big ones in the background with a
progress page, per-record errors that store nothing, 413 for oversized files, and who may import."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import conversation, log_in, token
from warmline.web import imports_pages

HTML = {"Accept": "text/html"}
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _jsonl(*records: dict[str, Any]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def _stored(client: TestClient) -> list[str]:
    listing = client.get("/api/v1/conversations", headers=token(client, "admin")).json()
    return sorted(c["id"] for c in listing["items"])


def test_a_small_file_imports_at_once(client: TestClient) -> None:
    csrf = log_in(client, "coach_a")
    form = client.get("/import", headers=HTML).text
    assert 'enctype="multipart/form-data"' in form and 'name="records"' in form
    data = _jsonl(conversation("u1", "agent-1"), conversation("u2", None))
    resp = client.post("/import", data={"csrf": csrf}, files={"file": ("team.jsonl", data)}, headers=HTML)
    assert resp.status_code == 200, resp.text
    assert "Imported 2 conversations from team.jsonl" in resp.text and 'href="/conversations/u2"' in resp.text
    assert _stored(client) == ["u1", "u2"]
    log_in(client, "coach_a")
    assert "/conversations/u2" in client.get("/conversations", headers=HTML).text  # into the coach's team


@sqlite_only
def test_a_transcript_keeps_its_file_name_as_its_id(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports_pages, "IMMEDIATE_BYTES", 10)  # one conversation: never the background
    csrf = log_in(client, "coach_a")
    text = b"Customer: My parcel is a week late and I'm fed up.\nAgent: I'm so sorry, Dana. I've reshipped it by express today.\n"
    resp = client.post("/import", data={"csrf": csrf, "agent_id": "agent-2"}, files={"file": ("Call-0042.TXT", text)}, headers=HTML)
    assert resp.status_code == 200 and 'href="/conversations/Call-0042"' in resp.text
    detail = client.get("/api/v1/conversations/Call-0042", headers=token(client, "admin")).json()
    assert detail["agent_id"] == "agent-2" and len(detail["turns"]) == 2


@sqlite_only
def test_pasted_json_object_list_or_lines(client: TestClient) -> None:
    csrf = log_in(client, "admin")
    one = json.dumps(conversation("p1", "agent-1"))
    no_file = {"file": ("", b"", "application/octet-stream")}  # what a browser sends with no file chosen
    resp = client.post("/import", data={"csrf": csrf, "records": one}, files=no_file, headers=HTML)
    assert "Imported 1 conversation from pasted JSON" in resp.text
    many = json.dumps([conversation("p2", "agent-2"), conversation("p3", "agent-3")])
    resp = client.post("/import", data={"csrf": csrf, "records": many, "agent_id": "agent-9", "team": "Night shift"}, headers=HTML)
    assert "Imported 2 conversations" in resp.text
    lines = _jsonl(conversation("p4", "agent-1"), conversation("p1", "agent-1")).decode()
    assert "1 new, 1 updated" in client.post("/import", data={"csrf": csrf, "records": lines}, headers=HTML).text
    detail = client.get("/api/v1/conversations/p3", headers=token(client, "admin")).json()
    assert detail["agent_id"] == "agent-9" and detail["team"] == "Night shift"
    assert _stored(client) == ["p1", "p2", "p3", "p4"]


def test_malformed_records_show_where_and_store_nothing(client: TestClient) -> None:
    csrf = log_in(client, "coach_a")
    bad = conversation("b2", "agent-1")
    bad["turns"][0]["speaker"] = "martian"
    data = _jsonl(conversation("b1", "agent-1"), bad) + b"{not json\n"
    resp = client.post("/import", data={"csrf": csrf}, files={"file": ("bad.jsonl", data)}, headers=HTML)
    assert resp.status_code == 422
    assert "2 of 3 records could not be read, so nothing was imported" in resp.text
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", resp.text)
    assert [(pos, line) for pos, line, _, _ in rows] == [("2", "2"), ("3", "3")]
    assert "martian" in rows[0][3] and "Nothing was stored" in resp.text
    pasted = client.post("/import", data={"csrf": csrf, "records": data.decode()}, headers=HTML)
    assert pasted.status_code == 422 and "line" in pasted.text
    assert _stored(client) == []


@sqlite_only
def test_bad_requests(client: TestClient, app: FastAPI) -> None:
    csrf = log_in(client, "coach_a")
    resp = client.post("/import", data={"csrf": csrf}, files={"file": ("notes.docx", b"x")}, headers=HTML)
    assert resp.status_code == 422 and "unsupported file type .docx" in resp.text
    resp = client.post("/import", data={"csrf": csrf, "records": "  "}, headers=HTML)
    assert resp.status_code == 422 and "choose a file" in resp.text
    resp = client.post("/import", data={"csrf": csrf, "records": "[]"}, headers=HTML)
    assert resp.status_code == 422 and "empty list" in resp.text
    resp = client.post("/import", data={"csrf": csrf, "records": json.dumps(conversation("x", None)), "team": "Team B"}, headers=HTML)
    assert resp.status_code == 422 and "your teams only" in resp.text
    resp = client.post("/import", data={"records": json.dumps(conversation("x", None))}, headers=HTML)
    assert resp.status_code == 403 and "CSRF" in resp.text
    big = b" " * (2 * 1024 * 1024 + 10)  # the test settings allow 2 MB
    resp = client.post("/import", data={"csrf": csrf}, files={"file": ("big.jsonl", big)}, headers=HTML)
    assert resp.status_code == 413 and "larger than the upload limit of 2 MB" in resp.text
    uploads = app.state.ctx.settings.data_dir / "uploads"
    assert not any(uploads.iterdir())
    assert _stored(client) == []


@sqlite_only
def test_agents_cannot_import(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    assert client.get("/import", headers=HTML).status_code == 403
    resp = client.post("/import", data={"csrf": csrf, "records": json.dumps(conversation("a", "agent-1"))}, headers=HTML)
    assert resp.status_code == 403 and _stored(client) == []
    assert 'href="/import"' not in client.get("/assist", headers=HTML).text


def test_a_big_file_runs_in_the_background_with_progress(client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports_pages, "IMMEDIATE_BYTES", 100)
    csrf = log_in(client, "coach_a")
    data = _jsonl(*(conversation(f"g{i}", "agent-1") for i in range(3)))
    resp = client.post("/import", data={"csrf": csrf}, files={"file": ("big.jsonl", data)}, headers=HTML, follow_redirects=False)
    assert resp.status_code == 303
    location = resp.headers["location"]
    job_id = int(location.rsplit("/", 1)[1])
    page = client.get(location, headers=HTML).text
    assert f'data-url="/api/v1/imports/{job_id}"' in page and 'role="progressbar"' in page
    app.state.ctx.runner.wait(timeout=60)
    job = client.get(f"/api/v1/imports/{job_id}").json()  # the page polls with its session cookie
    assert job["status"] == "done" and job["done"] == job["total"] == 3
    done = client.get(location, headers=HTML).text
    assert 'data-status="done"' in done and "Open the conversations" in done
    assert _stored(client) == ["g0", "g1", "g2"]
    log_in(client, "coach_b")
    assert client.get(location, headers=HTML).status_code == 404  # another coach's job


@sqlite_only
def test_a_big_malformed_file_fails_and_a_big_paste_runs_in_the_background(client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports_pages, "IMMEDIATE_BYTES", 100)
    csrf = log_in(client, "admin")
    data = _jsonl(conversation("f1", "agent-1")) + b'{"id": "f2", "turns": "nope"}\n'
    resp = client.post("/import", data={"csrf": csrf}, files={"file": ("bad.jsonl", data)}, headers=HTML, follow_redirects=False)
    app.state.ctx.runner.wait(timeout=60)
    page = client.get(resp.headers["location"], headers=HTML).text
    assert 'data-status="failed"' in page and "nothing was stored" in page
    assert re.search(r"<tr><td>2</td><td>2</td><td>f2</td><td>[^<]*turns", page)
    assert _stored(client) == []
    pasted = json.dumps([conversation("f3", "agent-1"), conversation("f4", "agent-2")], indent=2)
    resp = client.post("/import", data={"csrf": csrf, "records": pasted}, headers=HTML, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/import/")
    app.state.ctx.runner.wait(timeout=60)
    assert 'data-status="done"' in client.get(resp.headers["location"], headers=HTML).text
    assert _stored(client) == ["f3", "f4"]
