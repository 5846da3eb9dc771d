"""`warmline retention purge`, `warmline forget` and `warmline audit list|verify` on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from tests.web.conftest import conversation
from warmline.cli import main

KEY = "cli-test-key-" + "z" * 32


def _run(tmp_path: Path, *args: str, key: str | None = KEY) -> Result:
    env = {"WARMLINE_DATA_DIR": str(tmp_path / "data"), "WARMLINE_SECRET_KEY": key}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _setup(tmp_path: Path) -> None:
    assert _run(tmp_path, "db", "upgrade").exit_code == 0
    lines = []
    for cid, customer, when in (("a", "C-1", "2020-03-01T09:00:00Z"), ("b", "C-1", "2099-03-01T09:00:00Z"), ("c", "C-2", "2099-03-02T09:00:00Z")):
        record = conversation(cid, "agent-1")
        record["metadata"] = {"customer_id": customer}
        record["turns"][0]["timestamp"] = when
        lines.append(json.dumps(record))
    source = tmp_path / "convs.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run(tmp_path, "import", str(source))
    assert result.exit_code == 0, result.output


def test_forget_purge_list_and_verify(tmp_path: Path) -> None:
    _setup(tmp_path)
    dry = _run(tmp_path, "forget", "--customer-id", "C-1", "--dry-run")
    assert dry.exit_code == 0 and "would delete 2 conversations" in dry.output
    done = _run(tmp_path, "forget", "--customer-id", "C-1", "--json")
    assert json.loads(done.output)["conversations"] == 2
    purge = _run(tmp_path, "retention", "purge", "--older-than", "30")
    assert purge.exit_code == 0 and "deleted 0 conversations" in purge.output and "audit event 2" in purge.output
    listing = _run(tmp_path, "audit", "list", "--json")
    actions = [json.loads(line)["action"] for line in listing.output.splitlines()]
    assert actions == ["retention.purge", "customer.forget"]
    assert all(json.loads(line)["actor"] == "cli" for line in listing.output.splitlines())
    ok = _run(tmp_path, "audit", "verify")
    assert ok.exit_code == 0 and "intact: 2 events" in ok.output
    # someone rewrites history in the database file
    with sqlite3.connect(tmp_path / "data" / "warmline.db") as conn:
        conn.execute("UPDATE audit_events SET detail = '{\"conversations\": 0}' WHERE id = 1")
    broken = _run(tmp_path, "audit", "verify")
    assert broken.exit_code == 1 and "broken at event 1" in broken.output
    wrong_key = _run(tmp_path, "audit", "verify", key="another-key-" + "q" * 30)
    assert wrong_key.exit_code == 1


def test_the_commands_need_the_apps_key_and_clear_arguments(tmp_path: Path) -> None:
    _setup(tmp_path)
    result = CliRunner().invoke(main, ["audit", "verify"], env={"WARMLINE_DATA_DIR": str(tmp_path / "data"), "WARMLINE_SECRET_KEY": None})
    assert result.exit_code == 1 and "WARMLINE_SECRET_KEY is not set" in result.output
    both = _run(tmp_path, "forget", "--customer-id", "C-1", "--customer-name", "Dana")
    assert both.exit_code == 1 and "exactly one" in both.output
    no_days = _run(tmp_path, "retention", "purge")
    assert no_days.exit_code == 2 and "--older-than" in no_days.output
