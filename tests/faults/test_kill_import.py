"""Kill -9 in the middle of a large import, restart, re-run: nothing half-written, nothing twice.

Both ways in are covered, on a real SQLite file (WAL) and a real PostgreSQL server:

* ``warmline import FILE`` stores a file in one transaction, so a kill before its commit
  leaves nothing, and the re-run stores every conversation as new.
* ``POST /api/v1/imports`` runs in the server's background job, which commits a chunk of
  conversations together with the job's progress; a killed server leaves whole chunks, the
  restarted one reports the job as interrupted, and the re-upload finishes the rest.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from tests.faults.helpers import (
    CLI,
    audit,
    env_for,
    kill9,
    running_server,
    wait_for,
    write_import_file,
    written_bytes,
)
from warmline.admin import discard_stale_uploads
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.jobs import CHUNK, ImportRunner
from warmline.store.tables import ImportJob

#: Big enough that SQLite spills uncommitted pages to its WAL well before the commit.
CLI_COUNT = 1200
#: The server commits every CHUNK conversations; the kill lands after 8 chunks.
SERVER_COUNT = 800


def test_cli_import_killed_before_its_commit_stores_nothing_and_the_rerun_stores_all(
    migrated: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.jsonl"
    expected = write_import_file(source, CLI_COUNT)
    env = env_for(tmp_path, migrated)
    baseline = written_bytes(migrated)
    log = tmp_path / "import.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*CLI, "import", str(source)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        # Rows written to disk but not committed: WAL frames (SQLite), heap pages (PostgreSQL).
        wait_for(
            "the import to write rows",
            lambda: process.poll() is not None or written_bytes(migrated) > baseline,
            timeout=180,
            step=0.1,
        )
        assert process.poll() is None, f"the import ended before the kill: {log.read_text()}"
    finally:
        kill9(process)
    assert process.returncode == -signal.SIGKILL

    killed = audit(migrated, expected)
    assert killed.problems == []
    assert killed.rows == 0  # one transaction, killed before its commit

    rerun = subprocess.run(
        [*CLI, "import", str(source)], env=env, capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"imported {CLI_COUNT} conversations" in rerun.stdout
    assert f"{CLI_COUNT} new, 0 updated" in rerun.stdout
    final = audit(migrated, expected)
    assert final.problems == []
    assert final.rows == final.distinct_ids == CLI_COUNT
    assert final.ids == set(expected)


def _upload(http: httpx.Client, source: Path) -> int:
    with source.open("rb") as handle:
        resp = http.post(
            "/api/v1/imports", files={"file": (source.name, handle, "application/x-ndjson")}
        )
    assert resp.status_code == 202, resp.text
    return int(resp.json()["id"])


def _job(http: httpx.Client, job_id: int) -> dict[str, Any]:
    resp = http.get(f"/api/v1/imports/{job_id}")
    assert resp.status_code == 200, resp.text
    job: dict[str, Any] = resp.json()
    assert job["status"] != "failed", job["message"]
    return job


def test_server_killed_mid_import_keeps_whole_chunks_and_the_reupload_finishes(
    migrated: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.jsonl"
    expected = write_import_file(source, SERVER_COUNT)
    env = env_for(tmp_path, migrated)
    log = tmp_path / "server.log"

    with running_server(env, log) as server, server.client() as http:
        first = _upload(http, source)
        wait_for(
            "some chunks to be committed",
            lambda: _job(http, first)["done"] >= 8 * CHUNK,
            timeout=180,
            step=0.1,
        )
        kill9(server.process)
    assert server.process.returncode == -signal.SIGKILL

    killed = audit(migrated, expected)
    assert killed.problems == []
    assert killed.rows == killed.distinct_ids
    assert 8 * CHUNK <= killed.rows < SERVER_COUNT, (
        "the kill should land in the middle of the import"
    )
    assert killed.rows % CHUNK == 0  # whole chunks only: each commits with the job's progress

    with running_server(env, log) as server, server.client() as http:
        report = http.get(f"/api/v1/imports/{first}").json()
        assert report["status"] == "failed"
        assert report["message"].startswith("interrupted: the server stopped after storing")
        assert "upload the file again" in report["message"]
        assert report["done"] == killed.rows  # the progress committed with the data
        assert not list((tmp_path / "data" / "uploads").glob("upload-*/*"))  # nothing left behind

        second = _upload(http, source)
        wait_for(
            "the re-upload to finish",
            lambda: _job(http, second)["status"] == "done",
            timeout=300,
            step=0.2,
        )
        finished = _job(http, second)
        assert finished["done"] == SERVER_COUNT
        assert (finished["created"], finished["updated"]) == (
            SERVER_COUNT - killed.rows,
            killed.rows,
        )
        listed = http.get("/api/v1/conversations", params={"limit": 1}).json()
        assert listed["total"] == SERVER_COUNT

    final = audit(migrated, expected)
    assert final.problems == []
    assert final.rows == final.distinct_ids == SERVER_COUNT
    assert final.ids == set(expected)
    assert "Traceback" not in log.read_text()


def test_a_new_runner_marks_jobs_a_dead_process_left_unfinished(
    migrated: str, analyzer: Analyzer
) -> None:
    db = Database(migrated)
    try:
        with db.session() as session:
            for status, done, total in (("queued", 0, 0), ("running", 50, 800), ("done", 9, 9)):
                session.add(
                    ImportJob(filename=f"{status}.jsonl", status=status, done=done, total=total)
                )
        runner = ImportRunner(db, analyzer)
        runner.shutdown()
        assert runner.interrupted == 2
        with db.session() as session:
            jobs = {j.filename: j for j in session.scalars(select(ImportJob))}
    finally:
        db.dispose()
    assert jobs["done.jsonl"].status == "done" and jobs["done.jsonl"].finished_at is None
    queued, running = jobs["queued.jsonl"], jobs["running.jsonl"]
    assert queued.status == running.status == "failed"
    assert queued.finished_at is not None and running.finished_at is not None
    assert queued.message.startswith("interrupted: the server stopped before storing conversations")
    assert running.message.startswith("interrupted: the server stopped after storing 50 of 800")


def test_serve_start_up_removes_uploads_left_by_a_dead_process(tmp_path: Path) -> None:
    uploads = tmp_path / "data" / "uploads"
    for name in ("upload-a1", "upload-b2"):
        (uploads / name).mkdir(parents=True)
        (uploads / name / "calls.jsonl").write_text('{"id": "x"}\n')
    (uploads / "keep.txt").write_text("not an upload folder")
    settings = Settings(data_dir=tmp_path / "data")
    assert discard_stale_uploads(settings) == 2
    assert sorted(p.name for p in uploads.iterdir()) == ["keep.txt"]
    assert discard_stale_uploads(Settings(data_dir=tmp_path / "nothing-here")) == 0
