"""`warmline db upgrade`, `users create` and `import` against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.web.conftest import conversation
from warmline.cli import main
from warmline.settings import Settings
from warmline.store.db import Database, head_revision
from warmline.store.tables import Conversation, User


def _run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_upgrade_create_users_and_import(database_url: str, tmp_path: Path) -> None:
    url = ["--database-url", database_url]
    result = _run("db", "upgrade", *url)
    assert result.exit_code == 0 and f"schema {head_revision()}" in result.output
    assert head_revision() != "0001"  # the practice and curriculum migrations ran too
    result = _run("users", "create", "--email", "c@x.io", "--password", "long enough", "--role", "coach", "--team", "Care", *url)
    assert result.exit_code == 0, result.output
    assert "created coach c@x.io in team Care" in result.output
    result = _run("users", "create", "--email", "c@x.io", "--password", "long enough", "--role", "coach", *url)
    assert result.exit_code == 1 and "already exists" in result.output
    result = _run("users", "create", "--email", "a@x.io", "--password", "long enough", "--role", "agent", *url)
    assert result.exit_code == 1 and "agent_id" in result.output
    source = tmp_path / "team.jsonl"
    source.write_text("".join(json.dumps(conversation(f"c{i}", None)) + "\n" for i in range(3)), encoding="utf-8")
    result = _run("import", str(source), "--agent-id", "agent-5", "--team", "Care", *url)
    assert result.exit_code == 0, result.output
    assert "imported 3 conversations" in result.output and "3 new" in result.output
    again = _run("import", str(source), "--agent-id", "agent-5", *url)
    assert "0 new, 3 updated" in again.output
    db = Database(database_url)
    with db.session() as session:
        rows = session.query(Conversation).all()
        assert len(rows) == 3 and {r.agent_id for r in rows} == {"agent-5"}
        assert session.query(User).count() == 1
    db.dispose()


def test_import_of_a_bad_file_names_the_line_and_stores_nothing(tmp_path: Path) -> None:
    url = ["--database-url", f"sqlite:///{tmp_path / 'w.db'}"]
    _run("db", "upgrade", *url)
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(conversation("ok", None)) + "\n{oops\n", encoding="utf-8")
    result = _run("import", str(source), *url)
    assert result.exit_code == 1
    assert "nothing was imported" in result.output and "bad.jsonl:2" in result.output
    db = Database(url[1])
    with db.session() as session:
        assert session.query(Conversation).count() == 0
    db.dispose()


def test_commands_on_an_unmigrated_database_say_to_upgrade(tmp_path: Path) -> None:
    url = ["--database-url", f"sqlite:///{tmp_path / 'empty.db'}"]
    result = _run("users", "create", "--email", "c@x.io", "--password", "long enough", "--role", "admin", *url)
    assert result.exit_code == 1 and "warmline db upgrade" in result.output


def test_bad_settings_are_reported(tmp_path: Path) -> None:
    result = _run("db", "upgrade", env={"WARMLINE_REDACT": "email,shoe-size", "WARMLINE_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1 and "shoe-size" in result.output


def test_settings_default_to_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path.resolve() / 'warmline.db'}"
    assert settings.resolved_secret() == settings.resolved_secret()  # generated once, then kept
    with pytest.raises(ValueError, match="unknown_field"):
        Settings(unknown_field=1)  # type: ignore[call-arg]
