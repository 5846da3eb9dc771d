"""Rewrite a staff turn: repair its anti-patterns and add what it missed, keeping its facts.

The turn is taken apart into an optional greeting, its sentences and an optional sign-off.
Sentences holding anti-pattern evidence are repaired by the rules of rewrites.yaml (phrases
stripped, or the sentence dropped, never one that holds a fact), then library statements are
placed where the missing behaviours belong. Variants are picked by a CRC of the turn text, so
a request always gets the same rewrite; a last check confirms every fact survived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warmline.engine.coaching import ENDINGS, capitalise, fill_name, tidy
from warmline.engine.labels import KIND_ANTI_PATTERN, KIND_BEHAVIOUR
from warmline.engine.labels import NEGATIVE_EMOTIONS as NEGATIVE
from warmline.engine.labels import POSITIVE_EMOTIONS as POSITIVE

_Feeling = tuple[str, str | None, str | None]  # mood, emotion to answer, its intensity

if TYPE_CHECKING:
    from warmline.engine.coaching import CoachingRequest
    from warmline.engine.content import Addition, Repair, RewriteRules, Rule, Statement
    from warmline.engine.content import StatementLibrary as Library
    from warmline.engine.model import Annotation
    from warmline.engine.results import CustomerState

_SENTENCE_END = re.compile(r"([.!?…][\"'’”)\]]?)[ \t]+|[ \t]*\n\s*")
_GREETING = re.compile(
    r"\s*(?P<word>(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening)))(?P<who>[ \t]+"
    r"(?:(?i:there|all|team|everyone|folks)\b|[A-Z][A-Za-z'’-]+(?:[ \t][A-Z][A-Za-z'’-]+)?))?"
    r"(?P<mark>[ \t]*[,!.:]|[ \t]*(?=\r?\n)|[ \t]*\Z)"
)
_GENERIC_WHO = frozenset({"there", "all", "team", "everyone", "folks", "guest", "customer"})
_NAME_OK = re.compile(r"[^\W\d_][\w .'’-]{0,39}")
_WORD = re.compile(r"[^\W_]+")
_FIRST_TITLE = re.compile(r"[A-Z][a-z]*(?:['’][a-z]+)?\b")


@dataclass(slots=True)
class _Piece:
    """One sentence of the turn's body; ``sep`` is the whitespace that followed it."""

    start: int
    end: int
    original: str
    sep: str
    text: str = ""  # the repaired sentence, when repaired
    keep: bool = True

    def overlaps(self, a: Annotation) -> bool:
        return a.start < self.end and a.end > self.start


@dataclass(slots=True)
class _Draft:
    """The turn taken apart (greeting, sentences, sign-off) plus the statements to add."""

    word: str  # greeting word ("Hi"), "" when there is no greeting
    who: str
    mark: str
    gap: str
    pieces: list[_Piece]
    kept: list[str]  # the facts that must survive
    start: list[str] = field(default_factory=list)
    end: list[str] = field(default_factory=list)
    after: dict[int, list[str]] = field(default_factory=dict)
    added: bool = False  # the greeting is ours

    @classmethod
    def parse(cls, text: str, kept: list[str]) -> _Draft:
        g = _GREETING.match(text)
        pos = g.end() if g else 0
        cut = body = len(text) - len(text[pos:].lstrip())
        head = (g["word"], (g["who"] or "").strip(), g["mark"].strip()) if g else ("", "", "")
        pieces: list[_Piece] = []
        for m in _SENTENCE_END.finditer(text, body):
            end = m.end(1) if m.group(1) else m.start()  # the end mark stays with its sentence
            if end > cut:
                pieces.append(_Piece(cut, end, text[cut:end], text[end : m.end()]))
            cut = m.end()
        if len(text) > cut:
            pieces.append(_Piece(cut, len(text), text[cut:], ""))
        return cls(*head, text[pos:body] or " ", pieces, kept)

    @property
    def greeting(self) -> str:
        return f"{self.word} {self.who}{self.mark}" if self.who else f"{self.word}{self.mark}"

    def personalise(self, name: str, template: str) -> None:
        """Put the customer's name in the greeting, adding one when there is none."""
        if not self.word:
            self.word, self.gap, self.added = template.replace("{name}", name), " ", True
        elif not self.who or self.who.lower() in _GENERIC_WHO:
            self.who, self.mark = name, self.mark or ","

    def render(self, lower_words: frozenset[str], closing: re.Pattern[str]) -> str:
        """Put the turn back together; end additions go before any closing or sign-off."""
        kept = [i for i, p in enumerate(self.pieces) if p.keep][-3:]
        ends = [i for i in kept if closing.search(_lower(self.pieces[i].original))]
        tail = ends[0] if ends else len(self.pieces)
        out: list[list[str]] = [[s, " "] for s in self.start]
        for i, p in enumerate(self.pieces):
            if i == tail:
                _append(out, *self.end)
            if p.keep:
                text = p.text or p.original
                out.append([capitalise(text, self.kept) if out else text, p.sep])
            elif out and p.sep.count("\n") > out[-1][1].count("\n"):
                out[-1][1] = p.sep
            _append(out, *self.after.get(i, ()))
        if tail == len(self.pieces):
            _append(out, *self.end)
        return self._greet("".join(t + s for t, s in out).strip(), lower_words)

    def _greet(self, body: str, lower_words: frozenset[str]) -> str:
        greeting = self.greeting
        if not greeting or not body:
            return capitalise(greeting or body, self.kept)
        if greeting.endswith(",") and "\n" not in self.gap:
            first = _FIRST_TITLE.match(body)
            if first and first.group(0).lower().replace("’", "'") in lower_words:
                body = body[0].lower() + body[1:]
            elif first and self.added and first.group(0)[1:2] not in ("", "'", "’"):
                greeting = greeting[:-1] + "."  # "Hi Sam. Two days..." rather than "Hi Sam, Two"
        return greeting + self.gap + body


def _append(out: list[list[str]], *extras: str) -> None:
    """Add sentences after the last one, which keeps its end mark and separator."""
    for extra in extras:
        if not out:
            out.append([extra, ""])
            continue
        sep, out[-1][1] = out[-1][1], " "
        if out[-1][0][-1:] not in ENDINGS:
            out[-1][0] += "."
        out.append([extra, sep])


class Rewriter:
    """Rewrites staff turns from one statement library and rule set; built once, reused."""

    def __init__(self, library: Library, rules: RewriteRules) -> None:
        self.library = library
        self.rules = rules

    def rewrite(self, request: CoachingRequest, kept: list[str]) -> str | None:
        """The repaired, completed turn keeping every string in *kept*; None if nothing to do."""
        anti = [a for a in request.found if a.kind == KIND_ANTI_PATTERN]
        if not anti and not request.missed:
            return None
        feeling = self._feeling(request.customer)
        draft = _Draft.parse(request.text, kept)
        self._repair(draft, anti, feeling[0])
        self._complete(draft, request, anti, feeling)
        out = draft.render(self.rules.lowercase_words, self.rules.closing)
        if not out or out == request.text.strip() or not all(f in out for f in kept):
            return None  # a rewrite that lost a fact is never handed out
        return out

    def _repair(self, draft: _Draft, anti: list[Annotation], mood: str) -> None:
        """Strip, drop or soften the sentences that hold anti-pattern evidence."""
        found = {a.label for a in anti}
        repairs = self.rules.repairs
        everywhere = [r for k, r in repairs.items() if k in found and r.scope == "turn"]
        for p in draft.pieces:
            labels = dict.fromkeys(a.label for a in anti if p.overlaps(a))
            mine = [repairs[k] for k in labels if k in repairs]
            strip = mine + [r for r in everywhere if r not in mine]
            if not strip:
                continue
            norm = text = p.original.replace("’", "'")
            changed = set()
            for rep in strip:
                if rep.gate is not None and rep.gate.search(text.lower()):
                    new = _apply(rep.strip, text, mood)
                    if new != text:
                        text = new
                        changed.add(rep.label)
            low = text.lower()
            bad = any(_still_bad(r, low, r.label in changed) for r in mine)
            if bad or ((mine or changed) and self._filler(text)):
                if not any(f in p.original for f in draft.kept):
                    p.keep = False
                    continue
                for rep in mine:
                    text = _apply(rep.soften, text, mood)
            if text != norm:
                p.text = tidy(text, draft.kept)
        if not all(p.keep for p in draft.pieces):  # a broken-up turn loses its "Okay." "Yes?"
            for p in draft.pieces:
                if self._filler(p.text or p.original) and not any(
                    f in p.original for f in draft.kept
                ):
                    p.keep = False

    def _filler(self, text: str) -> bool:
        return all(w.lower() in self.rules.fillers for w in _WORD.findall(text))

    def _complete(
        self, draft: _Draft, req: CoachingRequest, anti: list[Annotation], feeling: _Feeling
    ) -> None:
        """Add statements for what is missing: name, acknowledgement, alternative, follow-up."""
        rules, additions = self.rules, self.rules.additions
        gone = [p for p in draft.pieces if not p.keep]  # behaviours there were dropped too
        present = {a.label for a in req.found if a.kind == KIND_BEHAVIOUR}
        present -= {a.label for a in req.found if any(p.overlaps(a) for p in gone)}
        fixes = [rules.repairs[a.label] for a in anti if a.label in rules.repairs]
        wanted = [r.add for r in fixes if r.add and _applies(r.add_when, feeling[0])]
        adds = [additions[b] for b in dict.fromkeys(wanted + list(req.missed)) if b in additions]
        adds = [a for a in adds if a.behaviour not in present and req.speaker in a.speakers]
        adds = [a for a in adds if _applies(a.when, feeling[0])]
        topic = None
        if any(a.by_topic or a.group in self.library.topical for a in adds):
            head = _lower((req.customer_text or req.text)[:1500])
            topic = next((name for name, p in rules.topics if p.search(head)), None)
        picks = {a.behaviour: s for a in adds if (s := self._pick(a, req.text, topic, feeling))}
        covered = {c for b in picks for c in additions[b].covers if c != b}
        chosen = [a for a in adds if a.behaviour in picks and a.behaviour not in covered]
        name, named = self._name(draft, req)
        refusal = self._refusal_index(draft, anti)
        order = list(additions)
        for a in sorted(chosen[: rules.max_added], key=lambda a: order.index(a.behaviour)):
            text = fill_name(picks[a.behaviour].text, None if named else name)
            named = named or "{name}" in picks[a.behaviour].text
            if a.place == "after_refusal" and refusal is not None:
                draft.after.setdefault(refusal, []).append(text)
            else:
                (draft.start if a.place == "start" else draft.end).append(text)
        abusive = req.customer is not None and req.customer.abusive
        boundary = self.library.choose(rules.boundary, req.text) if abusive else None
        if boundary and not rules.boundary_cue.search(_lower(req.text)):
            draft.start.append(fill_name(boundary.text, None))

    def _name(self, draft: _Draft, req: CoachingRequest) -> tuple[str | None, bool]:
        """The usable customer name (put in the greeting if missed) and whether it is used."""
        name = (req.customer_name or "").strip()
        if not _NAME_OK.fullmatch(name):
            return None, True
        if "personalization" in req.missed and name.lower() not in req.text.lower():
            draft.personalise(name, self.rules.greeting)
        return name, name.lower() in (draft.greeting + req.text).lower()

    def _pick(
        self, add: Addition, seed: str, topic: str | None, feeling: _Feeling
    ) -> Statement | None:
        group = add.by_topic.get(topic, add.group) if topic else add.group
        generic = not add.needs_emotion or group != add.group
        _, emotion, level = feeling
        return self.library.choose(
            group, seed, emotion=emotion, intensity=level, topic=topic, generic=generic
        )

    def _feeling(self, customer: CustomerState | None) -> _Feeling:
        """The customer's mood (negative, positive, neutral) and the emotion to answer."""
        top = customer.top.label if customer is not None and customer.top else "neutral"
        mood = "positive" if top in POSITIVE else "neutral"
        mood = "negative" if top in NEGATIVE else mood
        for e in customer.emotions if customer is not None else ():
            if e.label in NEGATIVE:
                return mood, e.label, "strong" if e.intensity >= self.rules.strong_from else "mild"
            if e.label in POSITIVE:
                return mood, e.label, None
        return mood, None, None

    def _refusal_index(self, draft: _Draft, anti: list[Annotation]) -> int | None:
        """The sentence a graceful-no alternative should follow."""
        kept = [(i, p) for i, p in enumerate(draft.pieces) if p.keep]
        refusals = [a for a in anti if a.label == "bare_refusal"]
        found = [i for i, p in kept if any(p.overlaps(a) for a in refusals)]
        found += [i for i, p in kept if self.rules.refusal.search(_lower(p.text or p.original))]
        return found[0] if found else None


def _lower(text: str) -> str:
    return text.lower().replace("’", "'")


def _still_bad(rep: Repair, lowered: str, changed: bool) -> bool:
    """A sentence is still bad when a cue matches, or when nothing repaired a "drop" one."""
    cue = rep.cue is not None and rep.cue.search(lowered) is not None
    return cue or (rep.action == "drop" and not changed)


def _apply(rules: tuple[Rule, ...], text: str, mood: str) -> str:
    for pattern, put, when in rules:
        if _applies(when, mood):
            text = pattern.sub(put, text)
    return text


def _applies(when: str, mood: str) -> bool:
    return when in ("always", mood) or (when == "emotional" and mood != "neutral")
