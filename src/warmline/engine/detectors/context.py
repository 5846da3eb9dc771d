"""Behaviours whose label depends on what the customer said: the context-aware detector.

An apology is sincere or hollow depending on what it names and whether anything went
wrong; a refusal is graceful or bare depending on whether an alternative comes with it;
"anything else?" checks resolution or rushes closure depending on whether the customer is
still upset; cheerfulness is fine with a happy customer and a mismatch with a grieving one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from warmline.engine.detectors.patterns import confidence, group_hits
from warmline.engine.labels import (
    KIND_ABUSIVE,
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    KIND_CUE,
    KIND_EMOTION,
    KIND_FOCUS,
    NEGATIVE_EMOTIONS,
)
from warmline.engine.lexicon import Hit, Lexicon, load_lexicon
from warmline.engine.model import Annotation, Speaker
from warmline.engine.registry import Document
from warmline.engine.text import Span, TurnText
from warmline.engine.words import content_words

_QUESTION_START = re.compile(
    r"^(?:and |so |also |just |ok(?:ay)?,? |great,? |thanks,? )?(?:what|which|when|where|who|why|how|"
    r"is|are|was|were|did|do|does|has|have|had|would|will|could|can|should|may|might)\b",
    re.IGNORECASE,
)
_PARAPHRASE_START = re.compile(
    r"^(?:(?:ok(?:ay)?|right|alright),? so|so,? (?:you|your|it|the|there|about|order|that|if|to|just|what)|"
    r"to (?:confirm|recap|check|summari[sz]e|make sure i)|just so i (?:understand|have|know)|"
    r"let me (?:make sure|check) i(?:'ve| have)? (?:got|understood|understand)|you(?:'re| are) saying|"
    r"what you(?:'re| are) (?:telling|saying)|as i understand(?: it)?|if i understand(?: (?:correctly|right|you))?|"
    r"just to (?:check|confirm|make sure)|if i(?:'ve| have) (?:understood|got)|let me (?:check|make sure) i|"
    r"i can see (?:that )?(?:you|your)|(?:it )?sounds like (?:you|your)|what i'm hearing|"
    r"from what you(?:'ve| have) (?:said|told)|you(?:'ve| have) (?:been|had|tried|got|restarted))",
    re.IGNORECASE,
)


_ASKS = re.compile(
    r"\?|^\s*(?:hi|hello|hey|hiya)?[,!. ]*(?:can|could|is|are|do|does|what|when|where|how|which|will|would)\b",
    re.IGNORECASE,
)
_FACT = re.compile(
    r"\d|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekdays?|weekends?|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"today|tomorrow|tonight|midnight|noon|free|included|every plan)\b",
    re.IGNORECASE,
)
_YES_NO = re.compile(r"^\s*(?:yes|yep|no|nope|absolutely|of course|sure)\b[,!.—-]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CustomerContext:
    """What the staff turn is answering: the last customer turn's state and earlier words."""

    negative: int
    positive: int
    top: str
    focus: str
    abusive: bool
    words: frozenset[str]
    last_words: frozenset[str]
    asked: bool = False
    problem: bool = False

    @property
    def calm(self) -> bool:
        """True when nothing is wrong: a neutral or happy customer."""
        return self.negative == 0


def customer_context(doc: Document, index: int, lexicon: Lexicon | None = None) -> CustomerContext:
    """Summarise the customer side before staff turn *index* (cached per customer turn)."""
    last = doc.previous(index, Speaker.CUSTOMER)
    if last is None:
        return CustomerContext(0, 0, "neutral", "solution", False, frozenset(), frozenset())
    return doc.cached("customer_context", last, lambda: _summarise(doc, last, lexicon))


def _summarise(doc: Document, last: int, lexicon: Lexicon | None) -> CustomerContext:
    words: set[str] = set()
    for i in range(last + 1):
        if doc.conversation.turns[i].speaker is Speaker.CUSTOMER:
            words |= doc.texts[i].content_words
    emotions = sorted(doc.on(last, KIND_EMOTION), key=lambda a: -a.score)
    focus = next((a.label for a in doc.on(last, KIND_FOCUS)), "solution")
    return CustomerContext(
        negative=max((a.value or 0 for a in emotions if a.label in NEGATIVE_EMOTIONS), default=0),
        positive=max(
            (a.value or 0 for a in emotions if a.label in ("joy", "gratitude")), default=0
        ),
        top=emotions[0].label if emotions else "neutral",
        focus=focus,
        abusive=bool(doc.on(last, KIND_ABUSIVE)),
        words=frozenset(words),
        last_words=doc.texts[last].content_words,
        asked=bool(_ASKS.search(doc.texts[last].text)),
        problem=bool(lexicon and lexicon.find(doc.texts[last].lower, ("problem",))),
    )


class ContextBehaviourDetector:
    """Decides the context-dependent labels from ``context_cues.yaml`` and the customer's state."""

    name = "behaviour.context"
    version = 1
    kinds = (KIND_BEHAVIOUR, KIND_ANTI_PATTERN, KIND_CUE)
    labels = (
        "apology",
        "hollow_apology",
        "graceful_no",
        "bare_refusal",
        "check_resolution",
        "rushed_closure",
        "tone_mismatch",
        "personalization",
        "clarifying_question",
        "paraphrase",
        "robotic_script",
        "specific_detail",
        "boundary",
    )
    requires = (KIND_EMOTION, KIND_FOCUS, KIND_ABUSIVE, KIND_BEHAVIOUR, KIND_ANTI_PATTERN)
    speakers = frozenset({Speaker.AGENT, Speaker.BOT})

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon("context_cues.yaml")
        self.qualified = f"{self.name}@v{self.version}"

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return the context-dependent annotations of staff turn *index*."""
        text = doc.texts[index]
        ctx = customer_context(doc, index, self.lexicon)
        cues = group_hits(self.lexicon.find(text.lower), text)
        earlier = doc.on(index)
        out: list[Annotation] = []
        out += self._apologies(index, text, ctx, cues, earlier)
        out += self._refusals(index, text, cues)
        out += self._closings(index, text, ctx, cues, earlier + out)
        out += self._tone(index, text, ctx, cues)
        out += self._personalization(index, text, doc.conversation.customer_name)
        out += self._questions(index, text, cues)
        out += self._paraphrase(index, text, ctx)
        out += self._direct_answer(index, text, ctx, earlier)
        out += self._generic_script(index, text, ctx, earlier + out)
        out += self._specific_detail(index, text, ctx)
        out += self._boundary(index, cues, ctx)
        return out

    def _boundary(
        self, index: int, cues: dict[tuple[str, Span], list[Hit]], ctx: CustomerContext
    ) -> list[Annotation]:
        """With an abusive customer, a calm, respectful limit (a cue the scorer rewards)."""
        spans = _spans(cues, "boundary")
        if not spans or not ctx.abusive:
            return []
        why = "sets a respectful boundary with an abusive customer"
        return [self._cue(index, "boundary", spans[0], 0.85, why)]

    def _ann(
        self, index: int, label: str, span: Span, weight: float, why: str, anti: bool = False
    ) -> Annotation:
        kind = KIND_ANTI_PATTERN if anti else KIND_BEHAVIOUR
        return Annotation(
            index, kind, label, span[0], span[1], confidence(weight), self.qualified, why
        )

    def _cue(
        self, index: int, label: str, span: Span, score: float, why: str, value: int | None = None
    ) -> Annotation:
        """A cue for the scorer (not a behaviour): it carries evidence but is not listed."""
        return Annotation(
            index, KIND_CUE, label, span[0], span[1], score, self.qualified, why, value
        )

    def _apologies(
        self,
        index: int,
        text: TurnText,
        ctx: CustomerContext,
        cues: dict[tuple[str, Span], list[Hit]],
        earlier: list[Annotation],
    ) -> list[Annotation]:
        out: list[Annotation] = []
        hollow_sentences = set(_spans(cues, "hollow"))
        owned = set(_spans(cues, "owned_fault"))
        sympathy = set(_spans(cues, "sympathy"))
        condolences = [
            (a.start, a.end)
            for a in earlier
            if a.label == "acknowledge_emotion" and "condolence" in a.explanation
        ]
        for (label, sentence), hits in cues.items():
            # "I'm so sorry about your mum" is sympathy, an acknowledgement rather than an apology.
            if (
                label != "apology"
                or sentence in sympathy
                or any(a <= h.start < b for h in hits for a, b in condolences)
            ):
                continue
            specific = (
                sentence in owned or len(content_words(text.lower[sentence[0] : sentence[1]])) >= 3
            )
            if sentence in hollow_sentences and sentence not in owned:
                out.append(
                    self._ann(index, "hollow_apology", sentence, 3, "boilerplate apology", True)
                )
            elif ctx.calm and not ctx.problem and ctx.positive == 0 and sentence not in owned:
                out.append(
                    self._ann(
                        index,
                        "hollow_apology",
                        sentence,
                        2,
                        "apologises when nothing went wrong",
                        True,
                    )
                )
            elif specific or ctx.negative:
                out.append(
                    self._ann(
                        index,
                        "apology",
                        sentence,
                        3 if specific else 2,
                        "apology that names the problem" if specific else "apology",
                    )
                )
        return out

    def _refusals(
        self, index: int, text: TurnText, cues: dict[tuple[str, Span], list[Hit]]
    ) -> list[Annotation]:
        refusals = sorted(_spans(cues, "refusal"))
        if not refusals:
            return []
        alternatives = _spans(cues, "alternative")
        first = refusals[0]
        later_alt = [s for s in alternatives if s[1] >= first[0]]
        if later_alt:
            span = (first[0], max(later_alt[0][1], first[1]))
            return [self._ann(index, "graceful_no", span, 3, "declines and offers another way")]
        return [self._ann(index, "bare_refusal", first, 3, "declines with no alternative", True)]

    def _closings(
        self,
        index: int,
        text: TurnText,
        ctx: CustomerContext,
        cues: dict[tuple[str, Span], list[Hit]],
        found: list[Annotation],
    ) -> list[Annotation]:
        closing = _spans(cues, "closing")
        close_off = _spans(cues, "close_off")
        if not closing and not close_off:
            return []
        labels = {a.label for a in found}
        helped = bool(labels & {"solution", "graceful_no", "follow_up", "ownership"})
        harmed = bool(labels & {"bare_refusal", "dismissive", "blame", "robotic_script"})
        upset = ctx.negative >= 2 or ctx.abusive
        # Signing off on an upset customer, or asking "anything else?" right after a bare no or
        # a brush-off, rushes them out; asking it after real help checks resolution.
        if close_off and (upset or (harmed and not helped)):
            return [
                self._ann(
                    index,
                    "rushed_closure",
                    close_off[-1],
                    3,
                    "closes while the customer is still upset",
                    True,
                )
            ]
        if closing and harmed and not helped:
            return [
                self._ann(
                    index,
                    "rushed_closure",
                    closing[-1],
                    3,
                    "asks to close right after refusing or dismissing",
                    True,
                )
            ]
        if closing:
            return [
                self._ann(index, "check_resolution", closing[-1], 3, "checks nothing is left open")
            ]
        return []

    def _tone(
        self,
        index: int,
        text: TurnText,
        ctx: CustomerContext,
        cues: dict[tuple[str, Span], list[Hit]],
    ) -> list[Annotation]:
        cheer = [
            (s, sum(h.weight for h in hits))
            for (label, s), hits in cues.items()
            if label == "cheerful"
        ]
        weight = sum(w for _, w in cheer)
        heavy = ctx.negative >= 2 and ctx.top in (
            "anger",
            "sadness",
            "anxiety",
            "frustration",
            "disappointment",
        )
        if heavy and weight >= 2:
            span = max(cheer, key=lambda c: c[1])[0]
            return [
                self._ann(
                    index, "tone_mismatch", span, 3, "cheerful tone for an upset customer", True
                )
            ]
        curt = _spans(cues, "curt")
        if curt and ctx.positive >= 2:
            return [
                self._ann(index, "tone_mismatch", curt[0], 2, "curt reply to a warm customer", True)
            ]
        return []

    def _personalization(self, index: int, text: TurnText, name: str | None) -> list[Annotation]:
        if not name:
            return []
        for part in sorted(set(re.findall(r"[^\W\d_][\w'-]+", name)), key=len, reverse=True):
            match = re.search(rf"\b{re.escape(part)}\b", text.text)
            if match and len(part) >= 2:
                return [
                    self._ann(
                        index,
                        "personalization",
                        (match.start(), match.end()),
                        3,
                        "uses the customer's name",
                    )
                ]
        return []

    def _questions(
        self, index: int, text: TurnText, cues: dict[tuple[str, Span], list[Hit]]
    ) -> list[Annotation]:
        excluded = {s for (label, s) in cues if label in ("closing", "id_request", "permission")}
        for start, end in text.clauses:
            piece = text.text[start:end]
            if "?" not in piece or text.sentence_at(start) in excluded:
                continue
            if any(_overlaps((start, end), s) for s in excluded):
                continue
            if _QUESTION_START.search(piece) or piece.lower().startswith(
                ("or ", "could you check")
            ):
                return [
                    self._ann(
                        index,
                        "clarifying_question",
                        (start, end),
                        3,
                        "asks about the customer's situation or preference",
                    )
                ]
        return []

    def _paraphrase(self, index: int, text: TurnText, ctx: CustomerContext) -> list[Annotation]:
        if not ctx.words:
            return []
        for start, end in text.sentences:
            piece = text.text[start:end]
            if piece.rstrip().endswith("?"):
                continue
            shared = content_words(text.lower[start:end]) & ctx.words
            if _PARAPHRASE_START.search(piece) and shared:
                return [
                    self._ann(
                        index,
                        "paraphrase",
                        (start, end),
                        3,
                        f"restates the problem ({', '.join(sorted(shared)[:4])})",
                    )
                ]
        return []

    def _direct_answer(
        self, index: int, text: TurnText, ctx: CustomerContext, earlier: list[Annotation]
    ) -> list[Annotation]:
        """A plain statement of fact right after a customer's question answers it."""
        if not ctx.asked or any(a.label == "solution" for a in earlier):
            return []
        for start, end in text.sentences:
            piece = text.text[start:end]
            if "?" not in piece and (_FACT.search(piece) or _YES_NO.search(piece)):
                return [
                    self._ann(
                        index, "solution", (start, end), 2.5, "answers the customer's question"
                    )
                ]
        return []

    def _generic_script(
        self, index: int, text: TurnText, ctx: CustomerContext, earlier: list[Annotation]
    ) -> list[Annotation]:
        """A reply that shares no words with an upset customer's message is a script."""
        if ctx.negative < 2 or any(a.label == "robotic_script" for a in earlier):
            return []
        mine = text.content_words
        if (
            len(mine) >= 6
            and not (mine & ctx.last_words)
            and not any(
                a.label
                in (
                    "acknowledge_emotion",
                    "reflect_feeling",
                    "apology",
                    "validate",
                    "solution",
                    "paraphrase",
                    "graceful_no",
                    "blame",
                    "dismissive",
                    "bare_refusal",
                    "condescension",
                )
                for a in earlier
            )
        ):
            return [
                self._ann(
                    index,
                    "robotic_script",
                    (0, len(text.text)),
                    2,
                    "generic reply that ignores what the customer said",
                    True,
                )
            ]
        return []

    def _specific_detail(
        self, index: int, text: TurnText, ctx: CustomerContext
    ) -> list[Annotation]:
        """Details of the customer's own message the reply takes up (a cue for scoring)."""
        best: tuple[int, Span, set[str]] = (0, (0, 0), set())
        for start, end in text.sentences:
            shared = content_words(text.lower[start:end]) & ctx.words
            if len(shared) > best[0]:
                best = (len(shared), (start, end), shared)
        total = len(text.content_words & ctx.words)
        if not total:
            return []
        why = "takes up the customer's details: " + ", ".join(sorted(best[2])[:5])
        return [self._cue(index, "specific_detail", best[1], confidence(total), why, total)]


def _spans(cues: dict[tuple[str, Span], list[Hit]], label: str) -> list[Span]:
    """The sentences where cue set *label* fired, in the order the cues were found."""
    return [span for (name, span) in cues if name == label]


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
