"""Operations on a deployment that the CLI wraps: migrate, add users, import files, load the demo.

Each function takes the deployment's :class:`~warmline.settings.Settings`, returns data and
prints nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from warmline.demo_kpis import install_demo_kpis
from warmline.engine.pipeline import Analyzer
from warmline.formats import read_conversations
from warmline.redact import Redactor
from warmline.settings import Settings
from warmline.store import db as store_db
from warmline.store.conversations import ImportOptions, ImportResult, import_conversations
from warmline.store.db import Database
from warmline.store.errors import InvalidInputError
from warmline.store.tables import Conversation, User
from warmline.store.users import create_user, get_or_create_team

DEMO_TEAM = "examples/demo_team.jsonl"
DEMO_USERS = "examples/demo_team.yaml"


def open_database(settings: Settings) -> Database:
    """The deployment's database (not migrated: see :func:`upgrade_database`)."""
    return Database(settings.resolved_database_url())


def upgrade_database(settings: Settings) -> str:
    """Migrate the database to the newest schema; returns the revision."""
    db = open_database(settings)
    try:
        return store_db.upgrade(db)
    finally:
        db.dispose()


def add_user(
    settings: Settings,
    *,
    email: str,
    password: str,
    role: str,
    team: str | None = None,
    agent_id: str | None = None,
    display_name: str = "",
) -> User:
    """Create a user (the database must be migrated)."""
    db = open_database(settings)
    try:
        store_db.require_current(db)
        with db.session() as session:
            return create_user(
                session,
                email=email,
                password=password,
                role=role,
                teams=[team] if team else [],
                agent_id=agent_id,
                display_name=display_name,
            )
    finally:
        db.dispose()


def import_file(
    settings: Settings,
    path: Path,
    *,
    fmt: str | None = None,
    agent_id: str | None = None,
    team: str | None = None,
    analyzer: Analyzer | None = None,
) -> ImportResult:
    """Redact, analyse and store every conversation of *path*; all of it, or nothing on a bad record."""
    db = open_database(settings)
    try:
        store_db.require_current(db)
        options = ImportOptions(
            redactor=Redactor(kinds=settings.redact_kinds),
            agent_id=agent_id,
            team=team,
            source=path.name,
        )
        with db.session() as session:
            return import_conversations(
                session,
                read_conversations(path, format=fmt),
                analyzer=analyzer or Analyzer(),
                options=options,
            )
    finally:
        db.dispose()


def discard_stale_uploads(settings: Settings) -> int:
    """Delete uploads left by imports a stopped server never finished; returns how many.

    An upload waits in ``data_dir/uploads`` until its background import ends, unredacted; after
    a crash nothing would ever remove it. Run this before the server starts (``warmline
    serve`` does), not while another server uses the same data folder.
    """
    uploads = settings.data_dir / "uploads"
    folders = [p for p in uploads.glob("upload-*") if p.is_dir()] if uploads.is_dir() else []
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return len(folders)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo account to print for a new user."""

    email: str
    password: str
    role: str
    note: str


def install_demo(
    settings: Settings, *, analyzer: Analyzer | None = None
) -> tuple[list[DemoLogin], int]:
    """Load the bundled demo team (users, conversations and synthetic demo KPIs, see
    :mod:`warmline.demo_kpis`) into an empty database.

    Returns the demo logins and how many conversations were imported (0 when the database
    already held conversations, which are then left as they are).
    """
    spec = _demo_spec()
    logins = [
        DemoLogin(u["email"], u["password"], u["role"], u.get("note") or u.get("display_name", ""))
        for u in spec["users"]
    ]
    db = open_database(settings)
    try:
        store_db.require_current(db)
        with db.session() as session:
            if session.scalar(select(func.count()).select_from(Conversation)):
                return logins, 0
            for team in spec.get("teams", []):
                get_or_create_team(session, team["name"], description=team.get("description", ""))
            for user in spec["users"]:
                if session.scalar(select(User).where(User.email == user["email"])) is None:
                    create_user(
                        session,
                        email=user["email"],
                        password=user["password"],
                        role=user["role"],
                        teams=_teams_of(user),
                        agent_id=user.get("agent_id"),
                        display_name=user.get("display_name", ""),
                    )
        with resources.as_file(resources.files("warmline").joinpath(DEMO_TEAM)) as path:
            result = import_file(settings, path, analyzer=analyzer)
        with db.session() as session:  # synthetic, clearly labelled KPIs (see demo_kpis)
            install_demo_kpis(session)
        return logins, result.created
    finally:
        db.dispose()


def _teams_of(user: dict[str, Any]) -> list[str]:
    teams = user.get("teams") or ([user["team"]] if user.get("team") else [])
    return [str(t) for t in teams]


def _demo_spec() -> dict[str, Any]:
    text = resources.files("warmline").joinpath(DEMO_USERS).read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    if not isinstance(spec, dict) or not isinstance(spec.get("users"), list):
        raise InvalidInputError(f"{DEMO_USERS}: expected a mapping with a list of users")
    return spec


__all__ = [
    "DemoLogin",
    "add_user",
    "discard_stale_uploads",
    "import_file",
    "install_demo",
    "open_database",
    "upgrade_database",
]
