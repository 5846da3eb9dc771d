"""The debrief at the end of a role-play: scores, trajectory, what worked, what to try.

:func:`debrief` reads a finished (or stopped) :class:`~warmline.practice.simulator.Session`:
the score of every reply, the customer's intensity at each of their lines, the signals that
calmed them (with a quote), the behaviours to try next with the engine's tips (and the
scenario's own tips for its cues), a rewrite of the weakest reply with its score, and, when
given earlier attempts (their :meth:`Debrief.to_dict` data), how this one compares.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warmline.engine.assist import check_draft
from warmline.practice.simulator import Reading, Session


@dataclass(frozen=True, slots=True)
class Worked:
    """A signal that calmed the customer: how often, by how much in all, and a quote."""

    label: str
    count: int
    effect: float
    example: str


@dataclass(frozen=True, slots=True)
class ToTry:
    """Something to do next time: a missing behaviour or an anti-pattern to drop, with a tip."""

    label: str
    kind: str  # "missing" (never or rarely shown when needed) or "avoid" (an anti-pattern)
    count: int
    tip: str


@dataclass(frozen=True, slots=True)
class Weakest:
    """The lowest-scoring reply and the engine's rewrite of it, scored in the same context."""

    index: int
    text: str
    score: int
    rewrite: str | None
    rewrite_score: int | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """This attempt against earlier ones of the same scenario (oldest first)."""

    attempts: int
    previous_scores: tuple[int, ...]
    previous_outcomes: tuple[str, ...]
    score_change: int
    intensity_change: float
    best_before: int
    new_worked: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Debrief:
    """Everything shown after a session; :meth:`to_dict` is JSON-ready."""

    scenario: str
    seed: int
    outcome: str
    score: int
    final_intensity: float
    turns: tuple[Mapping[str, str], ...]
    replies: tuple[Reading, ...]
    trajectory: tuple[tuple[str, float], ...]
    worked: tuple[Worked, ...]
    to_try: tuple[ToTry, ...]
    weakest: Weakest | None
    comparison: Comparison | None

    def to_dict(self) -> dict[str, Any]:
        """Plain data: outcome, score, final_intensity, turns, replies, trajectory and advice."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "outcome": self.outcome,
            "score": self.score,
            "final_intensity": round(self.final_intensity, 3),
            "turns": [dict(t) for t in self.turns],
            "replies": [r.to_dict() for r in self.replies],
            "trajectory": [
                {"line": i, "state": state, "intensity": round(level, 3)}
                for i, (state, level) in enumerate(self.trajectory)
            ],
            "worked": [
                {
                    "id": w.label,
                    "count": w.count,
                    "effect": round(w.effect, 3),
                    "example": w.example,
                }
                for w in self.worked
            ],
            "to_try": [
                {"id": t.label, "kind": t.kind, "count": t.count, "tip": t.tip} for t in self.to_try
            ],
            "weakest": None if self.weakest is None else _plain(self.weakest),
            "comparison": None if self.comparison is None else _plain(self.comparison),
        }


def _plain(item: Weakest | Comparison) -> dict[str, Any]:
    out = {name: getattr(item, name) for name in item.__slots__}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def debrief(session: Session, *, previous: Sequence[Debrief | Mapping[str, Any]] = ()) -> Debrief:
    """The debrief of *session*, compared with *previous* attempts when given."""
    trajectory = tuple((line.state, line.intensity) for line in session.lines)
    return Debrief(
        scenario=session.scenario.id,
        seed=session.seed,
        outcome=session.outcome,
        score=session.score,
        final_intensity=session.intensity,
        turns=tuple(dict(t) for t in session.turns),
        replies=tuple(session.readings),
        trajectory=trajectory,
        worked=_worked(session.readings),
        to_try=_to_try(session),
        weakest=_weakest(session),
        comparison=_compare(session, previous),
    )


def _worked(readings: Sequence[Reading]) -> tuple[Worked, ...]:
    effect: defaultdict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()
    example: dict[str, str] = {}
    for reading in readings:
        quotes = {b.label: b.text for b in reading.check.behaviours} | dict(reading.quotes)
        for label, amount in reading.reaction.calmed.items():
            effect[label] += amount
            count[label] += 1
            example.setdefault(label, quotes.get(label, reading.text))
    order = sorted(effect, key=lambda k: (-effect[k], k))
    return tuple(Worked(k, count[k], effect[k], example[k]) for k in order)


def _to_try(session: Session) -> tuple[ToTry, ...]:
    scenario, coach = session.scenario, session.analyzer.coach
    tips: dict[str, str] = {}
    missing: Counter[str] = Counter()
    avoid: Counter[str] = Counter()
    for reading in session.readings:
        for m in reading.check.missing:
            tips.setdefault(m.label, m.message)
        missing.update({m.label for m in reading.check.missing} | set(reading.reaction.waiting))
        for w in reading.check.warnings:
            if w.label in scenario.reactions.inflames or reading.check.score < 50:
                avoid[w.label] += 1
                tips.setdefault(w.label, w.message)
        for cue in reading.cues:
            if cue in scenario.reactions.inflames:
                avoid[cue] += 1
    shown = session.shown
    for group in scenario.resolution.requires:
        if not shown.intersection(group):
            missing[group[0]] = max(1, missing[group[0]])
    for label in shown.intersection(scenario.resolution.forbids):
        avoid[label] += 1
    own = scenario.tips or {}

    def tip(label: str, section: str) -> str:
        entry = coach.entries.get(f"{section}.{label}")
        fallback = entry.default.message if entry is not None else ""
        return own.get(label) or tips.get(label) or fallback

    out = [ToTry(k, "avoid", n, tip(k, "avoid")) for k, n in avoid.most_common()]
    out += [
        ToTry(k, "missing", n, tip(k, "missed")) for k, n in missing.most_common() if k not in shown
    ]
    return tuple(out)


def _weakest(session: Session) -> Weakest | None:
    if not session.readings:
        return None
    worst = min(session.readings, key=lambda r: (r.check.score, r.index))
    rewrite, rewrite_score = worst.check.rewrite, None
    if rewrite:
        context = session.turns[: worst.context]
        again = check_draft(
            context, rewrite, customer_name=session.scenario.persona.name, analyzer=session.analyzer
        )
        rewrite_score = again.score
    return Weakest(worst.index, worst.text, worst.check.score, rewrite, rewrite_score)


def _compare(
    session: Session, previous: Sequence[Debrief | Mapping[str, Any]]
) -> Comparison | None:
    earlier = [p.to_dict() if isinstance(p, Debrief) else p for p in previous]
    earlier = [p for p in earlier if p.get("scenario", session.scenario.id) == session.scenario.id]
    if not earlier:
        return None
    scores = tuple(int(p.get("score", 0)) for p in earlier)
    last = earlier[-1]
    before = {str(w.get("id")) for p in earlier for w in p.get("worked", ())}
    now = [w.label for w in _worked(session.readings)]
    return Comparison(
        attempts=len(earlier) + 1,
        previous_scores=scores,
        previous_outcomes=tuple(str(p.get("outcome", "unfinished")) for p in earlier),
        score_change=session.score - scores[-1],
        intensity_change=round(session.intensity - float(last.get("final_intensity", 0.0)), 3),
        best_before=max(scores),
        new_worked=tuple(label for label in now if label not in before),
    )


__all__ = ["Comparison", "Debrief", "ToTry", "Weakest", "Worked", "debrief"]
