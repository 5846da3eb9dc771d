"""Imports stored by a worker process are what this process would store, on a real SQLite file
and a real PostgreSQL server; database errors keep their meaning; a worker dies with its parent."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.store.people import add_people, user_by_email
from tests.web.conftest import conversation
from warmline.engine.model import conversation_from_dict
from warmline.engine.pipeline import Analyzer
from warmline.engine.scoring import load_weights
from warmline.redact import Redactor
from warmline.store import rubrics
from warmline.store.conversations import ImportOptions, ImportResult, store_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import NotFoundError, StoreError
from warmline.store.import_pool import ImportPool
from warmline.store.jobs import count_progress
from warmline.store.tables import Conversation, ImportJob

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ImportOptions(redactor=Redactor(), source="test")


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def stored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, ImportPool]]:
    """A migrated database with people in it, and a pool of one worker that stores into it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('pool') / 'warmline.db'}"
    else:
        url = request.getfixturevalue("postgres_server").fresh_database("import_pool")
    db = Database(url)
    upgrade(db)
    with db.session() as session:
        add_people(session)
    pool = ImportPool(url, 1)
    yield db, pool
    pool.shutdown()
    db.dispose()


def _records(prefix: str, *, email: str | None = None) -> list[dict[str, Any]]:
    records = [conversation(f"{prefix}{i}", "a1", angry=i % 2 == 0) for i in range(4)]
    if email:
        records[0]["turns"][0]["text"] += f" Write to me at {email}."
    return records


def _row_view(db: Database, prefix: str) -> list[dict[str, Any]]:
    """What was stored for each conversation of *prefix*, with its own id left out."""
    with db.session() as session:
        rows = session.query(Conversation).filter(Conversation.external_id.startswith(prefix))
        out = []
        for row in sorted(rows, key=lambda r: r.external_id):
            analysis = {k: v for k, v in row.analysis.items() if k != "id"}
            record = {k: v for k, v in row.record.items() if k != "id"}
            labels = sorted((lb.turn, lb.kind, lb.label, lb.score) for lb in row.labels)
            out.append({
                "analysis": analysis, "record": record, "labels": labels, "score": row.score,
                "lowest": row.lowest_turn_score, "rubric": row.rubric_version,
                "redactions": row.redactions, "team": row.team_id, "source": row.source,
            })  # fmt: skip
    return out


def _store_both(db: Database, pool: ImportPool, analyzer: Analyzer, tag: str) -> ImportResult:
    """Store the same records through the pool and in this process, under two id prefixes."""
    there = pool.store([conversation_from_dict(r) for r in _records(f"{tag}-w", email="d@x.io")], OPTIONS)
    with db.session() as session:
        here = [conversation_from_dict(r) for r in _records(f"{tag}-h", email="d@x.io")]
        store_conversations(session, here, analyzer=analyzer, options=OPTIONS)
    return there


def test_the_worker_stores_what_this_process_would(
    stored: tuple[Database, ImportPool], analyzer: Analyzer
) -> None:
    db, pool = stored
    result = _store_both(db, pool, analyzer, "same")
    assert result.ids == [f"same-w{i}" for i in range(4)]
    assert (result.created, result.updated, result.redactions) == (4, 0, 1)
    worker, here = _row_view(db, "same-w"), _row_view(db, "same-h")
    assert len(worker) == 4 and worker == here
    assert "[email]" in json.dumps(worker[0]["record"]) and "d@x.io" not in json.dumps(worker)
    assert all(view["labels"] for view in worker)

    again = pool.store([conversation_from_dict(r) for r in _records("same-w")], OPTIONS)
    assert (again.created, again.updated) == (0, 4)
    with db.session() as session:
        assert session.query(Conversation).filter(Conversation.external_id.startswith("same-w")).count() == 4


def test_the_active_rubric_reaches_the_worker(
    stored: tuple[Database, ImportPool], analyzer: Analyzer
) -> None:
    db, pool = stored
    weights = copy.deepcopy(load_weights())
    weights["base"] = 20
    with db.session() as session:
        version = rubrics.publish_rubric(session, user_by_email(session, "admin@x.io"), weights).version
    try:
        _store_both(db, pool, analyzer, "rubric")
        worker = _row_view(db, "rubric-w")
        assert worker == _row_view(db, "rubric-h")
        assert {view["rubric"] for view in worker} == {version}
        assert [v["score"] for v in worker] != [v["score"] for v in _row_view(db, "same-w")]
    finally:
        with db.session() as session:  # the shipped weights again, for the other tests
            rubrics.publish_rubric(session, None, load_weights())


def test_a_job_counts_its_progress_in_the_same_transaction(
    stored: tuple[Database, ImportPool],
) -> None:
    db, pool = stored
    with db.session() as session:
        job = ImportJob(filename="f.jsonl", total=8)
        session.add(job)
        session.flush()
        job_id = job.id
    for part in ("job-a", "job-b"):
        pool.store([conversation_from_dict(r) for r in _records(part)], OPTIONS, job_id=job_id)
    with db.session() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None and (job.done, job.created, job.updated) == (8, 8, 0)
        count_progress(session, job_id, ImportResult(ids=["x"], updated=1))
        assert (job.done, job.updated) == (9, 1)
        with pytest.raises(NotFoundError, match="import job 999999 does not exist"):
            count_progress(session, 999999, ImportResult())


def test_a_database_error_arrives_as_the_stores_own_error(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'not-migrated.db'}"
    pool = ImportPool(empty, 1)
    try:
        with pytest.raises(StoreError, match="could not complete the request .*no such table"):
            pool.store([conversation_from_dict(r) for r in _records("err")], OPTIONS)
    finally:
        pool.shutdown()


def test_a_worker_runs_at_idle_priority_and_dies_with_its_parent(tmp_path: Path) -> None:
    """The server is killed with kill -9: its worker must not live on, busy with an import
    (here a long task) or idle. Before the watch, a worker left by a killed server was found
    still running an hour later."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import multiprocessing, sys, time\n"
        "from warmline.store.import_pool import ImportPool\n"
        "if __name__ == '__main__':\n"
        "    pool = ImportPool(sys.argv[1], 1)\n"
        "    pool._ensure().submit(time.sleep, 0).result()\n"
        "    pool._ensure().submit(time.sleep, 30)  # busy, as with an import in flight\n"
        "    print(*[p.pid for p in multiprocessing.active_children()], flush=True)\n"
        "    time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, str(script), f"sqlite:///{tmp_path / 'w.db'}"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 1 and _alive(workers[0])
    # Imports run on what the app's draft checks leave of the CPU.
    assert os.sched_getscheduler(workers[0]) == os.SCHED_IDLE
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _alive(workers[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(workers[0]), "the worker outlived its parent"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return status != "Z"


def test_at_least_one_worker() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ImportPool("sqlite://", 0)
