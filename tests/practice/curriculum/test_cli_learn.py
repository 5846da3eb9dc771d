"""``warmline learn``: list modules, print lessons, grade an answer, grade an assessment."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from tests.practice.curriculum.helpers import module_data
from warmline.cli import main
from warmline.practice.curriculum import assessment_items


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["learn", *args])
    return result.exit_code, result.output


def test_modules_lists_them_in_order_and_as_json() -> None:
    code, out = run("modules")
    assert code == 0 and out.splitlines()[0].startswith("1. introduction")
    code, out = run("modules", "--json")
    assert [m["id"] for m in json.loads(out)][-1] == "ongoing-evaluation"


def test_lesson_prints_the_body_and_key_points() -> None:
    code, out = run("lesson", "problem-solving", "solutions-and-graceful-no")
    assert code == 0 and out.startswith("# Solutions, and the graceful no")
    assert "Key points:" in out and "  - " in out
    code, out = run("lesson", "problem-solving", "nope")
    assert code == 2 and "root-cause" in out


def test_exercise_shows_the_task_then_grades_an_answer() -> None:
    code, out = run("exercise", "introduction", "spot-the-brush-off")
    assert code == 0 and "  2. Obviously" in out
    code, out = run("exercise", "introduction", "spot-the-brush-off", "--answer", "2, 4")
    assert code == 0 and out.startswith("pass: score 100/100")
    code, out = run("exercise", "introduction", "spot-the-brush-off", "--answer", "2", "--json")
    data = json.loads(out)
    assert (data["passed"], data["score"], data["missing"]) == (False, 50, ["4"])
    code, out = run("exercise", "introduction", "spot-the-brush-off", "--answer", "nine")
    assert code == 2 and "sentence numbers" in out


def test_assess_grades_an_answers_file(tmp_path: Path) -> None:
    answers = {e.id: e.model_answer for _, e in assessment_items("pre")}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    code, out = run("assess", "pre", "--answers", str(path), "--json")
    data = json.loads(out)
    assert code == 0 and data["percentage"] == 100 and len(data["items"]) == 8
    code, out = run("assess", "pre", "--answers", str(path))
    assert out.startswith("pre-assessment: 8/8 passed (100%)")
    path.write_text("[1, 2]", encoding="utf-8")
    code, out = run("assess", "pre", "--answers", str(path))
    assert code == 2 and "JSON object" in out


def test_assess_without_answers_lists_the_items_without_answers() -> None:
    code, out = run("assess", "post", "--json")
    items = json.loads(out)
    assert code == 0 and len(items) == 8 and "model_answer" not in items[0]


def test_validate_reports_ok_and_broken_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(module_data()), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(module_data(order="first")), encoding="utf-8")
    result = CliRunner().invoke(main, ["learn", "validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert "ok: " in result.output and "invalid: bad.yaml: order: expected" in result.output
