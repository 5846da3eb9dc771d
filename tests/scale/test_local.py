"""The partitioned batch run on the local engine: plans, tables, error rows, resume, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from tests.scale.conftest import demo_lines, read_rows
from warmline.cli import main
from warmline.engine.pipeline import Analyzer
from warmline.formats import UnsupportedFormatError
from warmline.scale import (
    CONVERSATION_COLUMNS,
    TURN_COLUMNS,
    Job,
    ResumeMismatchError,
    analyze_partitions,
    plan_partitions,
)

# -- plan -----------------------------------------------------------------------------------


def test_a_big_jsonl_file_is_cut_into_fixed_size_chunks(inputs: Path) -> None:
    plan = plan_partitions([str(inputs / "b.jsonl")], partition_size=4)
    assert [(p.start, p.stop) for p in plan] == [(1, 5), (5, 7)]
    assert [p.name for p in plan] == ["part-00000", "part-00001"]


def test_a_folder_a_glob_and_files_plan_the_same_partitions(inputs: Path) -> None:
    by_folder = plan_partitions([str(inputs)])
    by_glob = plan_partitions([str(inputs / "*.jsonl")])
    by_files = plan_partitions([str(inputs / "a.jsonl"), str(inputs / "b.jsonl")])
    assert by_folder == by_glob == by_files
    assert [Path(p.path).name for p in by_folder] == ["a.jsonl", "b.jsonl"]


def test_a_pattern_that_matches_nothing_says_so(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match="matches no readable file"):
        plan_partitions([str(tmp_path / "*.jsonl")])


# -- tables ---------------------------------------------------------------------------------


def run(inputs: Path, out: Path, analyzer: Analyzer, fmt: str = "parquet", size: int = 3) -> int:
    plan = plan_partitions([str(inputs)], partition_size=size)
    results = list(analyze_partitions(plan, analyzer, Job(str(out), fmt)))
    return sum(not r.skipped for r in results)


def test_parquet_tables_have_one_row_per_turn_and_per_conversation(
    inputs: Path, tmp_path: Path, analyzer: Analyzer
) -> None:
    out = tmp_path / "out"
    run(inputs, out, analyzer)
    conversations = read_rows(out, "conversations")
    turns = read_rows(out, "turns")
    demo = [json.loads(x) for x in demo_lines()]
    assert len(conversations) == len(demo) + 2
    assert len(turns) == sum(len(c["turns"]) for c in demo)
    first = pq.read_table(next((out / "turns").glob("*.parquet")))
    assert first.schema.names == list(TURN_COLUMNS)
    assert first.schema.field("emotions").type == pa.list_(
        pa.struct([("label", pa.string()), ("score", pa.float64()), ("intensity", pa.int64())])
    )
    good = [c for c in conversations if c["error"] is None]
    assert all(0 <= c["score"] <= 100 for c in good if c["score"] is not None)
    assert all(c["n_turns"] >= 1 for c in good)
    staff = [t for t in turns if t["speaker"] != "customer"]
    assert any(t["behaviours"] for t in staff)
    assert any(t["emotions"] and t["intensity"] for t in turns if t["speaker"] == "customer")


def test_a_bad_record_becomes_an_error_row_and_the_run_goes_on(
    inputs: Path, tmp_path: Path, analyzer: Analyzer
) -> None:
    out = tmp_path / "out"
    run(inputs, out, analyzer)
    errors = {c["conversation_id"]: c for c in read_rows(out, "conversations") if c["error"]}
    assert set(errors) == {"broken-1", "no-turns"}
    assert "invalid JSON" in errors["broken-1"]["error"]
    assert errors["broken-1"]["line"] == 5 and errors["broken-1"]["source"].endswith("b.jsonl")
    assert errors["no-turns"]["score"] is None


def test_jsonl_output_has_the_same_rows_as_parquet(
    inputs: Path, tmp_path: Path, analyzer: Analyzer
) -> None:
    run(inputs, tmp_path / "pq", analyzer, "parquet")
    run(inputs, tmp_path / "js", analyzer, "jsonl")
    for table in ("turns", "conversations"):
        assert read_rows(tmp_path / "js", table) == read_rows(tmp_path / "pq", table)
    assert sorted(p.name for p in (tmp_path / "js" / "turns").iterdir())[0] == "part-00000.jsonl"


@pytest.mark.parametrize("layout", ["conversation_rows", "turn_rows"])
def test_parquet_input_gives_the_rows_of_the_same_jsonl(
    layout: str, tmp_path: Path, analyzer: Analyzer
) -> None:
    demo = [json.loads(x) for x in demo_lines()]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "demo.jsonl").write_text("\n".join(demo_lines()) + "\n", "utf-8")
    if layout == "conversation_rows":
        rows = [
            {k: c.get(k) for k in ("id", "agent_id", "channel", "customer_name", "turns")}
            for c in demo
        ]
        for row in rows:
            row["turns"] = [{"speaker": t["speaker"], "text": t["text"]} for t in row["turns"]]
    else:
        rows = [
            {
                "conversation_id": c["id"],
                "speaker": t["speaker"],
                "text": t["text"],
                "agent_id": c.get("agent_id"),
                "channel": c.get("channel"),
                "customer_name": c.get("customer_name"),
            }
            for c in demo
            for t in c["turns"]
        ]
    (tmp_path / "pq").mkdir()
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "pq" / "demo.parquet")
    run(tmp_path / "src", tmp_path / "from-jsonl", analyzer, size=3)
    run(tmp_path / "pq", tmp_path / "from-parquet", analyzer, size=3)
    for table in ("turns", "conversations"):
        expected = read_rows(tmp_path / "from-jsonl", table)
        got = read_rows(tmp_path / "from-parquet", table)
        strip = ("source", "line")
        assert [{k: v for k, v in r.items() if k not in strip} for r in got] == [
            {k: v for k, v in r.items() if k not in strip} for r in expected
        ]


# -- resume ---------------------------------------------------------------------------------


class DiesOn:
    """An analyzer that dies (like a killed process) when it reaches one conversation."""

    def __init__(self, real: Analyzer, conversation_id: str) -> None:
        self.real, self.conversation_id = real, conversation_id

    def analyze(self, conversation):  # type: ignore[no-untyped-def]
        if conversation.id == self.conversation_id:
            raise KeyboardInterrupt
        return self.real.analyze(conversation)


def test_a_rerun_after_a_crash_resumes_after_the_last_completed_partition(
    inputs: Path, tmp_path: Path, analyzer: Analyzer
) -> None:
    out = tmp_path / "out"
    plan = plan_partitions([str(inputs)], partition_size=3)
    fourth = json.loads(demo_lines()[4])["id"]  # in b.jsonl's first partition (part-00002)
    with pytest.raises(KeyboardInterrupt):
        list(analyze_partitions(plan, DiesOn(analyzer, fourth), Job(str(out))))  # type: ignore[arg-type]
    assert sorted(p.stem for p in (out / "_progress").glob("*.json")) == [
        "part-00000",
        "part-00001",
    ]
    before = (out / "turns" / "part-00000.parquet").stat().st_mtime_ns
    results = list(analyze_partitions(plan, analyzer, Job(str(out))))
    assert [r.skipped for r in results] == [True, True, False, False]
    assert (out / "turns" / "part-00000.parquet").stat().st_mtime_ns == before
    ids = [c["conversation_id"] for c in read_rows(out, "conversations")]
    assert len(ids) == len(set(ids)) == len(demo_lines()) + 2
    assert not list(out.rglob("*.tmp"))


def test_a_finished_run_is_not_redone(inputs: Path, tmp_path: Path, analyzer: Analyzer) -> None:
    out = tmp_path / "out"
    assert run(inputs, out, analyzer) == 4
    rows = read_rows(out, "turns")
    assert run(inputs, out, analyzer) == 0
    assert read_rows(out, "turns") == rows


def test_a_folder_of_another_run_is_refused(
    inputs: Path, tmp_path: Path, analyzer: Analyzer
) -> None:
    out = tmp_path / "out"
    run(inputs, out, analyzer, size=3)
    with pytest.raises(ResumeMismatchError, match="other inputs"):
        run(inputs, out, analyzer, size=2)
    with pytest.raises(ResumeMismatchError, match="--output-format parquet"):
        run(inputs, out, analyzer, fmt="jsonl", size=3)


# -- the command line -----------------------------------------------------------------------


def test_the_cli_writes_a_folder_and_exits_1_for_error_rows(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["analyze", str(inputs / "*.jsonl"), "-o", f"{out}/", "--output-format", "jsonl"]
    done = CliRunner().invoke(main, [*args, "--partition-size", "3"])
    assert done.exit_code == 1, done.output
    assert "2 records could not be analysed" in done.output
    assert len(read_rows(out, "conversations")) == len(demo_lines()) + 2
    again = CliRunner().invoke(main, [*args, "--partition-size", "3"])
    assert "4 already done" in again.output
    assert set(CONVERSATION_COLUMNS) == set(read_rows(out, "conversations")[0])


def test_cli_usage_errors(inputs: Path, tmp_path: Path) -> None:
    two = CliRunner().invoke(main, ["analyze", str(inputs / "a.jsonl"), str(inputs / "b.jsonl")])
    assert two.exit_code == 2 and "-o DIR/" in two.output
    engine = CliRunner().invoke(main, ["analyze", str(inputs / "a.jsonl"), "--engine", "dask"])
    assert engine.exit_code == 2 and "need -o DIR/" in engine.output
    report = CliRunner().invoke(main, ["analyze", str(inputs), "-o", f"{tmp_path}/", "--report"])
    assert report.exit_code == 2


def test_a_killed_command_resumes_without_duplicates(tmp_path: Path, analyzer: Analyzer) -> None:
    lines = [json.loads(x) for x in demo_lines()]
    copies = [{**c, "id": f"{c['id']}-{n}"} for n in range(40) for c in lines]
    source = tmp_path / "many.jsonl"
    source.write_text("".join(json.dumps(c) + "\n" for c in copies), "utf-8")
    out = tmp_path / "out"
    args = [str(source), "-o", f"{out}/", "--partition-size", str(len(lines))]
    command = [sys.executable, "-m", "warmline", "analyze", *args]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (out / "_progress" / "part-00002.json").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "no progress marker"
            time.sleep(0.005)
    finally:
        proc.kill()
        proc.wait()
    finished = len(list((out / "_progress").glob("part-*.json")))
    assert 3 <= finished < 40  # killed mid-run
    plan = plan_partitions([str(source)], partition_size=len(lines))
    results = list(analyze_partitions(plan, analyzer, Job(str(out))))
    assert sum(r.skipped for r in results) == finished
    ids = [c["conversation_id"] for c in read_rows(out, "conversations")]
    assert sorted(ids) == sorted(c["id"] for c in copies)
    turns = read_rows(out, "turns")
    keys = {(t["conversation_id"], t["turn_index"]) for t in turns}
    assert len(keys) == len(turns) == sum(len(c["turns"]) for c in copies)
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


@pytest.mark.parametrize("size", [1, 4, 100])
def test_the_rows_do_not_depend_on_the_partition_size(
    size: int, inputs: Path, tmp_path: Path, analyzer: Analyzer
) -> None:
    run(inputs, tmp_path / "whole", analyzer, size=10_000)
    run(inputs, tmp_path / "cut", analyzer, size=size)
    for table in ("turns", "conversations"):
        assert read_rows(tmp_path / "cut", table) == read_rows(tmp_path / "whole", table)
