"""`warmline rubric show|import|rescore` against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from warmline.cli import main
from warmline.engine.scoring import load_weights
from warmline.store.db import Database, upgrade


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_show_import_and_rescore(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    upgrade(db)
    db.dispose()
    url = ["--database-url", database_url]
    listed = _run("rubric", "show", *url)
    assert listed.exit_code == 0 and "* v1" in listed.output and "the shipped scoring.yaml" in listed.output
    shown = _run("rubric", "show", "1", *url)
    assert yaml.safe_load(shown.output) == load_weights()

    bad = tmp_path / "bad.yaml"
    bad.write_text("base: 50\naction: {solution: lots}\n", encoding="utf-8")
    refused = _run("rubric", "import", str(bad), *url)
    assert refused.exit_code == 1
    assert f"{bad}: action.solution: expected a number, got the text 'lots'" in refused.output
    assert f"{bad}: emotional: expected a value, it is missing" in refused.output

    good = tmp_path / "stricter.yaml"
    good.write_text(shown.output.replace("base: 50", "base: 40"), encoding="utf-8")
    made = _run("rubric", "import", str(good), "--note", "lower start", *url)
    assert made.exit_code == 0 and "published rubric version 2" in made.output
    assert "* v2" in _run("rubric", "show", *url).output
    assert yaml.safe_load(_run("rubric", "show", "2", *url).output)["base"] == 40
    again = _run("rubric", "rescore", *url)
    assert again.exit_code == 0 and "re-scored 0 conversations with rubric version 2" in again.output
    missing = _run("rubric", "show", "9", *url)
    assert missing.exit_code == 1 and "no rubric version 9" in missing.output
