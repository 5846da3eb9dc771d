"""The draft check ("agent assist"): score an agent's draft reply in its conversation before it is sent.

:func:`check_draft` appends the draft to the conversation so far as the last staff turn, runs
the ordinary :class:`~warmline.engine.pipeline.Analyzer` over it and returns what the composer
shows: the draft's score, what the moment needed, the behaviours found, the behaviours missing
with their tips, the anti-patterns with a short message each, and a suggested rewrite. It
prints nothing; the CLI (``warmline check``) and the web API format its :class:`DraftCheck`.

Only the last :data:`CONTEXT_TURNS` turns of the context, and the few earlier customer turns the
draft's result reads, are analysed, which bounds the latency on long threads (see the constant
for why this leaves the draft's result unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from warmline.engine.coaching import MISSABLE
from warmline.engine.errors import InvalidConversationError
from warmline.engine.labels import KIND_ANTI_PATTERN, KIND_BEHAVIOUR
from warmline.engine.model import Conversation, Speaker, Turn, conversation_from_dict
from warmline.engine.pipeline import Analyzer
from warmline.engine.results import CustomerState, EmotionScore, TurnAnalysis
from warmline.engine.text import TurnText

#: How many of the latest context turns are analysed with the draft, at least.
#:
#: The built-in detectors, the scorer and the coach read, for the draft: the customer's last
#: turn (emotions, focus, abuse, a question or a request for a person: need, mode, the
#: context-aware labels, missed opportunities, tip variants, the rewrite), the customer turn
#: before it (the emotion model reads its cue tallies), and the words of *every* earlier
#: customer turn (``paraphrase`` and the ``specific_detail`` points count the customer's words
#: that the reply takes up). No earlier agent turn is read. So the window is these last turns,
#: plus the customer's last two turns wherever they are, plus, for each word of the draft that
#: the customer used only before the window, the latest customer turn using it: the draft's
#: result is then the same as with the whole thread (tests/engine/test_assist.py checks this on
#: a long thread; on the 1,311 TWCS threads it holds for every agent turn). Ten turns (five
#: exchanges) keep the recent exchange whole for detectors that third parties plug in; the
#: analysis cost grows with the turns analysed, so the window is what keeps a draft on a
#: 100-turn thread about as fast as one on a 5-turn thread.
CONTEXT_TURNS: Final = 10

_STAFF: Final = tuple(s.value for s in Speaker if s.is_staff)
_default: Analyzer | None = None


@dataclass(frozen=True, slots=True)
class DraftBehaviour:
    """A behaviour found in the draft; ``draft[start:end] == text`` is its evidence."""

    label: str
    start: int
    end: int
    text: str
    score: float
    explanation: str


@dataclass(frozen=True, slots=True)
class DraftWarning:
    """An anti-pattern found in the draft, with a short message saying what to do instead."""

    label: str
    start: int
    end: int
    text: str
    score: float
    explanation: str
    message: str


@dataclass(frozen=True, slots=True)
class MissedBehaviour:
    """A behaviour the moment called for that the draft lacks, what it cost, and the tip."""

    label: str
    points: float
    explanation: str
    message: str


@dataclass(frozen=True, slots=True)
class DraftCheck:
    """The result of checking one draft reply.

    ``score`` is the draft turn's 0-100 score; ``need`` (none, some, high) and ``mode``
    (emotional, cognitive) say what the moment called for; ``customer`` is the strongest
    emotion of the customer's last turn (None when the context has no customer turn), its
    evidence pointing at an index of the ``turns`` that were passed in.
    """

    score: int
    need: str
    mode: str
    behaviours: tuple[DraftBehaviour, ...]
    missing: tuple[MissedBehaviour, ...]
    warnings: tuple[DraftWarning, ...]
    rewrite: str | None
    customer: EmotionScore | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: score, need, mode, behaviours, missing, warnings, rewrite, customer."""
        top = self.customer
        return {
            "score": self.score,
            "need": self.need,
            "mode": self.mode,
            "behaviours": [
                {
                    "id": b.label,
                    "start": b.start,
                    "end": b.end,
                    "text": b.text,
                    "score": round(b.score, 3),
                    "explanation": b.explanation,
                }
                for b in self.behaviours
            ],
            "missing": [
                {
                    "id": m.label,
                    "points": round(float(m.points), 1),
                    "explanation": m.explanation,
                    "message": m.message,
                }
                for m in self.missing
            ],
            "warnings": [
                {
                    "id": w.label,
                    "start": w.start,
                    "end": w.end,
                    "text": w.text,
                    "score": round(w.score, 3),
                    "explanation": w.explanation,
                    "message": w.message,
                }
                for w in self.warnings
            ],
            "rewrite": self.rewrite,
            "customer": None
            if top is None
            else {"label": top.label, "intensity": top.intensity, "score": round(top.score, 3)},
        }


def default_analyzer() -> Analyzer:
    """The Analyzer :func:`check_draft` uses when given none (built on first use, then reused)."""
    global _default
    if _default is None:
        _default = Analyzer()
    return _default


def check_draft(
    turns: Sequence[Mapping[str, Any] | Turn],
    draft: str,
    *,
    customer_name: str | None = None,
    analyzer: Analyzer | None = None,
    speaker: str = "agent",
) -> DraftCheck:
    """Score *draft* as the next staff turn after *turns* and say how to improve it.

    *turns* are interchange-format turn dicts (``{"speaker", "text", ...}``) or
    :class:`~warmline.engine.model.Turn` objects, oldest first, possibly none; *speaker* is
    ``agent`` or ``bot``. Raises :class:`~warmline.engine.errors.InvalidConversationError`
    naming the field at fault (``turns[3].speaker``, ``draft``) for malformed input.
    """
    context = _validated(turns, draft, speaker, customer_name)
    window = _window(context.turns)
    conversation = replace(context, turns=tuple(replace(t, index=i) for i, t in enumerate(window)))
    engine = analyzer if analyzer is not None else default_analyzer()
    analysis = engine.analyze(conversation)
    last_customer = next(
        (t.customer for t in reversed(analysis.turns) if t.customer is not None), None
    )
    positions = {i: t.index for i, t in enumerate(window)}
    return _summarise(engine, analysis.turns[-1], last_customer, positions)


def _window(turns: tuple[Turn, ...]) -> list[Turn]:
    """The draft (the last turn) and the context turns its result depends on, in order."""
    *context, draft = turns
    keep = set(range(max(0, len(context) - CONTEXT_TURNS), len(context)))
    customer = [i for i, t in enumerate(context) if t.speaker is Speaker.CUSTOMER]
    keep.update(customer[-2:])
    wanted = set(TurnText(draft).content_words)
    for i in keep:
        if context[i].speaker is Speaker.CUSTOMER:
            wanted -= TurnText(context[i]).content_words
    for i in reversed(customer):
        if not wanted:
            break
        if i in keep:
            continue
        text = TurnText(context[i])
        # Every content word is a substring of ``lower``: a cheap test before tokenising.
        if any(word in text.lower for word in wanted):
            shared = wanted & text.content_words
            if shared:
                keep.add(i)
                wanted -= shared
    return [*(context[i] for i in sorted(keep)), draft]


def _validated(
    turns: Sequence[Mapping[str, Any] | Turn],
    draft: str,
    speaker: str,
    customer_name: str | None,
) -> Conversation:
    """The context plus the draft as its last turn, checked by the interchange-format rules."""
    if not isinstance(turns, Sequence) or isinstance(turns, str | bytes):
        raise InvalidConversationError(
            f"expected a list of turns, got {type(turns).__name__}", where="turns"
        )
    if not isinstance(draft, str):
        raise InvalidConversationError(
            f"expected the reply as a string, got {type(draft).__name__}", where="draft"
        )
    if not draft.strip():
        raise InvalidConversationError("the reply to check is empty; write it first", where="draft")
    role = str(speaker).strip().lower()
    if role not in _STAFF:
        raise InvalidConversationError(
            f"expected {' or '.join(_STAFF)} (the side writing the draft), got {speaker!r}",
            where="speaker",
        )
    raw = [_as_dict(t) for t in turns]
    record = {
        "id": "draft",
        "turns": [*raw, {"speaker": role, "text": draft}],
        "customer_name": customer_name,
    }
    try:
        return conversation_from_dict(record)
    except InvalidConversationError as exc:
        raise _about_draft(exc, len(raw)) from None


def _as_dict(turn: Mapping[str, Any] | Turn) -> Any:
    if isinstance(turn, Turn):
        return {"speaker": turn.speaker.value, "text": turn.text, "timestamp": turn.timestamp}
    return turn  # anything else is checked, and reported by position, by conversation_from_dict


def _about_draft(exc: InvalidConversationError, draft_index: int) -> InvalidConversationError:
    """Point an error about the appended draft turn at ``draft`` rather than ``turns[n]``."""
    prefix = f"turns[{draft_index}]"
    if exc.where is None or not exc.where.startswith(prefix):
        return exc
    message = str(exc).removeprefix(f"{exc.where}: ")
    return InvalidConversationError(message, where="draft")


def _summarise(
    engine: Analyzer,
    result: TurnAnalysis,
    customer: CustomerState | None,
    positions: Mapping[int, int],
) -> DraftCheck:
    text = result.turn.text
    score = result.score
    if score is None:  # the pipeline scores every staff turn; the draft always is one
        raise InvalidConversationError("the draft was not scored as a staff turn", where="draft")
    warnings = tuple(
        DraftWarning(
            a.label,
            a.start,
            a.end,
            text[a.start : a.end],
            a.score,
            a.explanation,
            _tip(engine, f"avoid.{a.label}", customer),
        )
        for a in result.behaviours()
        if a.kind == KIND_ANTI_PATTERN
    )
    covered = {c for w in warnings for c in engine.coach.entries[f"avoid.{w.label}"].covers}
    missing = tuple(
        MissedBehaviour(
            item.reason,
            item.points,
            item.explanation,
            _tip(engine, f"missed.{item.reason}", customer),
        )
        for item in score.items
        if item.annotation is None and item.reason in MISSABLE and item.reason not in covered
    )
    behaviours = tuple(
        DraftBehaviour(a.label, a.start, a.end, text[a.start : a.end], a.score, a.explanation)
        for a in result.behaviours()
        if a.kind == KIND_BEHAVIOUR
    )
    return DraftCheck(
        score=score.value,
        need=score.need,
        mode=score.mode,
        behaviours=behaviours,
        missing=missing,
        warnings=warnings,
        rewrite=result.rewrite,
        customer=_in_context(customer.top if customer is not None else None, positions),
    )


def _tip(engine: Analyzer, key: str, customer: CustomerState | None) -> str:
    entry = engine.coach.entries.get(key)
    return entry.for_customer(customer).message if entry is not None else ""


def _in_context(top: EmotionScore | None, positions: Mapping[int, int]) -> EmotionScore | None:
    """The emotion with its evidence re-pointed from the analysed window to the caller's turns."""
    if top is None or top.evidence is None:
        return top
    return replace(top, evidence=replace(top.evidence, turn=positions[top.evidence.turn]))


__all__ = [
    "CONTEXT_TURNS",
    "DraftBehaviour",
    "DraftCheck",
    "DraftWarning",
    "MissedBehaviour",
    "check_draft",
    "default_analyzer",
]
