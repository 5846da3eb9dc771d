"""Migrations and engines on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from warmline.store import (  # noqa: F401  (map every table)
    audit_tables,
    calibration_tables,
    curriculum_tables,
    feedback_tables,
    kpi_tables,
    practice_tables,
)
from warmline.store.db import Database, current_revision, head_revision, require_current, upgrade
from warmline.store.errors import StoreError
from warmline.store.tables import Base


def test_upgrade_creates_every_table_and_is_idempotent(database_url: str) -> None:
    db = Database(database_url)
    assert current_revision(db) is None
    with pytest.raises(StoreError, match="warmline db upgrade"):
        require_current(db)
    assert upgrade(db) == head_revision()
    assert upgrade(db) == head_revision()  # a second run changes nothing
    require_current(db)
    tables = set(inspect(db.engine).get_table_names())
    assert {"teams", "users", "memberships", "auth_tokens", "conversations", "labels", "reviews", "import_jobs"} <= tables
    # the migrations build exactly what the ORM maps: every table, every column
    inspector = inspect(db.engine)
    for table in Base.metadata.sorted_tables:
        assert table.name in tables, f"no migration creates {table.name}"
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
    db.dispose()


def test_sqlite_enforces_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'fk.db'}")
    upgrade(db)
    with pytest.raises(Exception, match="FOREIGN KEY"), db.engine.begin() as conn:
        conn.execute(text("INSERT INTO memberships (user_id, team_id) VALUES (41, 42)"))
    db.dispose()


def test_bad_urls_say_what_is_wrong() -> None:
    with pytest.raises(StoreError, match="not a valid SQLAlchemy URL"):
        Database("no-scheme-at-all")
    with pytest.raises(StoreError, match="only sqlite"):
        Database("mysql://u@h/db")


def test_unreachable_postgres_is_a_clear_error() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot reach the database"):
        current_revision(db)


def test_a_session_knows_whether_it_has_written(database_url: str) -> None:
    """The web app ends a session that only read on its event loop, so every way of writing
    must count: a pending object, a flush, and a statement such as UPDATE or DELETE."""
    from sqlalchemy import select, update

    from warmline.store.db import has_written
    from warmline.store.tables import Team

    db = Database(database_url)
    upgrade(db)
    with db.session() as session:
        session.add(Team(name="A"))
    with db.session() as session:
        assert not has_written(session)
        team = session.scalars(select(Team)).one()
        assert not has_written(session)
        team.description = "changed"
        assert has_written(session)  # dirty, not yet flushed
    with db.session() as session:
        session.add(Team(name="B"))
        assert has_written(session)
    with db.session() as session:
        session.add(Team(name="C"))
        session.flush()
        assert has_written(session)
    with db.session() as session:
        assert not has_written(session)
        session.execute(update(Team).where(Team.name == "A").values(description="again"))
        assert has_written(session)
    with db.session() as session:
        session.execute(text("SELECT 1"))  # raw SQL could write: it counts, to be safe
        assert has_written(session)
    db.dispose()


def test_rows_by_reads_many_keys_a_few_hundred_at_a_time(database_url: str) -> None:
    from sqlalchemy import event

    from warmline.store.db import rows_by
    from warmline.store.tables import Team

    db = Database(database_url)
    upgrade(db)
    names = [f"team {i:04d}" for i in range(1203)]
    with db.session() as session:
        session.add_all(Team(name=name) for name in names)
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with db.session() as session:
        found = rows_by(session, Team.name, [*names, "no such team"])
        assert sorted(found) == names
        assert all(team.name == name for name, team in found.items())
        assert rows_by(session, Team.name, []) == {}
    assert sum("FROM teams" in s for s in statements) == 3  # 1,204 keys: 500 + 500 + 204
    db.dispose()
