"""A read-only or full database gives a clear error, and what was stored before stays whole.

How each fault is produced here (the tests may run as root, who ignores file permissions):

* read-only, SQLite: the file is opened through SQLite's own read-only mode
  (``sqlite:///file:PATH?mode=ro&uri=true``), which refuses writes exactly as a read-only
  file does (SQLITE_READONLY), whoever runs the test.
* read-only, PostgreSQL: ``ALTER DATABASE … SET default_transaction_read_only = on``.
* full, SQLite: for the CLI, the child process runs under a file-size limit
  (``RLIMIT_FSIZE``), so the disk is full for it; for the app, ``PRAGMA max_page_count`` on
  its connections, which gives SQLite's own "database or disk is full" (SQLITE_FULL).
* full, PostgreSQL: not produced; the test cluster cannot be given a quota here. The
  mapping of PostgreSQL's disk-full SQLSTATE 53100 is checked on the error itself.
"""

from __future__ import annotations

import json
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.faults.helpers import ADMIN, CLI, env_for, record, wait_for, write_import_file
from warmline.admin import import_file
from warmline.cli import main
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store.errors import (
    ReadOnlyDatabaseError,
    StorageFullError,
    StoreError,
    database_error,
)
from warmline.store.tables import Conversation
from warmline.web import create_app

BEFORE = 5  # conversations stored before the fault


def _stored(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return set(session.scalars(select(Conversation.external_id)))
    finally:
        engine.dispose()


@pytest.fixture
def stocked(migrated: str, tmp_path: Path, analyzer: Analyzer) -> str:
    """The migrated database with BEFORE conversations in it."""
    source = tmp_path / "before.jsonl"
    write_import_file(source, BEFORE)
    settings = Settings(database_url=migrated, data_dir=tmp_path / "data")
    import_file(settings, source, analyzer=analyzer)
    return migrated


def read_only(url: str) -> str:
    """A URL on which *url*'s database refuses every write (see the module docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            name = conn.dialect.identifier_preparer.quote(str(parsed.database))
            conn.execute(text(f"ALTER DATABASE {name} SET default_transaction_read_only = on"))
    finally:
        engine.dispose()
    return url


def _one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: the database ")
    assert "INSERT INTO" not in lines[0] and "[SQL" not in lines[0]  # no statement, no values
    return lines[0]


def test_cli_import_into_a_read_only_database_says_so_and_keeps_what_was_stored(
    stocked: str, tmp_path: Path
) -> None:
    more = tmp_path / "more.jsonl"
    more.write_text("\n".join(json.dumps(record(i)) for i in range(100, 110)) + "\n")
    result = subprocess.run(
        [*CLI, "import", str(more), "--database-url", read_only(stocked)],
        env=env_for(tmp_path, stocked),
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = _one_clear_line(result)
    assert "read-only" in line and "writable" in line
    assert len(_stored(stocked)) == BEFORE


def _limit_file_size(limit: int) -> Any:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_import_onto_a_full_disk_says_so_and_rolls_back(stocked: str, tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    write_import_file(source, 150)
    database = Path(str(make_url(stocked).database))
    # The WAL may grow 64 KiB past the database's size; the import needs about a megabyte.
    limit = database.stat().st_size + 64 * 1024
    result = subprocess.run(
        [*CLI, "import", str(source)],
        env=env_for(tmp_path, stocked),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_file_size(limit),
    )
    line = _one_clear_line(result)
    # A file that may not grow is EFBIG to SQLite ("disk I/O error"); ENOSPC is SQLITE_FULL.
    assert line.startswith(
        "Error: the database could not write to the disk (disk I/O error): check free space"
    ) or line.startswith("Error: the database is full (database or disk is full): free disk")
    assert len(_stored(stocked)) == BEFORE


# -- the app ---------------------------------------------------------------------------------


@pytest.fixture
def settings_for_app(stocked: str, tmp_path: Path) -> Settings:
    return Settings(database_url=stocked, data_dir=tmp_path / "data", max_upload_mb=2)


def _login(client: TestClient) -> dict[str, str]:
    resp = client.post("/api/v1/token", data={"username": ADMIN[0], "password": ADMIN[1]})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


@pytest.fixture
def read_only_client(settings_for_app: Settings, analyzer: Analyzer) -> Iterator[TestClient]:
    """An app on the stocked database turned read-only, and an admin token made before that."""
    with TestClient(create_app(settings_for_app, analyzer=analyzer)) as writable:
        headers = _login(writable)
    url = read_only(settings_for_app.resolved_database_url())
    locked = settings_for_app.model_copy(update={"database_url": url})
    with TestClient(create_app(locked, analyzer=analyzer)) as client:
        client.headers.update(headers)
        yield client


def test_api_write_to_a_read_only_database_is_a_503_that_says_why(
    read_only_client: TestClient, stocked: str
) -> None:
    batch = [record(i) for i in range(200, 205)]
    resp = read_only_client.post("/api/v1/conversations", json=batch)
    assert resp.status_code == 503, resp.text
    error = resp.json()["error"]
    assert error["code"] == "database_read_only"
    assert error["message"].startswith("the database is read-only")
    listed = read_only_client.get("/api/v1/conversations")  # reading still works
    assert listed.status_code == 200 and listed.json()["total"] == BEFORE
    assert len(_stored(stocked)) == BEFORE


@pytest.fixture
def full_client(settings_for_app: Settings, analyzer: Analyzer) -> Iterator[TestClient]:
    """An app whose SQLite database may grow by a few pages only.

    The cap is a pragma on each of the app's own connections, so imports run in the app's
    process here (``import_workers=0``); an import worker's connections would not have it.
    The read-only test above goes through the worker, with the same error mapping.
    """
    in_process = settings_for_app.model_copy(update={"import_workers": 0})
    app = create_app(in_process, analyzer=analyzer)
    engine = app.state.ctx.db.engine
    with engine.connect() as conn:
        pages = int(conn.scalar(text("PRAGMA page_count")) or 0)

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 8}")

    event.listen(engine, "connect", cap)
    engine.dispose()  # pooled connections reconnect with the cap
    with TestClient(app) as client:
        client.headers.update(_login(client))
        yield client


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_api_import_into_a_full_database_is_a_507_and_rolls_back(
    full_client: TestClient, stocked: str
) -> None:
    batch = [record(i) for i in range(300, 400)]
    resp = full_client.post("/api/v1/conversations", json=batch)
    assert resp.status_code == 507, resp.text
    error = resp.json()["error"]
    assert error["code"] == "insufficient_storage"
    assert error["message"].startswith("the database is full (database or disk is full)")
    assert len(_stored(stocked)) == BEFORE


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_background_import_into_a_full_database_fails_the_job_with_the_reason(
    full_client: TestClient, stocked: str
) -> None:
    lines = "\n".join(json.dumps(record(i)) for i in range(400, 500))
    resp = full_client.post(
        "/api/v1/imports", files={"file": ("full.jsonl", lines.encode(), "application/x-ndjson")}
    )
    assert resp.status_code == 202, resp.text
    job_id = resp.json()["id"]

    def ended() -> bool:
        return full_client.get(f"/api/v1/imports/{job_id}").json()["status"] in ("done", "failed")

    wait_for("the job to end", ended, timeout=120, step=0.1)
    job = full_client.get(f"/api/v1/imports/{job_id}").json()
    assert job["status"] == "failed"
    assert job["message"].startswith("the database is full")
    # Whole chunks that fitted may stay (each is its own transaction); none is half-written.
    stored = _stored(stocked)
    assert len(stored) == BEFORE + job["done"]


class _Orig(Exception):
    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("message", "sqlstate", "kind", "start"),
    [
        ("database or disk is full", None, StorageFullError, "the database is full"),
        ('could not extend file "base/1/2": No space left on device', "53100", StorageFullError, "the database is full"),
        ("attempt to write a readonly database", None, ReadOnlyDatabaseError, "the database is read-only"),
        ("cannot execute INSERT in a read-only transaction", "25006", ReadOnlyDatabaseError, "the database is read-only"),
        ("disk I/O error", None, StoreError, "the database could not write to the disk"),
        ("database is locked", None, StoreError, "the database is busy with another write"),
        ("server closed the connection unexpectedly", None, StoreError, "the database could not complete"),
    ],
)  # fmt: skip
def test_database_errors_are_said_in_one_line_with_what_to_do(
    message: str, sqlstate: str | None, kind: type[StoreError], start: str
) -> None:
    exc = OperationalError(
        "INSERT INTO conversations VALUES (?)", ("secret text",), _Orig(message, sqlstate)
    )
    error = database_error(exc)
    assert type(error) is kind
    assert str(error).startswith(start)
    said = str(error)
    assert "\n" not in said and "secret text" not in said and "INSERT INTO" not in said


def test_any_cli_command_on_a_read_only_database_says_so_in_one_line(
    stocked: str, tmp_path: Path
) -> None:
    # Commands outside cli_server (here: retention purge, which records an audit entry) get
    # the same one line from the `warmline` group itself.
    result = CliRunner().invoke(
        main,
        ["retention", "purge", "--older-than", "1", "--database-url", read_only(stocked)],
        env=env_for(tmp_path, stocked),
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: the database is read-only"), result.output
    assert len(_stored(stocked)) == BEFORE
