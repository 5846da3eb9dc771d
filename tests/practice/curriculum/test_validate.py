"""Validating a trainer's module file: the format, and that each item grades as it claims."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.practice.curriculum.helpers import exercise_data, module_data
from warmline.practice.curriculum import CurriculumError, validate_module


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "ours.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_sound_module_validates(tmp_path: Path) -> None:
    result = validate_module(write(tmp_path, module_data()))
    assert result.ok and result.to_dict() == {"module": "sample", "ok": True, "problems": []}


def test_items_that_do_not_grade_as_claimed_are_reported(tmp_path: Path) -> None:
    swapped = exercise_data(0, model_answer="happy", poor_example="frustrated")
    result = validate_module(write(tmp_path, module_data(exercises=[swapped])))
    assert not result.ok
    assert any("feel: the model_answer does not pass" in p for p in result.problems)
    assert any("feel: the poor_example passes" in p for p in result.problems)


def test_a_malformed_file_raises(tmp_path: Path) -> None:
    with pytest.raises(CurriculumError, match="ours.yaml: order"):
        validate_module(write(tmp_path, module_data(order="first")))
