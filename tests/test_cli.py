"""The real ``warmline`` command, run in a subprocess on temporary files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import warmline
from warmline import schemas
from warmline.engine.model import MAX_TURN_CHARS

DEMO = Path(warmline.__file__).parent / "examples" / "demo.jsonl"
VALIDATOR = Draft202012Validator(schemas.load("analysis"))


def warmline_cmd() -> list[str]:
    script = Path(sys.executable).with_name("warmline")
    return [str(script)] if script.exists() else [sys.executable, "-m", "warmline"]


def run(args: Sequence[str], *, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run(
        [*warmline_cmd(), *args], input=stdin, capture_output=True, timeout=300, env=env
    )


def lines_of(out: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


def conv(cid: str, *turns: tuple[str, str], name: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": cid, "turns": [{"speaker": s, "text": t} for s, t in turns]}
    if name:
        data["customer_name"] = name
    return data


GOOD = [
    conv(
        "late-1",
        ("customer", "My parcel is a week late and nobody answers my emails. I'm fed up."),
        ("agent", "I'm sorry, Jo, a week with no answer is frustrating. I've reshipped it today."),
        name="Jo",
    ),
    conv("hours-2", ("customer", "What time do you open on Monday?"), ("agent", "9am to 5pm.")),
    conv(
        "refund-3",
        ("customer", "Can I get a refund for order 5521?"),
        ("agent", "Yes, I've refunded the $40 to your card; it shows in 3-5 days."),
        ("customer", "Thank you so much!"),
    ),
]


def jsonl(items: Sequence[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.jsonl"
    path.write_bytes(jsonl(GOOD))
    return path


# Line number → the id its error line should carry (None: only the line number is known).
# A reader may fall back to the line number when it cannot recover the id.
MIXED_ERRORS: dict[int, str | None] = {
    2: "broken",
    3: "who",
    4: "empty",
    5: "huge",
    6: None,
    7: "latin1",
}


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    huge = conv("huge", ("customer", "x" * 2_000_000), ("agent", "ok"))
    parts = [
        json.dumps(GOOD[0]).encode(),
        b'{"id": "broken", "turns": [{"speaker": "customer", "text": "hi"',
        json.dumps(conv("who", ("manager", "Hello there"))).encode(),
        json.dumps({"id": "empty", "turns": []}).encode(),
        json.dumps(huge).encode(),
        b"\x00\x01\x02\xff\xfe\x89PNG\r\x1a\x00junk",
        b'{"id": "latin1", "turns": [{"speaker": "customer", "text": "caf\xe9 cr\xe8me"}]}',
        json.dumps(GOOD[1]).encode(),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(parts) + b"\n")
    return path


def test_jsonl_in_jsonl_out_same_order_and_count(good_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = run(["analyze", str(good_file), "-o", str(out)])
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""
    results = lines_of(out.read_bytes())
    assert [r["id"] for r in results] == [c["id"] for c in GOOD]
    for result, source in zip(results, GOOD, strict=True):
        VALIDATOR.validate(result)
        assert [t["text"] for t in result["turns"]] == [t["text"] for t in source["turns"]]
        assert all(line.startswith(b"{") for line in out.read_bytes().splitlines())


def test_stdin_to_stdout_with_dash(good_file: Path) -> None:
    done = run(["analyze", "-", "-o", "-"], stdin=good_file.read_bytes())
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in lines_of(done.stdout)] == [c["id"] for c in GOOD]


def test_default_output_is_stdout(good_file: Path) -> None:
    done = run(["analyze", str(good_file)])
    assert done.returncode == 0, done.stderr
    assert len(lines_of(done.stdout)) == len(GOOD)


def test_bad_records_become_error_lines_in_place(mixed_file: Path) -> None:
    done = run(["analyze", str(mixed_file)])
    assert done.returncode == 1
    results = lines_of(done.stdout)
    assert len(results) == 8
    for result in results:
        VALIDATOR.validate(result)
    stderr = done.stderr.decode("utf-8", "replace")
    for number, result in enumerate(results, start=1):
        if number in MIXED_ERRORS:
            assert "error" in result, (number, result)
            assert result["error"]["line"] == number
            assert result["id"] in (MIXED_ERRORS[number], number)
            assert f"{mixed_file}:{number}: " in stderr
        else:
            assert "error" not in result and "turns" in result
    assert results[0]["id"] == "late-1" and len(results[0]["turns"]) == 2
    assert results[7]["id"] == "hours-2" and len(results[7]["turns"]) == 2
    assert results[2]["id"] == "who" and "speaker" in results[2]["error"]["message"]
    assert MAX_TURN_CHARS < 2_000_000 and results[4]["id"] == "huge"


def test_strict_stops_at_the_first_bad_record(mixed_file: Path) -> None:
    done = run(["analyze", "--strict", str(mixed_file)])
    assert done.returncode != 0
    results = lines_of(done.stdout)
    assert [r.get("id") for r in results] == ["late-1", "broken"]
    assert results[1]["error"]["line"] == 2
    assert f"{mixed_file}:2: " in done.stderr.decode()


def test_explain_lines_validate_and_carry_the_extra_fields(good_file: Path) -> None:
    done = run(["analyze", "--explain", str(good_file)])
    assert done.returncode == 0, done.stderr
    for result in lines_of(done.stdout):
        VALIDATOR.validate(result)
        assert {"escalated", "trajectory", "breakdown", "missed_opportunities"} <= set(result)
        assert "best_moments" in result


def test_every_demo_line_validates_against_the_output_schema() -> None:
    done = run(["analyze", str(DEMO), "--explain"])
    assert done.returncode == 0, done.stderr
    results = lines_of(done.stdout)
    assert len(results) == 8
    for result in results:
        VALIDATOR.validate(result)


def normalise(text: str) -> str:
    return " ".join(text.split())


def assert_readable_report(report: str, analyses: list[dict[str, Any]]) -> None:
    flat = normalise(report)
    assert "\x1b[" not in report
    assert "Summary" in report and "Average score" in report
    for analysis in analyses:
        assert analysis["id"] in report
        if analysis["score"] is not None:
            assert f"{analysis['score']}/100" in report
        for turn in analysis["turns"]:
            for behaviour in turn.get("behaviours", []):
                evidence = normalise(turn["text"][behaviour["start"] : behaviour["end"]])
                assert f"“{evidence[:60]}" in flat, evidence


def test_report_prints_scores_and_quoted_evidence() -> None:
    analyses = lines_of(run(["analyze", str(DEMO)]).stdout)
    done = run(["analyze", "--report", str(DEMO)])
    assert done.returncode == 0, done.stderr
    assert_readable_report(done.stdout.decode("utf-8"), analyses)


def test_demo_prints_the_report_of_the_bundled_examples() -> None:
    analyses = lines_of(run(["analyze", str(DEMO)]).stdout)
    done = run(["demo"])
    assert done.returncode == 0, done.stderr
    report = done.stdout.decode("utf-8")
    assert_readable_report(report, analyses)
    assert "Conversations: 8" in report


def test_report_shows_bad_records_and_exits_1(mixed_file: Path) -> None:
    done = run(["analyze", "--report", str(mixed_file)])
    assert done.returncode == 1
    report = done.stdout.decode("utf-8")
    assert "could not be analysed" in report
    assert "late-1" in report and "hours-2" in report


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    done = run(["analyze", str(missing)])
    assert done.returncode == 2
    stderr = done.stderr.decode()
    assert "nope.jsonl" in stderr and "does not exist" in stderr
    assert done.stdout == b""


def test_bad_role_mapping_is_a_usage_error(good_file: Path) -> None:
    done = run(["analyze", str(good_file), "--role", "Priya"])
    assert done.returncode == 2
    assert "NAME=ROLE" in done.stderr.decode()


def test_version() -> None:
    done = run(["--version"])
    assert done.returncode == 0
    assert warmline.__version__ in done.stdout.decode()


def test_python_dash_m_runs_the_same_cli(good_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "warmline", "analyze", str(good_file)],
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert len(lines_of(done.stdout)) == len(GOOD)


def test_csv_input(tmp_path: Path) -> None:
    path = tmp_path / "chats.csv"
    path.write_text(
        "conversation_id,speaker,text,customer_name\n"
        'c1,customer,"Where is my order? It is two weeks late.",Sam\n'
        "c1,agent,\"I'm sorry, Sam. I've reshipped it by express today.\",\n"
        "c2,customer,What are your opening hours?,\n"
        "c2,agent,We are open 9am to 5pm on weekdays.,\n",
        encoding="utf-8",
    )
    done = run(["analyze", str(path)])
    assert done.returncode == 0, done.stderr
    results = lines_of(done.stdout)
    assert [r["id"] for r in results] == ["c1", "c2"]
    for result in results:
        VALIDATOR.validate(result)


def test_text_transcript_with_role_mapping(tmp_path: Path) -> None:
    path = tmp_path / "call.txt"
    path.write_text(
        "Priya: Hi, my card was charged twice for the same order.\n"
        "Ben: I'm sorry about that, Priya. I've refunded the second charge just now.\n"
        "Priya: Thanks!\n",
        encoding="utf-8",
    )
    args = ["analyze", str(path), "--format", "text", "--role", "Priya=customer"]
    done = run([*args, "--role", "Ben=agent"])
    assert done.returncode == 0, done.stderr
    (result,) = lines_of(done.stdout)
    VALIDATOR.validate(result)
    assert [t["speaker"] for t in result["turns"]] == ["customer", "agent", "customer"]


def test_train_then_analyze_with_the_team_model(tmp_path: Path) -> None:
    from tests.team_data import write_team_file

    labelled = write_team_file(tmp_path / "team.jsonl")
    folder = tmp_path / "model"
    trained = run(["train", str(labelled), "-o", str(folder)])
    assert trained.returncode == 0, trained.stderr
    out = trained.stdout.decode()
    assert "trained behaviours head on 40 labelled turns" in out
    assert "5-fold cross-validated" in out and f"--model {folder}" in out
    src = tmp_path / "new.jsonl"
    src.write_text(
        json.dumps(
            conv(
                "n1",
                ("customer", "Has my parcel moved?"),
                ("agent", "It reached the hub today. You'll hear a peep from me when it is out."),
            )
        )
        + "\n",
        encoding="utf-8",
    )
    plain = lines_of(run(["analyze", str(src)]).stdout)[0]
    adapted = run(["analyze", "--model", str(folder), str(src)])
    assert adapted.returncode == 0, adapted.stderr
    result = lines_of(adapted.stdout)[0]
    VALIDATOR.validate(result)
    assert "follow_up" not in {b["id"] for b in plain["turns"][1]["behaviours"]}
    assert "follow_up" in {b["id"] for b in result["turns"][1]["behaviours"]}


def test_train_and_model_errors_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "emotion", "text": "hi", "emotions": [{"label": "rage"}]}\n')
    result = run(["train", str(bad), "-o", str(tmp_path / "m")])
    assert result.returncode == 2
    assert f"{bad} line 1: field 'emotions' has unknown label 'rage'" in result.stderr.decode()
    result = run(["analyze", "--model", str(tmp_path / "missing"), str(DEMO)])
    assert result.returncode == 2
    assert "no such model folder" in result.stderr.decode()
