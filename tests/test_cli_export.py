"""`warmline export scores` against a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner, Result

from warmline.cli import main
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.store.conversations import ImportOptions, import_conversations
from warmline.store.db import Database, upgrade


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _seed(url: str, analyzer: Analyzer) -> None:
    db = Database(url)
    upgrade(db)
    records = [
        {
            "id": f"c-{day}",
            "agent_id": "agent-7",
            "turns": [
                {"speaker": "customer", "text": "My order is late and I'm upset.",
                 "timestamp": f"2026-11-{day:02d}T09:00:00Z"},
                {"speaker": "agent", "text": "I'm sorry, that's frustrating. I'll chase it now."},
            ],
        }
        for day in (2, 9, 16)
    ]  # fmt: skip
    with db.session() as s:
        import_conversations(
            s, records[:2], analyzer=analyzer, options=ImportOptions(Redactor(), team="Care")
        )
        import_conversations(
            s, records[2:], analyzer=analyzer, options=ImportOptions(Redactor(), team="Other")
        )
    db.dispose()


def test_export_scores_as_parquet_and_csv(
    database_url: str, tmp_path: Path, analyzer: Analyzer
) -> None:
    _seed(database_url, analyzer)
    url = ["--database-url", database_url]
    target = tmp_path / "turns.parquet"
    result = _run("export", "scores", "--level", "turn", "-o", str(target), "--team", "Care", *url)
    assert result.exit_code == 0, result.output
    assert f"wrote 4 turn rows to {target} (parquet)" in result.output
    table = pq.read_table(target)
    assert table.column("conversation_id").to_pylist() == ["c-2", "c-2", "c-9", "c-9"]
    assert table.column("speaker").to_pylist() == ["customer", "agent"] * 2

    result = _run("export", "scores", "--since", "2026-11-05", *url)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["conversation_id"] for r in rows] == ["c-9", "c-16"]
    assert rows[0]["team"] == "Care" and rows[1]["team"] == "Other"

    out = tmp_path / "behaviours.csv"
    result = _run("export", "scores", "--level", "behaviour", "-o", str(out), *url)
    assert result.exit_code == 0 and "(csv)" in result.output
    assert {r["kind"] for r in csv.DictReader(out.open(encoding="utf-8"))} >= {
        "emotion",
        "behaviour",
    }


def test_export_mistakes_are_clear(database_url: str, tmp_path: Path, analyzer: Analyzer) -> None:
    _seed(database_url, analyzer)
    url = ["--database-url", database_url]
    result = _run("export", "scores", "--format", "parquet", *url)
    assert result.exit_code == 2 and "give -o FILE.parquet" in result.output
    result = _run("export", "scores", "--team", "Nobody", *url)
    assert result.exit_code == 1 and "no team called 'Nobody'" in result.output
    result = _run("export", "scores", "--since", "2026-11-20", "--until", "2026-11-01", *url)
    assert result.exit_code == 1 and "is after" in result.output
