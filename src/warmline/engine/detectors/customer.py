"""Customer-turn detectors besides emotion: abuse aimed at the agent, and the turn's focus."""

from __future__ import annotations

import re
from collections.abc import Iterable

from warmline.engine.labels import KIND_ABUSIVE, KIND_EMOTION, KIND_FOCUS, NEGATIVE_EMOTIONS
from warmline.engine.lexicon import Lexicon, load_lexicon
from warmline.engine.model import Annotation, Speaker
from warmline.engine.prefilter import required_literals
from warmline.engine.registry import Document

_INSULT = (
    r"(idiots?|morons?|clowns?|imbeciles?|muppets?|incompetent|useless|stupid|thick|dumb|"
    r"brain ?dead|pathetic|worthless|losers?|scum|pigs?|bitch\w*|bastards?|"
    r"a(ss|rse)holes?|dickheads?|twats?|pricks?|cunts?|retard\w*)"
)
# Insults and threats aimed at the person answering, not at the company or the situation.
_ABUSE = [
    (re.compile(p, re.IGNORECASE), required_literals(p))
    for p in (
        rf"\byou(?:'re| are| r|r)? (?:an? |such an? |a complete |a total |an absolute |so |just |actually |fucking |bloody )*{_INSULT}(?:\s+{_INSULT})?\b",
        rf"\byou {_INSULT}(?:\s+{_INSULT})?\b",
        r"\b(?:are you|r u) (?:actually |really |just )?(?:stupid|thick|dumb|an idiot|a moron|deaf|illiterate)\b",
        r"\b(?:fuck|screw|sod) (?:you|off)\b|\bshut (?:up|your mouth)\b|\bgo to hell\b",
        r"\bi(?:'ll| will| am going to|'m going to|'m gonna) (?:find|hunt|come for|come after|get|hurt|kill|deal with) you\b",
        r"\bfind (?:out )?where you (?:work|live)\b|\bwatch your back\b|\byou(?:'ll| will) regret\b",
        r"\bhope you (?:get fired|lose your job|die|get sacked|rot)\b|\bget you (?:fired|sacked)\b",
        r"\b(?:your|ur) (?:brain|head|mother|mum|mom)\b.{0,20}\b(?:empty|stupid|ashamed)\b",
        r"\bwhat kind of (?:idiot|moron|clown)\b|\bhow (?:thick|stupid|dumb) (?:are|can) you\b",
    )
]


class AbuseDetector:
    """Flags insults, threats and slurs aimed at the agent or staff personally."""

    name = "customer.abuse"
    version = 1
    kinds = (KIND_ABUSIVE,)
    labels = ("abusive",)
    requires: tuple[str, ...] = ()
    speakers = frozenset({Speaker.CUSTOMER})

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one ``abusive`` annotation on the first abusive phrase, if any."""
        text = doc.texts[index].text
        lower = doc.texts[index].lower
        for pattern, literals in _ABUSE:
            if literals is not None and not any(s in lower for s in literals):
                continue
            match = pattern.search(text)
            if match:
                return [
                    Annotation(
                        index,
                        KIND_ABUSIVE,
                        "abusive",
                        match.start(),
                        match.end(),
                        0.9,
                        f"{self.name}@v{self.version}",
                        "insult or threat aimed at the agent",
                    )
                ]
        return []


class FocusDetector:
    """Decides whether the customer is focused on their feelings or on getting a solution."""

    name = "customer.focus"
    version = 1
    kinds = (KIND_FOCUS,)
    labels = ("feelings", "solution")
    requires = (KIND_EMOTION,)
    speakers = frozenset({Speaker.CUSTOMER})

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon("focus_cues.yaml")

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return one ``focus`` annotation over the whole turn."""
        text = doc.texts[index]
        emotions = doc.on(index, KIND_EMOTION)
        hits = self.lexicon.find(text.lower)
        requests = sum(1 for h in hits if h.label == "request") + text.text.count("?")
        feelings = sum(1 for h in hits if h.label == "feeling")
        strong = max((a.value or 0 for a in emotions if a.label in NEGATIVE_EMOTIONS), default=0)
        positive = any(a.label in ("gratitude", "joy") and (a.value or 0) >= 2 for a in emotions)
        feelings += strong // 2 + (2 if positive else 0)
        label = "feelings" if feelings > requests else "solution"
        if requests == 0 and (strong or positive):
            label = "feelings"
        score = 0.5 + min(0.45, abs(feelings - requests) * 0.1)
        return [
            Annotation(
                index,
                KIND_FOCUS,
                label,
                0,
                len(text.text),
                round(score, 3),
                f"{self.name}@v{self.version}",
                f"{requests} request cue(s), {feelings} feeling cue(s)",
            )
        ]
