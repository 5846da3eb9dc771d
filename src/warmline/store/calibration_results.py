"""Agreement in a closed calibration session: reviewers with each other and with the engine.

Pure functions over a session's snapshot and the submitted answers (no database). The figures:

- **per behaviour**: nominal alpha over the staff turns (present/absent) among the reviewers;
  the same with the engine as one more coder; and the reviewers' majority vs the engine
  (a tie gives no majority for that turn, which is then left out);
- **pooled**: every (turn, behaviour) pair as one unit, for all behaviours and per group;
- **turn score**: interval alpha over the reviewers' 0-100 turn scores, with and without the
  engine's score;
- **each reviewer vs the engine**: pooled behaviours (nominal) and turn scores (interval);
- **disagreements**: the turns and behaviours where reviewers split most, for discussion.

Every figure carries the number of units behind it; a figure alpha cannot be computed for
(everyone gave the same answer, or fewer than two coders) has ``alpha: None`` and a ``why``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from warmline.agreement import AgreementUndefined, Metric, Value, krippendorff
from warmline.engine.labels import ALL_BEHAVIOURS

#: How many disagreements the results list.
TOP_DISAGREEMENTS = 12


@dataclass(frozen=True, slots=True)
class LabelGroup:
    """A group of the reviewer's checklist: its id, title and (label id, hint) pairs."""

    id: str
    title: str
    labels: tuple[tuple[str, str], ...]


@cache
def label_groups() -> tuple[LabelGroup, ...]:
    """The checklist groups from ``store/data/calibration_labels.yaml``, in order."""
    text = resources.files("warmline.store").joinpath("data/calibration_labels.yaml")
    data = yaml.safe_load(text.read_text("utf-8"))
    groups = tuple(
        LabelGroup(g["id"], g["title"], tuple((str(k), str(v)) for k, v in g["labels"].items()))
        for g in data["groups"]
    )
    ids = [label for g in groups for label, _ in g.labels]
    if sorted(ids) != sorted(ALL_BEHAVIOURS):
        raise RuntimeError("calibration_labels.yaml must list every engine behaviour once")
    return groups


def label_ids() -> tuple[str, ...]:
    """Every checklist label id, in checklist order."""
    return tuple(label for g in label_groups() for label, _ in g.labels)


@dataclass(frozen=True, slots=True)
class Coder:
    """One reviewer's submitted answers: per staff turn, the labels present and the score."""

    name: str
    labels: Mapping[int, frozenset[str]]
    scores: Mapping[int, int | None]


def coder_of(name: str, answers: Mapping[str, Any]) -> Coder:
    """A reviewer's stored answers as a :class:`Coder`."""
    turns = answers.get("turns", {})
    return Coder(
        name,
        {int(k): frozenset(v.get("labels", [])) for k, v in turns.items()},
        {int(k): v.get("score") for k, v in turns.items()},
    )


def engine_coder(snapshot: Mapping[str, Any]) -> Coder:
    """The engine's findings in the snapshot as one more coder."""
    engine = snapshot.get("engine", {})
    return Coder(
        "Warmline engine",
        {int(k): frozenset(v.get("labels", [])) for k, v in engine.items()},
        {int(k): v.get("score") for k, v in engine.items()},
    )


def staff_turns(snapshot: Mapping[str, Any]) -> list[int]:
    """The indices of the turns reviewers score."""
    return sorted(int(k) for k in snapshot.get("engine", {}))


def _figure(rows: Sequence[Sequence[Value]], metric: Metric, *, ci: bool) -> dict[str, Any]:
    coders = sum(1 for r in rows if any(v is not None for v in r))
    if coders < 2:
        return {"alpha": None, "units": 0, "reading": "undefined", "why": "fewer than two coders"}
    try:
        result = krippendorff(rows, metric=metric, resamples=1000 if ci else 0)
    except AgreementUndefined as exc:
        units = sum(1 for unit in zip(*rows, strict=True) if sum(v is not None for v in unit) > 1)
        return {"alpha": None, "units": units, "reading": "undefined", "why": str(exc)}
    return result.to_dict()


def _presence(coder: Coder, turns: Sequence[int], label: str) -> list[Value]:
    return [int(label in coder.labels[t]) if t in coder.labels else None for t in turns]


def _majority(reviewers: Sequence[Coder], turns: Sequence[int], label: str) -> list[Value]:
    out: list[Value] = []
    for t in turns:
        votes = [int(label in r.labels[t]) for r in reviewers if t in r.labels]
        present = sum(votes)
        out.append(
            None if not votes or present * 2 == len(votes) else int(present * 2 > len(votes))
        )
    return out


def _label_row(
    label: str, reviewers: Sequence[Coder], engine: Coder, turns: Sequence[int]
) -> dict[str, Any]:
    rows = [_presence(r, turns, label) for r in reviewers]
    eng = _presence(engine, turns, label)
    marked = sum(1 for row in rows for v in row if v == 1)
    return {
        "label": label,
        "reviewers": _figure(rows, "nominal", ci=False),
        "with_engine": _figure([*rows, eng], "nominal", ci=False),
        "majority_vs_engine": _figure(
            [_majority(reviewers, turns, label), eng], "nominal", ci=False
        ),
        "marked_present": marked,
        "engine_present": sum(1 for v in eng if v == 1),
    }


def _pooled(
    labels: Sequence[str], coders: Sequence[Coder], turns: Sequence[int]
) -> list[list[Value]]:
    return [[v for label in labels for v in _presence(c, turns, label)] for c in coders]


def _scores(coder: Coder, turns: Sequence[int]) -> list[Value]:
    return [coder.scores.get(t) for t in turns]


def results(snapshot: Mapping[str, Any], reviewers: Sequence[Coder]) -> dict[str, Any]:
    """Every agreement figure of a closed session (see the module docstring)."""
    turns = staff_turns(snapshot)
    engine = engine_coder(snapshot)
    everyone = [*reviewers, engine]
    groups = []
    for g in label_groups():
        ids = [label for label, _ in g.labels]
        groups.append(
            {
                "id": g.id,
                "title": g.title,
                "reviewers": _figure(_pooled(ids, reviewers, turns), "nominal", ci=True),
                "with_engine": _figure(_pooled(ids, everyone, turns), "nominal", ci=True),
                "labels": [_label_row(label, reviewers, engine, turns) for label in ids],
            }
        )
    all_ids = label_ids()
    return {
        "turns": len(turns),
        "reviewers": [r.name for r in reviewers],
        "behaviours": {
            "reviewers": _figure(_pooled(all_ids, reviewers, turns), "nominal", ci=True),
            "with_engine": _figure(_pooled(all_ids, everyone, turns), "nominal", ci=True),
        },
        "groups": groups,
        "score": {
            "reviewers": _figure([_scores(r, turns) for r in reviewers], "interval", ci=True),
            "with_engine": _figure([_scores(c, turns) for c in everyone], "interval", ci=True),
        },
        "each_vs_engine": [
            {
                "reviewer": r.name,
                "behaviours": _figure(_pooled(all_ids, [r, engine], turns), "nominal", ci=False),
                "score": _figure([_scores(r, turns), _scores(engine, turns)], "interval", ci=False),
            }
            for r in reviewers
        ],
        "disagreements": disagreements(reviewers, engine, turns),
        "score_spread": score_spread(reviewers, engine, turns),
    }


def disagreements(
    reviewers: Sequence[Coder], engine: Coder, turns: Sequence[int]
) -> list[dict[str, Any]]:
    """The (turn, behaviour) pairs reviewers split on, the most even splits first."""
    found: list[dict[str, Any]] = []
    for t in turns:
        for label in label_ids():
            votes = [label in r.labels[t] for r in reviewers if t in r.labels]
            present = sum(votes)
            if 0 < present < len(votes):
                found.append(
                    {
                        "turn": t,
                        "label": label,
                        "present": [r.name for r in reviewers if label in r.labels.get(t, ())],
                        "absent": [
                            r.name for r in reviewers if t in r.labels and label not in r.labels[t]
                        ],
                        "engine": label in engine.labels.get(t, ()),
                        "split": min(present, len(votes) - present) / len(votes),
                    }
                )
    found.sort(key=lambda d: (-d["split"], d["turn"], label_ids().index(d["label"])))
    return found[:TOP_DISAGREEMENTS]


def score_spread(
    reviewers: Sequence[Coder], engine: Coder, turns: Sequence[int]
) -> list[dict[str, Any]]:
    """Per staff turn: each reviewer's score, the spread (highest - lowest) and the engine's."""
    out: list[dict[str, Any]] = []
    for t in turns:
        given = {r.name: r.scores.get(t) for r in reviewers}
        values = [v for v in given.values() if v is not None]
        out.append(
            {
                "turn": t,
                "scores": given,
                "spread": max(values) - min(values) if values else None,
                "mean": sum(values) / len(values) if values else None,
                "engine": engine.scores.get(t),
            }
        )
    return sorted(out, key=lambda d: (-(d["spread"] or 0), d["turn"]))


__all__ = [
    "TOP_DISAGREEMENTS",
    "Coder",
    "LabelGroup",
    "coder_of",
    "disagreements",
    "engine_coder",
    "label_groups",
    "label_ids",
    "results",
    "score_spread",
    "staff_turns",
]
