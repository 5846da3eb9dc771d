"""Rewrite a staff turn: repair its anti-patterns and add what it missed, keeping every fact.

The turn is split into an optional greeting, its sentences and an optional sign-off. Sentences
holding anti-pattern evidence are repaired with the rules of rewrites.yaml (phrases stripped,
or the sentence dropped, but never a sentence that holds a fact), then statements from the
library are placed where the missing behaviours belong. Variants are picked by a CRC of the
turn text, so the same request always gives the same rewrite; a last check makes sure every
fact of the original (see :func:`facts`) is still there.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warmline.engine.content import Addition, Content, Repair, Rule, Statement
from warmline.engine.labels import (
    KIND_ANTI_PATTERN,
    KIND_BEHAVIOUR,
    NEGATIVE_EMOTIONS,
    POSITIVE_EMOTIONS,
)
from warmline.engine.model import Annotation

if TYPE_CHECKING:
    from warmline.engine.coaching import CoachingRequest
    from warmline.engine.results import CustomerState

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Each branch opens with a cheap look-ahead so most positions are rejected at once.
_FACT = re.compile(
    r"(?:(?<!\w)|(?=[+£$€¥₹h]))(?:"  # facts start at a word start, or at + £ $ € ¥ ₹ http
    r"(?<![\w.+-])(?=[\w.+-]+@)[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email
    r"|(?=h)https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]"  # link
    r"|(?=\+)\+\d{1,3}(?:[ -]?\(?\d{1,5}\)?){2,6}"  # international phone number
    r"|(?<!\w)(?=\d)(?:\d{1,2}(?:st|nd|rd|th)?(?: of)? " + _MONTH + r"\b(?:,? \d{4})?"  # 4 May
    r"|\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"  # ISO and numeric dates
    r"|\d{1,2}(?:[:.]\d{2})? ?(?:am|pm|a\.m\.|p\.m\.)"  # 9am, 10.30 pm
    r"|\d(?:[\d,]*\d)?(?:\.\d+)? ?(?:eur|usd|gbp|chf|aud|cad|jpy|euros?|dollars?|pounds?|pence)\b"
    r"|\d+(?:[.,]\d+)? ?%)"  # 15%
    r"|(?=[£$€¥₹])[£$€¥₹] ?\d(?:[\d,]*\d)?(?:\.\d+)?"  # £4.99, $312
    r"|(?<!\w)(?=[a-z])(?:" + _MONTH + r" \d{1,2}(?:st|nd|rd|th)?\b(?:,? \d{4})?"  # May 4th
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b"
    r"|(?:january|february|march|april|june|july|august|september|october|november|december)\b)"
    r"|(?<![\w#/-])(?=[#\w/-]*\d)[#\w/-]*\d[\w/#-]*(?:[.,:]\d+)*)",  # order numbers, codes
    re.IGNORECASE,
)
_TRIGGER = re.compile(r"[\d@:%£$€¥₹]\S*")
_NAMED = re.compile(
    r"(?i:mon|tues|wednes|thurs|fri|satur|sun)day|(?i:january|february|march|april|june|july"
    r"|august|september|october|november|december)"
)
_NAMES = (
    *(f"{d}day" for d in ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun")),
    *(["january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december"]),
)
_SPACE = re.compile(r"\s")
_REACH = 24
_SENTENCE_END = re.compile(r"([.!?…][\"'’”)\]]?)[ \t]+|[ \t]*\n\s*")
_GREETING = re.compile(
    r"\s*(?P<word>(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening)))"
    r"(?P<who>[ \t]+(?:(?i:there|all|team|everyone|folks)\b|[A-Z][A-Za-z'’-]+(?:[ \t][A-Z][A-Za-z'’-]+)?))?"
    r"(?P<end>[ \t]*[,!.:]|[ \t]*(?=\r?\n)|[ \t]*\Z)"
)
_SIGNOFF = re.compile(
    r"\n[ \t]*(?:(?:kind|best|warm|warmest) (?:regards|wishes)|regards|best|many thanks|thanks"
    r"|thank you|cheers|sincerely|yours (?:sincerely|truly)|all the best|take care)[ \t]*[,.!]?"
    r"[ \t]*(?:\n[^\n]{1,60}){0,3}\s*\Z",
    re.IGNORECASE,
)
_GENERIC_WHO = frozenset({"there", "all", "team", "everyone", "folks", "guest", "customer"})
_NAME_OK = re.compile(r"[^\W\d_][\w .'’-]{0,39}")
_NAME_SLOT = re.compile(r",\s*\{name\}(?=[\s,.!?;:—–-]|$)|\{name\},?\s*|\s*\{name\}")
_WORD = re.compile(r"[^\W_]+")
_FIRST_LOWER = re.compile(r"[a-z][a-z']*\b")
_FIRST_TITLE = re.compile(r"[A-Z][a-z]*(?:['’][a-z]+)?\b")
_TIDY = (
    (re.compile(r"[ \t]{2,}"), " "),
    (re.compile(r"[ \t]+(?=[,.;:!?](?:\s|$))"), ""),
    (re.compile(r"([,;:])(?:\s*[,;:])+"), r"\1"),
    (re.compile(r"[,;:]\s*(?=[.!?]|$)"), ""),
    (re.compile(r"^[\s,;:.!?—–-]+"), ""),
    (re.compile(r"^(?:and|but)\b[\s,]*", re.IGNORECASE), ""),
    (re.compile(r"[\s,;:—–-]+$"), ""),
)


def facts(text: str) -> list[str]:
    """The facts in *text* a rewrite must keep verbatim, in order and without duplicates.

    Facts are order numbers and reference codes, amounts, dates, times, weekdays, months,
    percentages, phone numbers, emails and links: anything a customer may rely on.
    """
    return list(dict.fromkeys(text[a:b] for a, b in fact_spans(text)))


def fact_spans(text: str) -> list[tuple[int, int]]:
    """Where the facts of *text* are, as (start, end) offsets in text order.

    The fact pattern is slow to try at every position, so it only runs in windows around
    triggers (digits, '@', ':', currency signs, day and month names), widened to whole words.
    """
    spans: list[tuple[int, int]] = []
    start = end = 0
    for hit in _triggers(text):
        if end and hit <= end + _REACH:
            if hit + _REACH > end:
                end = _word_end(text, hit + _REACH)
            continue
        if end:
            spans += [m.span() for m in _FACT.finditer(text, start, end)]
        low = max(end, hit - _REACH)
        start = max(end, max(text.rfind(ch, end, low) for ch in " \t\n\r") + 1)
        end = _word_end(text, hit + _REACH)
    if end:
        spans += [m.span() for m in _FACT.finditer(text, start, end)]
    return spans


def _triggers(text: str) -> list[int]:
    hits = [m.start() for m in _TRIGGER.finditer(text)]
    lowered = text.lower()
    if len(lowered) != len(text):  # rare letters whose lower case is longer
        return sorted(hits + [m.start() for m in _NAMED.finditer(text)])
    named = [i for name in _NAMES if name in lowered for i in _find_all(lowered, name)]
    return sorted(hits + named) if named else hits


def _find_all(text: str, word: str) -> list[int]:
    found: list[int] = []
    i = text.find(word)
    while i >= 0:
        found.append(i)
        i = text.find(word, i + 1)
    return found


def _word_end(text: str, pos: int) -> int:
    m = _SPACE.search(text, pos)
    return m.start() if m else len(text)


@dataclass(slots=True)
class _Piece:
    """One sentence of the turn's body; ``sep`` is the whitespace that followed it."""

    start: int
    end: int
    original: str
    sep: str
    text: str = ""
    keep: bool = True

    def overlaps(self, a: Annotation) -> bool:
        return a.start < self.end and a.end > self.start


@dataclass(slots=True)
class _Draft:
    """The turn taken apart: greeting, sentences, sign-off, and the statements to add."""

    word: str
    who: str
    mark: str
    gap: str
    pieces: list[_Piece]
    signoff: str
    start: list[str] = field(default_factory=list)
    end: list[str] = field(default_factory=list)
    after: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> _Draft:
        g = _GREETING.match(text)
        pos = g.end() if g else 0
        sig = _SIGNOFF.search(text, pos)
        stop = sig.start() if sig else len(text)
        while sig and stop > pos and text[stop - 1].isspace():
            stop -= 1
        body = pos + len(text[pos:stop]) - len(text[pos:stop].lstrip())
        word, who, mark = (
            (g["word"], (g["who"] or "").strip(), g["end"].strip()) if g else ("", "", "")
        )
        gap = text[pos:body] or " "
        return cls(word, who, mark, gap, _split(text, body, stop), text[stop:])

    @property
    def greeting(self) -> str:
        """The greeting as it will be written ("" when there is none)."""
        return f"{self.word} {self.who}{self.mark}" if self.who else f"{self.word}{self.mark}"

    def kept(self, a: Annotation) -> bool:
        """False when every sentence holding the annotation was dropped."""
        hits = [p.keep for p in self.pieces if p.overlaps(a)]
        return not hits or any(hits)

    def personalise(self, name: str, template: str) -> None:
        """Put the customer's name in the greeting, adding one when there is none."""
        if not self.word:
            self.word, self.who, self.mark = template.replace("{name}", name), "", ""
            self.gap = " "
        elif not self.who or self.who.lower() in _GENERIC_WHO:
            self.who, self.mark = name, self.mark or ","

    def restore(self) -> None:
        """Undo every repair, keeping only the additions."""
        for p in self.pieces:
            p.text, p.keep = p.original, True

    def render(self, lower_words: frozenset[str]) -> str:
        out: list[list[str]] = [[s, " "] for s in self.start]
        for i, p in enumerate(self.pieces):
            if p.keep:
                out.append([p.text or p.original, p.sep])
            elif out and p.sep.count("\n") > out[-1][1].count("\n"):
                out[-1][1] = p.sep
            for extra in self.after.get(i, ()):
                _append(out, extra)
        for extra in self.end:
            _append(out, extra)
        body = "".join(t + s for t, s in out).strip()
        if self.greeting and body:
            if self.greeting.endswith(",") and "\n" not in self.gap:
                body = _lower_first(body, lower_words)
            body = self.greeting + self.gap + body
        else:
            body = _capitalise(self.greeting or body)
        return (body + self.signoff).strip()


def _split(text: str, start: int, stop: int) -> list[_Piece]:
    pieces: list[_Piece] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, stop):
        cut = m.end(1) if m.group(1) else m.start()  # the end mark stays with its sentence
        if cut > pos:
            pieces.append(_Piece(pos, cut, text[pos:cut], text[cut : m.end()]))
        pos = m.end()
    if stop > pos:
        pieces.append(_Piece(pos, stop, text[pos:stop], ""))
    return pieces


def _append(out: list[list[str]], extra: str) -> None:
    if out:
        sep, out[-1][1] = out[-1][1], " "
        out.append([extra, sep])
    else:
        out.append([extra, ""])


class Rewriter:
    """Rewrites staff turns with one content bundle; built once and reused for every turn."""

    def __init__(self, content: Content) -> None:
        self.library = content.statements
        self.rules = content.rules

    def rewrite(self, request: CoachingRequest) -> str | None:
        """The repaired and completed turn, or None when there is nothing to improve."""
        anti = [a for a in request.found if a.kind == KIND_ANTI_PATTERN]
        if not anti and not request.missed:
            return None
        mood = _mood(request.customer)
        draft = _Draft.parse(request.text)
        kept = [request.text[a:b] for a, b in fact_spans(request.text)]
        self._repair(draft, anti, mood, kept)
        self._complete(draft, request, anti, mood)
        lower = self.rules.lowercase_after_greeting
        out = draft.render(lower)
        if not all(f in out for f in kept):
            draft.restore()
            out = draft.render(lower)
            if not all(f in out for f in kept):
                return None
        return None if not out or out == request.text.strip() else out

    def _repair(self, draft: _Draft, anti: list[Annotation], mood: str, kept: list[str]) -> None:
        """Strip, drop or soften the sentences that hold anti-pattern evidence."""
        for p in draft.pieces:
            labels = {a.label for a in anti if p.overlaps(a)}
            mine = [rep for label, rep in self.rules.repairs.items() if label in labels]
            if not mine:
                continue
            norm = p.original.replace("’", "'")
            text, changed_by = norm, set()
            for rep in mine:
                if rep.gate is not None and rep.gate.search(text):
                    new = _apply(rep.strip, text, mood)
                    if new != text:
                        text = new
                        changed_by.add(rep.label)
            bad = any(_still_bad(rep, text, rep.label in changed_by) for rep in mine)
            if bad or _trivial(text, self.rules.fillers):
                if not any(f in p.original for f in kept):
                    p.keep = False
                    continue
                for rep in mine:
                    text = _apply(rep.soften, text, mood)
            if text != norm:
                p.text = _tidy(text)

    def _complete(
        self, draft: _Draft, req: CoachingRequest, anti: list[Annotation], mood: str
    ) -> None:
        rules = self.rules
        present = {a.label for a in req.found if a.kind == KIND_BEHAVIOUR and draft.kept(a)}
        wanted = [
            rules.repairs[a.label].add
            for a in anti
            if a.label in rules.repairs and _applies(rules.repairs[a.label].add_when, mood)
        ]
        wanted += req.missed
        adds = [
            rules.additions[b]
            for b in dict.fromkeys(w for w in wanted if w)
            if b in rules.additions and b not in present
        ]
        adds = [a for a in adds if req.speaker.value in a.speakers]
        seed = req.text
        topical = any(a.by_topic or a.group in self.library.topical for a in adds)
        topic = self._topic(req.customer_text or req.text) if topical else None
        picks = {
            a.behaviour: s
            for a in adds
            if (s := self._pick(a, seed, topic, req.customer)) is not None
        }
        chosen: list[Addition] = []
        covered: set[str] = set()
        for a in adds:
            if a.behaviour not in picks or a.behaviour in covered:
                continue
            if any(a.behaviour in rules.additions[b].covers for b in picks if b != a.behaviour):
                continue
            chosen.append(a)
            covered.update(a.covers)
        name = _clean_name(req.customer_name)
        if name and "personalization" in req.missed and name.lower() not in req.text.lower():
            draft.personalise(name, rules.greeting)
        named = name is None or name.lower() in (draft.greeting + req.text).lower()
        order = list(rules.additions)
        refusal = self._refusal_index(draft, anti)
        for a in sorted(chosen[: rules.max_added], key=lambda a: order.index(a.behaviour)):
            text = _fill(picks[a.behaviour].text, None if named else name)
            named = named or "{name}" in picks[a.behaviour].text
            if a.place == "start":
                draft.start.append(text)
            elif a.place == "after_refusal" and refusal is not None:
                draft.after.setdefault(refusal, []).append(text)
            else:
                draft.end.append(text)
        self._guard(draft, req, seed)

    def _guard(self, draft: _Draft, req: CoachingRequest, seed: str) -> None:
        """Set a boundary with an abusive customer; never leave the turn empty."""
        rules = self.rules
        if (
            req.customer is not None
            and req.customer.abusive
            and not rules.boundary_cue.search(req.text)
        ):
            draft.start.append(_choose(self.library.group(rules.boundary), seed).text)
        if (
            not draft.start
            and not draft.end
            and not draft.after
            and not any(p.keep for p in draft.pieces)
        ):
            solution = rules.additions.get("solution")
            found = self.library.group(solution.group) if solution else ()
            if found:
                draft.end.append(_fill(_choose(found, seed).text, None))

    def _pick(
        self, add: Addition, seed: str, topic: str | None, customer: CustomerState | None
    ) -> Statement | None:
        group = add.by_topic.get(topic, add.group) if topic else add.group
        emotion, level = self._emotion(customer)
        generic = not add.needs_emotion or group != add.group
        found = self.library.group(
            group, emotion=emotion, intensity=level, topic=topic, generic=generic
        )
        return _choose(found, seed) if found else None

    def _emotion(self, customer: CustomerState | None) -> tuple[str | None, str | None]:
        for e in customer.emotions if customer is not None else ():
            if e.label in NEGATIVE_EMOTIONS:
                return e.label, "strong" if e.intensity >= self.rules.strong_from else "mild"
            if e.label in POSITIVE_EMOTIONS:
                return e.label, None
        return None, None

    def _topic(self, text: str) -> str | None:
        head = text[:4000]
        return next((name for name, pattern in self.rules.topics if pattern.search(head)), None)

    def _refusal_index(self, draft: _Draft, anti: list[Annotation]) -> int | None:
        kept = [(i, p) for i, p in enumerate(draft.pieces) if p.keep]
        refusals = [a for a in anti if a.label == "bare_refusal"]
        for i, p in kept:
            if any(p.overlaps(a) for a in refusals):
                return i
        return next((i for i, p in kept if self.rules.refusal.search(p.text or p.original)), None)


def _choose(found: tuple[Statement, ...], seed: str) -> Statement:
    key = f"{found[0].situation}\x00{seed}".encode("utf-8", "surrogatepass")
    return found[zlib.crc32(key) % len(found)]


def _still_bad(rep: Repair, text: str, changed: bool) -> bool:
    if rep.cue is not None and rep.cue.search(text):
        return True
    return rep.action == "drop" and not changed


def _apply(rules: tuple[Rule, ...], text: str, mood: str) -> str:
    for rule in rules:
        if _applies(rule.when, mood):
            text = rule.pattern.sub(rule.put, text)
    return text


def _applies(when: str, mood: str) -> bool:
    return when in ("always", mood) or (when == "emotional" and mood != "neutral")


def _mood(customer: CustomerState | None) -> str:
    top = customer.top if customer is not None else None
    if top is None:
        return "neutral"
    if top.label in NEGATIVE_EMOTIONS:
        return "negative"
    return "positive" if top.label in POSITIVE_EMOTIONS else "neutral"


def _trivial(text: str, fillers: frozenset[str]) -> bool:
    return all(w.lower() in fillers for w in _WORD.findall(text))


def _tidy(text: str) -> str:
    for pattern, put in _TIDY:
        text = pattern.sub(put, text)
    if text and text[-1] not in ".!?…\"')”’":
        text += "."
    return _capitalise(text)


def _capitalise(text: str) -> str:
    if _FIRST_LOWER.match(text) is None or _FACT.match(text) is not None:
        return text
    return text[0].upper() + text[1:]


def _lower_first(text: str, words: frozenset[str]) -> str:
    m = _FIRST_TITLE.match(text)
    if m is None or m.group(0).lower().replace("’", "'") not in words:
        return text
    return text[0].lower() + text[1:]


def _fill(text: str, name: str | None) -> str:
    if "{name}" not in text:
        return text
    if name:
        return text.replace("{name}", name)
    return _capitalise(_NAME_SLOT.sub("", text))


def _clean_name(name: str | None) -> str | None:
    name = (name or "").strip()
    return name if _NAME_OK.fullmatch(name) else None
