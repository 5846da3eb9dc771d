"""Scoring, its own stage: turn scores that depend on what the customer needed, and the
conversation score, trajectory and de-escalation. Every point comes from an annotation or from
a named missed opportunity; weights live in ``data/scoring.yaml``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from warmline.engine.datafiles import package_data, read_yaml
from warmline.engine.errors import ConfigError
from warmline.engine.labels import (
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    KIND_CUE,
    POSITIVE_EMOTIONS,
)
from warmline.engine.model import Annotation, Conversation, Speaker
from warmline.engine.registry import Document
from warmline.engine.results import (
    ConversationAnalysis,
    CustomerState,
    ScoreItem,
    TrajectoryPoint,
    TurnAnalysis,
    TurnScore,
)

_EMPATHY = ("acknowledge_emotion", "reflect_feeling", "validate", "apology")
_ACTION_OK = frozenset(
    {
        "solution",
        "graceful_no",
        "clarifying_question",
        "follow_up",
        "offer_human",
        "ownership",
        "paraphrase",
    }
)
_WANTS_HUMAN = ("human", "person", "real person", "agent", "someone real", "manager", "operator")


@dataclass(frozen=True, slots=True)
class TurnScoring:
    """The turn score plus the behaviour ids the moment called for but the turn lacks."""

    turn_score: TurnScore
    missed: tuple[str, ...]


@cache
def load_weights(resource: str = "scoring.yaml") -> dict[str, Any]:
    """Read the scoring weights from the package data (cached per process)."""
    raw = read_yaml(package_data(), resource)
    required = {
        "base",
        "emotional",
        "emotional_cap",
        "mode_factor",
        "action",
        "action_cap",
        "anti_patterns",
        "missed",
        "conversation",
        "specific_detail",
        "specific_cap",
        "unneeded_sympathy",
        "abuse",
    }
    if not isinstance(raw, dict) or required - raw.keys():
        raise ConfigError(f"{resource}: missing sections {sorted(required - set(raw or {}))}")
    unknown = raw.keys() - required
    if unknown:
        raise ConfigError(f"{resource}: unknown sections {sorted(unknown)}")
    return raw


def need_of(state: CustomerState | None) -> str:
    """How much empathy the moment calls for: none, some or high."""
    if state is None:
        return "none"
    neg = state.negative_intensity
    return "high" if neg >= 2 or state.abusive else "some" if neg == 1 else "none"


class Scorer:
    """Turns annotations into 0-100 scores with an item-by-item breakdown."""

    def __init__(self, weights: dict[str, Any] | None = None) -> None:
        self.w = weights if weights is not None else load_weights()

    def score_turn(self, doc: Document, index: int, state: CustomerState | None) -> TurnScoring:
        """Score staff turn *index* against the customer's state before it."""
        anns = doc.on(index)
        need = need_of(state)
        mode = "emotional" if state is not None and state.focus == "feelings" else "cognitive"
        best = _best_per_label(anns)
        positive = state is not None and any(e.label in POSITIVE_EMOTIONS for e in state.emotions)
        items = self._empathy_items(best, need, mode, positive) + self._action_items(best, mode)
        items += (
            self._anti_items(best)
            + self._specific_items(anns)
            + self._abuse_items(anns, best, state)
        )
        missed = self._missed(doc, index, best, state, need, mode)
        items += [it for it in missed if it.points]
        total = self.w["base"] + sum(it.points for it in items)
        value = max(0, min(100, round(total)))
        return TurnScoring(
            TurnScore(value, need, mode, tuple(items)), tuple(m.reason for m in missed)
        )

    def _empathy_items(
        self, best: dict[str, Annotation], need: str, mode: str, calm_positive: bool
    ) -> list[ScoreItem]:
        factor = self.w["mode_factor"][mode]["emotional"]
        if need == "none" and not calm_positive:
            return [
                ScoreItem(
                    label,
                    -float(self.w["unneeded_sympathy"]),
                    "sympathy the moment did not call for",
                    best[label],
                )
                for label in ("acknowledge_emotion", "reflect_feeling")
                if label in best
            ]
        items, budget = [], float(self.w["emotional_cap"][need])
        for label in _EMPATHY:
            ann = best.get(label)
            if ann is None or budget <= 0:
                continue
            pts = min(budget, self.w["emotional"][label][need] * factor * ann.score)
            budget -= pts
            items.append(ScoreItem(label, pts, f"{label} where the need was {need}", ann))
        return items

    def _action_items(self, best: dict[str, Annotation], mode: str) -> list[ScoreItem]:
        factor = self.w["mode_factor"][mode]["action"]
        items, budget = [], float(self.w["action_cap"])
        for label, weight in self.w["action"].items():
            ann = best.get(label)
            if ann is None or budget <= 0:
                continue
            pts = min(budget, weight * factor * ann.score)
            budget -= pts
            items.append(ScoreItem(label, pts, label.replace("_", " "), ann))
        return items

    def _anti_items(self, best: dict[str, Annotation]) -> list[ScoreItem]:
        return [
            ScoreItem(label, -weight * best[label].score, f"anti-pattern: {label}", best[label])
            for label, weight in self.w["anti_patterns"].items()
            if label in best
        ]

    def _abuse_items(
        self, anns: list[Annotation], best: dict[str, Annotation], state: CustomerState | None
    ) -> list[ScoreItem]:
        """With an abusive customer, a calm boundary earns points and caving in loses them."""
        if state is None or not state.abusive:
            return []
        boundary = next((a for a in anns if a.kind == KIND_CUE and a.label == "boundary"), None)
        if boundary is not None:
            return [
                ScoreItem(
                    "boundary", float(self.w["abuse"]["boundary"]), boundary.explanation, boundary
                )
            ]
        caving = best.get("goodwill_gesture") or best.get("apology")
        if caving is not None:
            return [
                ScoreItem(
                    "caves_to_abuse",
                    -float(self.w["abuse"]["caving"]),
                    "gives in to abuse without setting a boundary",
                    caving,
                )
            ]
        return []

    def _specific_items(self, anns: list[Annotation]) -> list[ScoreItem]:
        cue = next((a for a in anns if a.kind == KIND_CUE and a.label == "specific_detail"), None)
        if cue is None:
            return []
        pts = min(float(self.w["specific_cap"]), self.w["specific_detail"] * (cue.value or 0))
        return [ScoreItem("specific_detail", pts, cue.explanation, cue)]

    def _missed(
        self,
        doc: Document,
        index: int,
        best: dict[str, Annotation],
        state: CustomerState | None,
        need: str,
        mode: str,
    ) -> list[ScoreItem]:
        missed: list[ScoreItem] = []
        pen = self.w["missed"]
        if "bare_refusal" in best:
            missed.append(ScoreItem("graceful_no", 0.0, "a refusal with no alternative"))
        if need != "none" and not any(label in best for label in _EMPATHY):
            scale = 1.0 if mode == "emotional" or "solution" not in best else 0.6
            missed.append(
                ScoreItem(
                    "acknowledge_emotion",
                    -pen["acknowledge_emotion"][need] * scale,
                    f"the customer's {_top(state)} went unacknowledged",
                )
            )
        if "rushed_closure" in best:
            missed.append(ScoreItem("check_resolution", 0.0, "closed before the issue was settled"))
        wants_human = state is not None and self._asked_for_human(doc, index)
        if (
            doc.conversation.turns[index].speaker is Speaker.BOT
            and wants_human
            and "offer_human" not in best
        ):
            missed.append(
                ScoreItem("offer_human", -pen["offer_human"], "the customer asked for a person")
            )
        closing = state is not None and any(e.label in POSITIVE_EMOTIONS for e in state.emotions)
        if (
            state is not None
            and state.focus == "solution"
            and not closing
            and not _ACTION_OK & best.keys()
        ):
            missed.append(ScoreItem("solution", -pen["solution"], "no answer or next step"))
        worried = state is not None and any(
            e.label == "anxiety" and e.intensity >= 2 for e in state.emotions
        )
        if worried and "reassurance" not in best:
            missed.append(
                ScoreItem("reassurance", -pen["reassurance"], "the worry was not addressed")
            )
        return missed

    def _asked_for_human(self, doc: Document, index: int) -> bool:
        last = doc.previous(index, Speaker.CUSTOMER)
        return last is not None and any(w in doc.texts[last].lower for w in _WANTS_HUMAN)

    def score_conversation(
        self, conv: Conversation, turns: tuple[TurnAnalysis, ...]
    ) -> ConversationAnalysis:
        """Combine turn scores, the trajectory and de-escalation into the conversation result."""
        trajectory = tuple(_point(t) for t in turns if t.customer is not None)
        deesc, esc = _escalation(trajectory, turns)
        scored = [t for t in turns if t.score is not None]
        cw = self.w["conversation"]
        breakdown: list[ScoreItem] = []
        score: int | None = None
        if scored:
            weights = [
                cw["high_need_weight"] if t.score and t.score.need == "high" else 1.0
                for t in scored
            ]
            mean = sum(
                w * (t.score.value if t.score else 0) for w, t in zip(weights, scored, strict=True)
            ) / sum(weights)
            breakdown = _label_breakdown(scored, weights)
            adjust = cw["deescalated_bonus"] if deesc else -cw["escalated_penalty"] if esc else 0
            if adjust:
                breakdown.append(
                    ScoreItem(
                        "trajectory",
                        float(adjust),
                        "the customer calmed down" if deesc else "the customer got more upset",
                    )
                )
            score = max(0, min(100, round(mean + adjust)))
        missed = tuple(tip for t in scored for tip in t.tips if tip.missed)
        moments = _best_moments(scored)
        return ConversationAnalysis(
            conv,
            turns,
            score,
            tuple(breakdown),
            trajectory,
            deesc if scored else None,
            esc if scored else None,
            missed,
            moments,
        )


def _best_per_label(anns: list[Annotation]) -> dict[str, Annotation]:
    best: dict[str, Annotation] = {}
    for a in anns:
        if a.kind in (KIND_BEHAVIOUR, KIND_ANTI_PATTERN) and (
            a.label not in best or a.score > best[a.label].score
        ):
            best[a.label] = a
    return best


def _top(state: CustomerState | None) -> str:
    top = state.top if state is not None else None
    return top.label if top is not None else "feeling"


def _point(t: TurnAnalysis) -> TrajectoryPoint:
    assert t.customer is not None
    top = t.customer.top
    return TrajectoryPoint(
        t.turn.index,
        top.label if top else "neutral",
        top.intensity if top else 1,
        t.customer.valence,
    )


def _neg(t: TurnAnalysis) -> int:
    return t.customer.negative_intensity if t.customer is not None else 0


def _escalation(
    trajectory: tuple[TrajectoryPoint, ...], turns: tuple[TurnAnalysis, ...]
) -> tuple[bool, bool]:
    """De-escalated: the worst negative feeling before the end eased by the last customer turn.

    Escalated: the last customer turn is more upset than the first (or turned abusive).
    """
    customers = [t for t in turns if t.customer is not None]
    if len(customers) < 2:
        return False, False
    first, last = customers[0], customers[-1]
    assert last.customer is not None and first.customer is not None
    peak = max(_neg(t) for t in customers[:-1])
    start, end = _neg(first), _neg(last)
    end_pos = max(
        (e.intensity for e in last.customer.emotions if e.label in POSITIVE_EMOTIONS), default=0
    )
    deesc = peak >= 1 and end < peak and (end == 0 or end <= peak - 2 or end_pos >= end)
    esc = (end > start and end >= 2) or (last.customer.abusive and not first.customer.abusive)
    return deesc and not esc, esc


def _label_breakdown(scored: list[TurnAnalysis], weights: list[float]) -> list[ScoreItem]:
    """Average contribution of each reason across staff turns, largest first."""
    totals: dict[str, float] = defaultdict(float)
    example: dict[str, Annotation | None] = {}
    for w, t in zip(weights, scored, strict=True):
        assert t.score is not None
        for item in t.score.items:
            totals[item.reason] += w * item.points
            if example.get(item.reason) is None:
                example[item.reason] = item.annotation
    norm = sum(weights)
    items = [
        ScoreItem(r, v / norm, f"{r} across the agent's turns", example.get(r))
        for r, v in totals.items()
    ]
    return sorted(items, key=lambda i: -abs(i.points))


def _best_moments(scored: list[TurnAnalysis]) -> tuple[Annotation, ...]:
    moments: list[Annotation] = []
    for t in scored:
        if t.score is None or t.score.value < 70:
            continue
        for label in (
            "reflect_feeling",
            "acknowledge_emotion",
            "validate",
            "graceful_no",
            "ownership",
        ):
            ann = next(
                (a for a in t.annotations if a.label == label and a.kind == KIND_BEHAVIOUR), None
            )
            if ann is not None:
                moments.append(ann)
                break
    return tuple(sorted(moments, key=lambda a: -a.score)[:3])


__all__ = ["Scorer", "TurnScoring", "load_weights", "need_of"]
