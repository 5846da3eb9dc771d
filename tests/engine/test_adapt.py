"""Calibrated behaviour scores and loading a team's model folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import conv
from warmline.engine.adapt import Calibrator, TeamModels
from warmline.engine.errors import ConfigError
from warmline.engine.features import LEARNED_DETECTORS
from warmline.engine.labels import ALL_BEHAVIOURS
from warmline.engine.learned import load_head
from warmline.engine.pipeline import Analyzer

CASE = conv(
    ("customer", "This is the third time I've asked. Where is my refund?!"),
    (
        "agent",
        "I'm sorry, that's exhausting. I've issued the refund now and I'll email you on Friday.",
    ),
)


def test_behaviour_scores_are_the_calibrated_probabilities() -> None:
    head = load_head("behaviours")
    calibrated = Analyzer().analyze(CASE).turns[1].behaviours()
    raw = Analyzer(calibrate=False).analyze(CASE).turns[1].behaviours()
    assert [a.label for a in calibrated] == [a.label for a in raw] and calibrated
    learned = [a for a in calibrated if a.detector.startswith(LEARNED_DETECTORS)]
    # a learned detector's addition keeps its own model's probability
    assert all(a in raw for a in learned)
    for ann in calibrated:
        if ann in learned:
            continue
        i = ALL_BEHAVIOURS.index(ann.label)
        expected = 1 / (
            1 + __import__("math").exp(-(head.intercepts[i] + head.dense[f"rule:{ann.label}"][i]))
        )
        assert ann.score == pytest.approx(expected, abs=1e-3)
        assert 0.0 < ann.score < 1.0


def test_calibration_does_not_change_the_turn_score() -> None:
    assert (
        Analyzer().analyze(CASE).turns[1].score
        == Analyzer(calibrate=False).analyze(CASE).turns[1].score
    )
    assert isinstance(Calibrator.shipped(), Calibrator)


def test_a_missing_or_empty_model_folder_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such model folder"):
        TeamModels.load(tmp_path / "absent")
    with pytest.raises(ConfigError, match="warmline train"):
        TeamModels.load(tmp_path)
    (tmp_path / "emotion.json.gz").write_bytes(b"garbage")
    with pytest.raises(ConfigError, match="cannot read the model"):
        TeamModels.load(tmp_path)
