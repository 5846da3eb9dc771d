"""The test infrastructure itself: real databases, a live HTTP server and headless Chromium."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from tests.support.browser import screenshot
from tests.support.postgres import (
    PostgresServer,
    PostgresStartError,
    PostgresUnavailable,
    candidate_bindirs,
    find_bindir,
)
from tests.support.server import serve_app

if TYPE_CHECKING:
    from playwright.sync_api import Page

metadata = sa.MetaData()
teams = sa.Table(
    "team",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
)
agents = sa.Table(
    "agent",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("team_id", sa.ForeignKey("team.id"), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
)


def make_engine(url: str) -> Engine:
    """An engine that, on SQLite, turns foreign keys on for every new connection."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _foreign_keys_on(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


# -- databases ------------------------------------------------------------------------------


def test_database_url_round_trips_rows(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            team_id = conn.execute(sa.insert(teams).values(name="Billing")).inserted_primary_key[0]
            conn.execute(sa.insert(agents).values(team_id=team_id, name="Ada — “café”"))
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(teams.c.name, agents.c.name).join(agents, agents.c.team_id == teams.c.id)
            ).all()
        assert rows == [("Billing", "Ada — “café”")]
    finally:
        engine.dispose()


def test_database_url_enforces_foreign_keys(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        metadata.create_all(engine)
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.insert(agents).values(team_id=999, name="orphan"))
    finally:
        engine.dispose()


def test_database_url_starts_empty(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_database_is_a_real_file(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    assert Path(engine.url.database or "").stat().st_size > 0


def test_sqlite_without_the_hook_ignores_foreign_keys(tmp_path: Path) -> None:
    # Why make_engine needs its hook: SQLite ships with foreign keys off per connection.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(agents).values(team_id=999, name="orphan"))
    finally:
        engine.dispose()


def test_fresh_databases_are_isolated(postgres_server: PostgresServer) -> None:
    first = postgres_server.fresh_database("isolation_a")
    second = postgres_server.fresh_database("isolation_b")
    engines = [make_engine(first), make_engine(second)]
    try:
        metadata.create_all(engines[0])
        assert sa.inspect(engines[1]).get_table_names() == []
        with engines[1].connect():
            # Dropping works even with a session still open on the database.
            postgres_server.drop_database("isolation_b")
    finally:
        for engine in engines:
            engine.dispose()
        postgres_server.drop_database("isolation_a")
    with postgres_server.connect() as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert {"isolation_a", "isolation_b"}.isdisjoint(names)
    assert postgres_server.database in names


def test_postgres_server_reports_utf8_and_no_fsync(postgres_server: PostgresServer) -> None:
    with postgres_server.connect(postgres_server.database) as conn:
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)


@pytest.mark.parametrize("name", ["Upper", "semi;colon", "", "x" * 64, "1starts_with_digit"])
def test_fresh_database_rejects_odd_names(name: str) -> None:
    with pytest.raises(ValueError, match="must match"):
        PostgresServer().fresh_database(name)


def _fake_bindir(root: Path, version: str, binaries: tuple[str, ...]) -> Path:
    bindir = root / version / "bin"
    bindir.mkdir(parents=True)
    for name in binaries:
        (bindir / name).write_text("#!/bin/sh\n")
        (bindir / name).chmod(0o755)
    return bindir


def test_find_bindir_prefers_highest_complete_version(tmp_path: Path) -> None:
    _fake_bindir(tmp_path, "9.6", ("initdb", "pg_ctl", "postgres"))
    best = _fake_bindir(tmp_path, "15", ("initdb", "pg_ctl", "postgres"))
    _fake_bindir(tmp_path, "16", ("initdb", "pg_ctl"))  # client-only install: no server
    found = [d for d in candidate_bindirs(lib_root=tmp_path) if d.is_relative_to(tmp_path)]
    assert [d.parent.name for d in found] == ["16", "15", "9.6"]
    assert find_bindir(found) == best


def test_missing_binaries_say_what_to_install(tmp_path: Path) -> None:
    client_only = _fake_bindir(tmp_path, "15", ("initdb",))
    with pytest.raises(PostgresUnavailable, match=r"apt-get install postgresql"):
        PostgresServer(bindir=client_only).start()


def test_start_failure_shows_the_server_log() -> None:
    server = PostgresServer(settings={"shared_buffers": "'lots'"})
    with pytest.raises(PostgresStartError, match=r"(?s)server log tail.*shared_buffers"):
        server.start()
    assert server._root is None  # the half-made cluster is gone


# -- live server and browser ----------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Warmline support check</title>
<style>body{font-family:sans-serif;margin:3rem}button{font-size:1.2rem;padding:.5rem 1rem}</style>
</head><body>
<h1 id="greeting">Waiting for a click</h1>
<button id="go" onclick="document.getElementById('greeting').textContent='Clicked — thank you'">
Say thanks</button>
</body></html>"""


async def _home(_request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


async def _ping(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("pong")


APP = Starlette(routes=[Route("/", _home), Route("/ping", _ping)])


def test_serve_app_answers_real_http() -> None:
    with serve_app(APP) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        response = httpx.get(f"{base_url}/ping", timeout=5)
    assert (response.status_code, response.text) == (200, "pong")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/ping", timeout=2)


def test_browser_page_runs_inline_javascript(browser_page: Page) -> None:
    with serve_app(APP) as base_url:
        browser_page.goto(base_url)
        assert browser_page.viewport_size == {"width": 1280, "height": 900}
        assert browser_page.inner_text("#greeting") == "Waiting for a click"
        browser_page.click("#go")
        browser_page.wait_for_function(
            "document.getElementById('greeting').textContent.startsWith('Clicked')"
        )
        assert browser_page.inner_text("#greeting") == "Clicked — thank you"
        path = screenshot(browser_page, "support_clicked")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(path) > 1000
