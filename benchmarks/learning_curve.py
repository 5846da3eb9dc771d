"""What `warmline train` buys a team: figures with 50, 200 and 1,000 labelled turns.

The question a QA lead asks is "if we label N turns of our own, how much closer does Warmline
get to our reviewers on conversations it has not seen?". We answer it on the only labelled
customer-service data no shipped model has seen, benchmarks/data/test.jsonl, in five folds:
each fold is scored by team heads trained on N turns drawn (fixed seed) from the other four
folds plus the cs_cases dev and holdout sets, and by the shipped models alone. N = 1,000 uses
nearly every labelled turn the project has. Only the team heads are fitted here; nothing of
the shipped models is tuned on test.jsonl.
"""

from __future__ import annotations

import random
from pathlib import Path

from metrics import macro_f1, micro_f1
from warmline.engine.labels import ALL_BEHAVIOURS, EMOTIONS, KIND_EMOTION
from warmline.engine.pipeline import Analyzer
from warmline.labelled import LabelledSet, LabelledTurn, read_labelled
from warmline.training import fit_team

SIZES = (50, 200, 1000)
FOLDS = 5
SEED = 7


def _fold_of(turn: LabelledTurn) -> int:
    """Folds by conversation, so no conversation is split between training and scoring."""
    return sum(map(ord, turn.conversation.id)) % FOLDS


def _predict(
    analyzer: Analyzer, customer: list[LabelledTurn], agent: list[LabelledTurn]
) -> tuple[list[set[str]], list[set[str]]]:
    emotions = [
        {a.label for a in analyzer.detect(t.conversation).on(t.index, KIND_EMOTION)}
        for t in customer
    ]
    behaviours = [
        {
            a.label
            for a in analyzer.detect(t.conversation).on(t.index)
            if a.label in ALL_BEHAVIOURS and a.kind != KIND_EMOTION
        }
        for t in agent
    ]
    return emotions, behaviours


def _pair_accuracy(analyzer: Analyzer, data: LabelledSet) -> float:
    right = 0
    for pair in data.pairs:
        better = analyzer.analyze(pair.better).turns[-1].score
        worse = analyzer.analyze(pair.worse).turns[-1].score
        right += int(better is not None and worse is not None and better.value > worse.value)
    return right / len(data.pairs) if data.pairs else 0.0


def run(test: Path, pool_paths: list[Path], sizes: tuple[int, ...] = SIZES) -> dict[str, float]:
    """Figures per training size, averaged over the test folds (see the module doc)."""
    data = read_labelled(test)
    pool = [read_labelled(p) for p in pool_paths]
    shipped = Analyzer()
    figures: dict[str, float] = {}
    gold_e = [set(t.labels) for t in data.customer]
    gold_b = [set(t.labels) for t in data.agent]
    pred_e, pred_b = _predict(shipped, data.customer, data.agent)
    figures["shipped_emotion_macro_f1"] = macro_f1(gold_e, pred_e, EMOTIONS)
    figures["shipped_behaviour_micro_f1"] = micro_f1(gold_b, pred_b)
    figures["shipped_pair_accuracy"] = _pair_accuracy(shipped, data)
    for size in sizes:
        team_e: list[set[str]] = [set() for _ in data.customer]
        team_b: list[set[str]] = [set() for _ in data.agent]
        pair_right = 0.0
        used = 0
        for fold in range(FOLDS):
            candidates = [t for t in data.customer + data.agent if _fold_of(t) != fold] + [
                t for s in pool for t in s.customer + s.agent
            ]
            rng = random.Random(SEED + fold)
            chosen = rng.sample(candidates, min(size, len(candidates)))
            used = len(chosen)
            subset = LabelledSet(
                [t for t in chosen if _is_customer(t)],
                [t for t in chosen if not _is_customer(t)],
                [],
            )
            team = Analyzer(team=fit_team(subset, f"{size} turns"))
            held_c = [i for i, t in enumerate(data.customer) if _fold_of(t) == fold]
            held_a = [i for i, t in enumerate(data.agent) if _fold_of(t) == fold]
            emotions, behaviours = _predict(
                team, [data.customer[i] for i in held_c], [data.agent[i] for i in held_a]
            )
            for i, p in zip(held_c, emotions, strict=True):
                team_e[i] = p
            for i, p in zip(held_a, behaviours, strict=True):
                team_b[i] = p
            held_pairs = [p for n, p in enumerate(data.pairs) if n % FOLDS == fold]
            pair_right += _pair_accuracy(team, LabelledSet([], [], held_pairs)) * len(held_pairs)
        figures[f"team{size}_turns_used"] = float(used)
        figures[f"team{size}_emotion_macro_f1"] = macro_f1(gold_e, team_e, EMOTIONS)
        figures[f"team{size}_behaviour_micro_f1"] = micro_f1(gold_b, team_b)
        figures[f"team{size}_pair_accuracy"] = pair_right / len(data.pairs) if data.pairs else 0.0
    return figures


def _is_customer(turn: LabelledTurn) -> bool:
    return turn.conversation.turns[turn.index].speaker.value == "customer"


def print_table(figures: dict[str, float], sizes: tuple[int, ...] = SIZES) -> None:
    """One row per training size beside the shipped models."""
    print("\nLearning curve: `warmline train` on N labelled turns, scored on unseen test folds")
    print(f"  {'models':<26}{'emotion F1':>12}{'behaviour F1':>14}{'pair acc':>10}")
    print(
        f"  {'shipped (no team data)':<26}{figures['shipped_emotion_macro_f1']:>12.3f}"
        f"{figures['shipped_behaviour_micro_f1']:>14.3f}{figures['shipped_pair_accuracy']:>10.3f}"
    )
    for size in sizes:
        used = int(figures[f"team{size}_turns_used"])
        print(
            f"  {f'team heads, {used} turns':<26}{figures[f'team{size}_emotion_macro_f1']:>12.3f}"
            f"{figures[f'team{size}_behaviour_micro_f1']:>14.3f}"
            f"{figures[f'team{size}_pair_accuracy']:>10.3f}"
        )
