"""Database engines and sessions, SQLite or PostgreSQL, and Alembic migrations to the latest schema."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from warmline.store.errors import StoreError

#: Connections an engine may open. The web app admits at most MAX_IN_FLIGHT requests at once
#: (each holds at most one connection), so a request never waits for a connection that only
#: a queued request could give back; the rest is for background imports and the CLI.
POOL_CONNECTIONS = 40
#: Values per ``IN (...)`` list when reading by many keys: well under SQLite's and
#: PostgreSQL's limits on a statement's parameters.
_IN_LIST_LIMIT = 500
_POOL: dict[str, int] = {"pool_size": 10, "max_overflow": POOL_CONNECTIONS - 10, "pool_timeout": 30}


def make_engine(url: str) -> Engine:
    """An engine for *url*; SQLite files get foreign keys, WAL and a busy timeout."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # SQLAlchemy's own message repeats the URL, password and all: say it without it.
        raise StoreError(
            f"database URL {_safe(url)!r} is not a valid SQLAlchemy URL "
            f"(expected sqlite:///FILE or postgresql+psycopg://USER:PASS@HOST/DB)"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        # A URI filename (file:PATH?mode=ro&uri=true) names a file that must exist already.
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": 30}, **_POOL
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True, **_POOL)
    raise StoreError(
        f"database URL {_safe(url)!r}: only sqlite:///FILE and postgresql+psycopg://... are supported"
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """An engine and its session factory; ``session()`` is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.sessions, "after_flush", _note_write)
        event.listen(self.sessions, "do_orm_execute", _note_statement)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def rows_by(session: Session, column: Any, keys: Sequence[Any]) -> dict[Any, Any]:
    """The rows whose mapped *column* (e.g. ``Conversation.external_id``) holds one of *keys*,
    by that value; read a few hundred keys per statement."""
    found: dict[Any, Any] = {}
    for begin in range(0, len(keys), _IN_LIST_LIMIT):
        query = select(column.class_).where(column.in_(keys[begin : begin + _IN_LIST_LIMIT]))
        found.update((getattr(row, column.key), row) for row in session.scalars(query))
    return found


def has_written(session: Session) -> bool:
    """True once *session* has sent a write, or holds one that committing would send.

    A session that only read can end without waiting on anything: its commit takes no lock.
    Raw SQL (``text()``) counts as a write, since it cannot be told apart.
    """
    return bool(session.info.get("wrote") or session.new or session.dirty or session.deleted)


def _note_write(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


def _note_statement(state: Any) -> None:
    if not state.is_select:
        state.session.info["wrote"] = True


@contextmanager
def current_session(url: str) -> Iterator[Session]:
    """One session on the database at *url*, which must be at the newest schema (commits on
    success, rolls back on error); the engine is closed afterwards. For one-shot commands."""
    db = Database(url)
    try:
        require_current(db)
        with db.session() as session:
            yield session
    finally:
        db.dispose()


def _alembic_config() -> tuple[Config, Any]:
    config = Config()
    location = resources.files("warmline.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config, location


def head_revision() -> str:
    """The newest migration this version of Warmline knows."""
    config, _ = _alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    """The migration the database is at (None for an empty database)."""
    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise StoreError(f"cannot reach the database at {_safe(db.url)}: {exc.orig}") from exc


def upgrade(db: Database) -> str:
    """Migrate the database to the newest schema; returns the revision it is now at."""
    config, _ = _alembic_config()
    try:
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise StoreError(f"cannot migrate the database at {_safe(db.url)}: {exc.orig}") from exc
    return head_revision()


def require_current(db: Database) -> None:
    """Raise :class:`StoreError` unless the database is at the newest schema."""
    current = current_revision(db)
    if current != head_revision():
        raise StoreError(
            f"the database at {_safe(db.url)} is at schema {current or 'empty'}, "
            f"this Warmline needs {head_revision()}: run `warmline db upgrade`"
        )


def _safe(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Unparseable: keep the scheme and host, hide anything that may be credentials.
        return re.sub(r"(?<=://)([^:@/]*):[^@/]*@", r"\1:***@", url)


__all__ = [
    "Database",
    "current_revision",
    "head_revision",
    "make_engine",
    "require_current",
    "upgrade",
]
