"""Fitting heads: determinism, the pull towards the shipped model, and a team's house rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.team_data import write_team_file
from warmline.engine.adapt import TeamModels
from warmline.engine.learned import load_head, ngram_keys
from warmline.engine.pipeline import Analyzer
from warmline.labelled import LabelledDataError
from warmline.training import Example, FitOptions, fit_head, train_team

REPLY = {
    "id": "n1",
    "turns": [
        {"speaker": "customer", "text": "Has my parcel moved at all?"},
        {
            "speaker": "agent",
            "text": "It reached the hub today. You will hear a peep from me when it is out.",
        },
    ],
}


def toy_examples() -> list[Example]:
    rows = [
        ("this is awful and late", {"angry"}),
        ("awful service again", {"angry"}),
        ("thank you so much", {"glad"}),
        ("thank you that helps", {"glad"}),
        ("late again awful", {"angry"}),
        ("so much thank you", {"glad"}),
    ]
    return [Example(ngram_keys(t.split()), {}, frozenset(y)) for t, y in rows]


def test_fitting_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    options = FitOptions(c=1.0, min_df=1)
    fit_head("toy", toy_examples(), ("angry", "glad"), options).save(a)
    fit_head("toy", toy_examples(), ("angry", "glad"), options).save(b)
    assert a.read_bytes() == b.read_bytes()
    head = fit_head("toy", toy_examples(), ("angry", "glad"), options)
    probs = head.probabilities(ngram_keys(["awful"]), {})
    assert probs["angry"] > 0.5 > probs["glad"]


def test_a_label_with_no_examples_never_fires() -> None:
    head = fit_head("toy", toy_examples(), ("angry", "bored"), FitOptions(min_df=1))
    assert head.probabilities(ngram_keys(["awful"]), {})["bored"] < 1e-6


def test_a_tiny_correction_keeps_the_shipped_model() -> None:
    shipped = load_head("emotion")
    keys = ngram_keys("i am so angry about this".split())
    offset = dict(zip(shipped.labels, shipped.logits(keys, {}), strict=True))
    examples = [Example(keys, {}, frozenset({"joy"}), 1.0, offset)] * 3
    head = fit_head("t", examples, shipped.labels, FitOptions(c=1e-6, min_df=1), base="emotion")
    assert head.probabilities(keys, {}) == pytest.approx(shipped.probabilities(keys, {}), abs=1e-4)


def test_train_learns_a_house_rule_and_analyze_uses_it(tmp_path: Path) -> None:
    report = train_team(write_team_file(tmp_path / "team.jsonl"), tmp_path / "model")
    assert report.heads == {"emotion": 40, "behaviours": 40}
    assert (
        report.figures["behaviour_micro_f1_team_cv"] > report.figures["behaviour_micro_f1_shipped"]
    )
    team = TeamModels.load(tmp_path / "model")
    assert team.behaviours is not None and "follow_up" in team.behaviours.labels
    shipped = Analyzer().analyze(REPLY).turns[1]
    adapted = Analyzer(team=team).analyze(REPLY).turns[1]
    assert "follow_up" not in {a.label for a in shipped.behaviours()}
    follow = [a for a in adapted.behaviours() if a.label == "follow_up"]
    assert follow and follow[0].detector == "team:team-behaviours"
    assert "'peep'" in follow[0].explanation
    assert REPLY["turns"][1]["text"][follow[0].start : follow[0].end].startswith(
        "You will hear a peep"
    )
    assert 0.5 < follow[0].score <= 1.0


def test_training_twice_writes_the_same_files(tmp_path: Path) -> None:
    data = write_team_file(tmp_path / "team.jsonl")
    train_team(data, tmp_path / "one", evaluate=False)
    train_team(data, tmp_path / "two", evaluate=False)
    for name in ("emotion.json.gz", "behaviours.json.gz"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_too_little_data_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    data = write_team_file(tmp_path / "team.jsonl", n=3)
    with pytest.raises(LabelledDataError, match="at least 10"):
        train_team(data, tmp_path / "model")
    assert not (tmp_path / "model").exists()
