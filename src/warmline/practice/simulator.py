"""The role-play session: a simulated customer whose state reacts to the trainee's replies.

Each reply is read by the engine's draft check in the context of the conversation so far
(:func:`warmline.engine.assist.check_draft`). The behaviours and the scenario's cues it shows
calm the customer, its anti-patterns inflame them, and behaviours the customer is still
waiting for cost a little on every reply (:func:`react`). Poor replies use up patience. The
session ends resolved, escalated or abandoned, or stays unfinished when the trainee stops.
Given the same scenario, seed and replies, a session is the same every time: the only
randomness is one :class:`random.Random` seeded per session.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from warmline.engine.assist import DraftCheck, check_draft, default_analyzer
from warmline.engine.pipeline import Analyzer
from warmline.practice.errors import PracticeError, SessionOverError
from warmline.practice.scenario import Scenario, mood_for
from warmline.practice.voice import LineRequest, ScriptedVoice, Voice

#: How much a calming signal counts each time it is shown again (1, 1/2, 1/4, ...): saying
#: "I understand" a fifth time does not soothe like the first.
REPEAT_DECAY: Final = 0.5


@dataclass(frozen=True, slots=True)
class CustomerLine:
    """One line of the customer, the mood it was said in, and the intensity then (0-1)."""

    text: str
    state: str
    intensity: float
    scripted: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: text, state, intensity."""
        return {"text": self.text, "state": self.state, "intensity": round(self.intensity, 3)}


@dataclass(frozen=True, slots=True)
class Reaction:
    """How one reply moved the customer, signal by signal, and whether it was poor."""

    calmed: Mapping[str, float]
    inflamed: Mapping[str, float]
    waiting: Mapping[str, float]
    nudge: float
    poor: bool

    @property
    def change(self) -> float:
        """The net change of intensity (negative calms)."""
        total = sum(self.inflamed.values()) + sum(self.waiting.values()) - sum(self.calmed.values())
        return total + self.nudge


@dataclass(frozen=True, slots=True)
class Reading:
    """The engine's reading of one reply and the customer's reaction to it."""

    index: int
    text: str
    check: DraftCheck
    cues: tuple[str, ...]
    reaction: Reaction
    intensity: float
    context: int
    quotes: Mapping[str, str] = field(default_factory=dict)

    @property
    def signals(self) -> frozenset[str]:
        """Every behaviour, anti-pattern and cue id the reply showed."""
        labels = {b.label for b in self.check.behaviours} | {w.label for w in self.check.warnings}
        return frozenset(labels | set(self.cues))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the reply, score, signals shown, what moved the customer and by how much."""
        r = self.reaction
        return {
            "index": self.index,
            "text": self.text,
            "score": self.check.score,
            "behaviours": sorted({b.label for b in self.check.behaviours}),
            "anti_patterns": sorted({w.label for w in self.check.warnings}),
            "cues": list(self.cues),
            "missing": [m.label for m in self.check.missing],
            "calmed": {k: round(v, 3) for k, v in r.calmed.items()},
            "inflamed": {k: round(v, 3) for k, v in r.inflamed.items()},
            "waiting_for": {k: round(v, 3) for k, v in r.waiting.items()},
            "change": round(r.change, 3),
            "intensity": round(self.intensity, 3),
            "poor": r.poor,
        }


@dataclass(frozen=True, slots=True)
class Exchange:
    """What :meth:`Session.reply` returns: the reading, the customer's answer, the outcome."""

    reading: Reading
    line: CustomerLine
    outcome: str

    @property
    def done(self) -> bool:
        """True once the session has ended."""
        return self.outcome != "unfinished"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the reading of the reply, the customer's line and the outcome."""
        return {
            "reading": self.reading.to_dict(),
            "line": self.line.to_dict(),
            "outcome": self.outcome,
            "done": self.done,
        }


def react(
    scenario: Scenario,
    shown: set[str],
    before: Counter[str],
    score: int,
    rng: random.Random,
) -> Reaction:
    """The customer's reaction to a reply that *shown* these signals and got *score*.

    *before* counts how many earlier replies showed each signal.
    """
    r = scenario.reactions
    calmed = {s: w * REPEAT_DECAY ** before[s] for s, w in r.calms.items() if s in shown}
    total = sum(calmed.values())
    if total > r.max_calm:  # shared out in proportion, so the debrief still credits each signal
        calmed = {s: w * r.max_calm / total for s, w in calmed.items()}
    inflamed = {s: w for s, w in r.inflames.items() if s in shown}
    waiting = {s: w for s, w in r.missing.items() if s not in shown and not before[s]}
    # The nudge is drawn for every reply, so the random stream does not depend on the text.
    nudge = rng.uniform(-r.volatility, r.volatility)
    net = sum(inflamed.values()) + sum(waiting.values()) - sum(calmed.values())
    poor = net > 0 or score < scenario.patience.poor_score
    return Reaction(calmed, inflamed, waiting, nudge, poor)


@dataclass
class Session:
    """One role-play of *scenario*; replay it exactly with the same *seed* and replies.

    The customer opens (:attr:`opening`); each :meth:`reply` returns the next
    :class:`Exchange` until :attr:`outcome` is no longer ``unfinished``.
    """

    scenario: Scenario
    seed: int = 0
    voice: Voice = field(default_factory=ScriptedVoice)
    analyzer: Analyzer = field(default_factory=default_analyzer)
    intensity: float = field(init=False)
    outcome: str = field(init=False, default="unfinished")
    lines: list[CustomerLine] = field(init=False, default_factory=list)
    readings: list[Reading] = field(init=False, default_factory=list)
    turns: list[dict[str, str]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._last: dict[str, int] = {}
        self._seen: Counter[str] = Counter()
        self.intensity = self.scenario.intensity
        self._say("opening")

    @property
    def opening(self) -> CustomerLine:
        """The customer's first line."""
        return self.lines[0]

    @property
    def done(self) -> bool:
        """True once the session has ended (resolved, escalated or abandoned)."""
        return self.outcome != "unfinished"

    @property
    def shown(self) -> frozenset[str]:
        """Every signal shown so far in the session."""
        return frozenset(self._seen)

    def reply(self, text: str) -> Exchange:
        """Send the trainee's reply; the customer reacts and answers."""
        if self.done:
            raise SessionOverError(
                f"this session has ended ({self.outcome}); start a new Session to play again"
            )
        scenario = self.scenario
        context = len(self.turns)
        check = check_draft(
            self.turns, text, customer_name=scenario.persona.name, analyzer=self.analyzer
        )
        quotes = {c.id: q for c in scenario.cues if (q := c.quote(text)) is not None}
        cues = tuple(quotes)
        shown = {b.label for b in check.behaviours} | {w.label for w in check.warnings}
        shown.update(cues)
        reaction = react(scenario, shown, self._seen, check.score, self._rng)
        self._seen.update(shown)
        self.intensity = min(1.0, max(0.0, self.intensity + reaction.change))
        self.turns.append({"speaker": "agent", "text": text})
        reading = Reading(
            len(self.readings), text, check, cues, reaction, self.intensity, context, quotes
        )
        self.readings.append(reading)
        self.outcome = self._judge()
        state = mood_for(self.intensity) if self.outcome == "unfinished" else self.outcome
        return Exchange(reading, self._say(state), self.outcome)

    def _judge(self) -> str:
        s = self.scenario
        replies = len(self.readings)
        if self.intensity >= s.reactions.escalate_at:
            return "escalated"
        if sum(r.reaction.poor for r in self.readings) > s.patience.poor_replies:
            return "abandoned"
        if s.resolution.met(self.intensity, self.shown, replies):
            return "resolved"
        if replies >= s.patience.max_replies:
            return "abandoned"
        return "unfinished"

    def _say(self, state: str) -> CustomerLine:
        variants = self.scenario.lines[state]
        # Never the same variant twice in a row for a state, so a replay feels alive.
        options = [i for i in range(len(variants)) if i != self._last.get(state)]
        pick = self._rng.choice(options)
        self._last[state] = pick
        request = LineRequest(self.scenario, state, variants[pick], tuple(self.turns))
        line = CustomerLine(self.voice.phrase(request), state, self.intensity, variants[pick])
        self.lines.append(line)
        self.turns.append({"speaker": "customer", "text": line.text})
        return line

    def to_dict(self) -> dict[str, Any]:
        """What :meth:`restore` needs: the scenario id, seed, replies and the customer's lines."""
        return {
            "scenario": self.scenario.id,
            "seed": self.seed,
            "replies": [r.text for r in self.readings],
            "lines": [line.text for line in self.lines],
        }

    @classmethod
    def restore(
        cls,
        scenario: Scenario,
        data: Mapping[str, Any],
        *,
        voice: Voice | None = None,
        analyzer: Analyzer | None = None,
    ) -> Session:
        """Rebuild a session from :meth:`to_dict` data by replaying its replies.

        The customer's lines come back as they were worded (an LLM is not asked again); new
        lines use *voice*. A web app can keep only this data between requests.
        """
        seed, lines = data.get("seed"), data.get("lines", [])
        replies: Any = data.get("replies")
        if data.get("scenario") != scenario.id:
            raise PracticeError(
                f"the session data is for {data.get('scenario')!r}, not {scenario.id!r}"
            )
        if not isinstance(seed, int) or not _strings(replies) or not _strings(lines):
            raise PracticeError(
                "session data needs an integer seed and lists of reply and line texts"
            )
        session = cls(
            scenario,
            seed,
            voice=_Recorded(lines),
            analyzer=analyzer if analyzer is not None else default_analyzer(),
        )
        for text in replies:
            session.reply(text)
        session.voice = voice if voice is not None else ScriptedVoice()
        return session

    @property
    def score(self) -> int:
        """The session's score: the mean of the replies' 0-100 scores (0 with no reply)."""
        if not self.readings:
            return 0
        return round(sum(r.check.score for r in self.readings) / len(self.readings))


class _Recorded:
    """Says recorded lines in order, then the scripted ones: replays a stored session as it was."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = iter(lines)

    def phrase(self, request: LineRequest) -> str:
        return next(self._lines, request.scripted)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


__all__ = ["REPEAT_DECAY", "CustomerLine", "Exchange", "Reaction", "Reading", "Session", "react"]
