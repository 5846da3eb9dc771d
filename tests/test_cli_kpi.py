"""`warmline kpi import` and `warmline report before-after` against a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from warmline.cli import main
from warmline.store.db import Database, upgrade
from warmline.store.tables import Conversation
from warmline.store.users import get_or_create_team


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _seed(url: str) -> None:
    db = Database(url)
    upgrade(db)
    start, event = datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 15, 9, tzinfo=UTC)
    with db.session() as s:
        team = get_or_create_team(s, "Care").id
        for i in range(12):
            for ext, when, score in ((f"b{i}", start, 50 + i), (f"a{i}", event, 70 + i)):
                s.add(Conversation(external_id=ext, team_id=team, agent_id="agent-7", started_at=when + timedelta(days=i),
                                   score=score, record={}, analysis={}))  # fmt: skip
        s.add(
            Conversation(
                external_id="solo",
                team_id=team,
                agent_id="agent-8",
                started_at=start,
                score=60,
                record={},
                analysis={},
            )
        )
    db.dispose()


def test_kpi_import_and_before_after_report(database_url: str, tmp_path: Path) -> None:
    _seed(database_url)
    url = ["--database-url", database_url]
    source = tmp_path / "kpis.csv"
    rows = [f"b{i},3,false" for i in range(12)] + [f"a{i},4,true" for i in range(12)]
    source.write_text("conversation_id,csat,fcr\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = _run("kpi", "import", str(source), *url)
    assert result.exit_code == 0, result.output
    assert "conversations 24 new, 0 updated; agent periods 0 new, 0 updated" in result.output
    assert "0 new, 24 updated" in _run("kpi", "import", str(source), *url).output

    result = _run("report", "before-after", "--team", "Care", "--event", "2026-11-15", *url)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Before vs after 2026-11-15: team Care")
    assert "Team Care" in out and "Agent agent-7" in out and "Agent agent-8" in out
    empathy = next(line for line in out.splitlines() if "empathy" in line and "+20.00" in line)
    assert "improved" in empathy and "    12     12" in empathy
    assert "too little data to conclude" in out  # agent-8: one conversation

    result = _run(
        "report", "before-after", "--agent", "agent-7", "--event", "2026-11-15", "--json", *url
    )
    body = json.loads(result.output)
    comparisons = {c["metric"]: c for c in body["groups"][0]["comparisons"]}
    assert (
        comparisons["csat"]["difference"] == 1.0
        and comparisons["fcr"]["verdict"]["kind"] == "improved"
    )


def test_a_bad_file_exits_1_with_every_row(database_url: str, tmp_path: Path) -> None:
    _seed(database_url)
    source = tmp_path / "kpis.csv"
    source.write_text("conversation_id,csat\nb0,6\nnope,3\nb1,4\n", encoding="utf-8")
    result = _run("kpi", "import", str(source), "--database-url", database_url)
    assert result.exit_code == 1
    assert "2 of 3 records could not be read, so nothing was imported" in result.output
    assert f"{source}:2: column csat: expected a whole number from 1 to 5, got '6'" in result.output
    assert f"{source}:3: column conversation_id: no conversation with id 'nope'" in result.output


def test_before_after_needs_a_team_or_agent(database_url: str) -> None:
    _seed(database_url)
    result = _run("report", "before-after", "--event", "2026-11-15", "--database-url", database_url)
    assert result.exit_code == 2 and "--team" in result.output
    result = _run(
        "report",
        "before-after",
        "--team",
        "Nope",
        "--event",
        "2026-11-15",
        "--database-url",
        database_url,
    )
    assert result.exit_code == 1 and "no team called 'Nope'" in result.output


def test_before_after_by_module_completion(database_url: str) -> None:
    _seed(database_url)
    url = ["--database-url", database_url]
    result = _run("report", "before-after", "--team", "Care", "--module", "introduction", *url)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Before vs after completing module introduction: team Care")
    assert "left out, module not completed: agent-7, agent-8" in result.output
    both = _run(
        "report",
        "before-after",
        "--team",
        "Care",
        "--module",
        "introduction",
        "--event",
        "2026-11-15",
        *url,
    )
    assert both.exit_code == 2 and "--event YYYY-MM-DD or --module ID" in both.output


def test_csat_correlation_report(database_url: str, tmp_path: Path) -> None:
    _seed(database_url)
    url = ["--database-url", database_url]
    source = tmp_path / "kpis.jsonl"
    records = [{"conversation_id": f"b{i}", "csat": 3} for i in range(12)] + [
        {"conversation_id": f"a{i}", "csat": 4} for i in range(12)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert _run("kpi", "import", str(source), *url).exit_code == 0
    result = _run("report", "csat-correlation", "--team", "Care", *url)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Empathy score vs CSAT: 24 conversations with both")
    assert "higher goes with higher" in result.output
    few = json.loads(
        _run("report", "csat-correlation", "--until", "2026-11-05", "--json", *url).output
    )
    assert few["n"] == 5 and few["verdict"]["kind"] == "too_little_data"
    bad = _run("report", "csat-correlation", "--since", "2026-11-20", "--until", "2026-11-01", *url)
    assert bad.exit_code == 1 and "is after" in bad.output
