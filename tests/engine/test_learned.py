"""Linear heads: features, the arithmetic of a prediction, the file format and its errors."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from warmline.engine.errors import ConfigError
from warmline.engine.learned import LinearHead, head_from_json, load_head, ngram_keys, read_head


def small_head(base: str | None = None) -> LinearHead:
    return LinearHead(
        "toy",
        ("anger", "joy"),
        (-1.0, 0.5),
        (0.5, 0.6),
        {"w:awful": (2.0, (3.0, -1.0)), "b:thank you": (1.0, (-2.0, 4.0))},
        {"shouted_words": (0.7, 0.0)},
        {"what": "a test head"},
        base,
    )


def test_ngram_keys_fold_numbers_and_add_bigrams() -> None:
    assert ngram_keys(["order", "55102", "late"]) == [
        "w:order",
        "w:<num>",
        "w:late",
        "b:order <num>",
        "b:<num> late",
    ]
    assert ngram_keys([]) == []


def test_probabilities_are_tfidf_logistic_regression() -> None:
    head = small_head()
    probs = head.probabilities(["w:awful", "w:unseen", "w:awful"], {"shouted_words": 2.0})
    # only "awful" is known: its L2-normalised tf-idf value is 1.0; duplicates count once
    z_anger = -1.0 + 3.0 * 1.0 + 0.7 * 2.0
    z_joy = 0.5 - 1.0 * 1.0
    assert probs["anger"] == pytest.approx(1 / (1 + math.exp(-z_anger)))
    assert probs["joy"] == pytest.approx(1 / (1 + math.exp(-z_joy)))
    both = head.logits(["w:awful", "b:thank you"], {})
    norm = math.sqrt(2.0**2 + 1.0**2)
    assert both[1] == pytest.approx(0.5 - 1.0 * 2.0 / norm + 4.0 * 1.0 / norm)


def test_evidence_names_the_ngrams_that_pushed_a_label_up() -> None:
    head = small_head()
    assert head.evidence(["w:awful", "b:thank you"], "joy") == ["thank you"]
    assert head.evidence(["w:awful", "b:thank you"], "anger") == ["awful"]
    assert head.threshold("joy") == 0.6


def test_save_and_read_round_trip_byte_for_byte(tmp_path: Path) -> None:
    head = small_head()
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    head.save(first)
    read_head(first).save(second)
    assert first.read_bytes() == second.read_bytes()
    assert read_head(first) == head


def test_a_team_head_adds_the_shipped_heads_log_odds() -> None:
    shipped = load_head("emotion")
    zero = LinearHead(
        "team",
        shipped.labels,
        (0.0,) * len(shipped.labels),
        shipped.thresholds,
        {},
        {},
        {},
        "emotion",
    )
    keys, dense = ngram_keys(["this", "is", "ridiculous"]), {"anger": 1.0}
    assert zero.logits(keys, dense) == pytest.approx(shipped.logits(keys, dense))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "something/else"}, "not a Warmline model"),
        ({"intercepts": [0.0]}, "same length"),
        ({"thresholds": [0.5, 1.5]}, "strictly between 0 and 1"),
        ({"dense": {"x": [1.0]}}, "one weight per label"),
        ({"ngrams": {"w:x": "oops"}}, "malformed field"),
        ({"base": "gpt"}, "field 'base'"),
    ],
)
def test_malformed_heads_are_refused_with_the_reason(change: dict, message: str) -> None:
    raw = {**small_head().to_json(), **change}
    with pytest.raises(ConfigError, match=message):
        head_from_json(raw, "team/emotion.json.gz")


def test_unreadable_files_name_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "emotion.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(ConfigError, match=str(bad)):
        read_head(bad)
    bad.write_bytes(gzip.compress(json.dumps([1, 2]).encode()))
    with pytest.raises(ConfigError, match="not a Warmline model"):
        read_head(bad)


def test_shipped_heads_carry_model_cards() -> None:
    for name in ("emotion", "behaviours"):
        card = load_head(name).card
        assert card["training_data"] and card["rebuild"].startswith("make models")
        assert "licence" in card


def test_the_intensity_head_grades_loud_anger_above_mild_annoyance() -> None:
    from warmline.engine.pipeline import Analyzer

    analyzer = Analyzer()

    def grade(text: str, label: str) -> int:
        state = analyzer.analyze({"id": "i", "turns": [{"speaker": "customer", "text": text}]})
        found = {e.label: e.intensity for e in state.turns[0].customer.emotions}
        assert label in found, found
        return found[label]

    loud = grade("THIS IS ABSOLUTELY RIDICULOUS!!! FOURTH TIME I'M ASKING, I'M FURIOUS", "anger")
    mild = grade("A bit annoying that the parcel is a day late, but fine.", "frustration")
    assert 1 <= mild < loud <= 3
    card = load_head("intensity").card
    assert "fit on dev, scored on holdout" in card["metrics"]
