"""Coaching: tips for missed opportunities and anti-patterns, and a rewrite of the turn.

Tips come from ``data/tips.yaml`` (a principle and how to apply it, with variants by the
customer's emotion, focus and abusiveness). Rewrites come from :mod:`warmline.engine.rewrite`
with ``data/statements.yaml`` and ``data/rewrites.yaml`` and keep every fact of the turn
(:func:`facts`; this module also holds the text helpers the rewriter shares). The three files
are read once per content directory and shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources.abc import Traversable
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from warmline.engine.content import (
    REWRITES_FILE,
    STATEMENTS_FILE,
    Reader,
    RewriteRules,
    StatementLibrary,
    parse_rules,
    parse_statements,
)
from warmline.engine.datafiles import package_data, read_yaml
from warmline.engine.labels import ANTI_PATTERNS, EMOTIONS, FOCUS_VALUES, KIND_ANTI_PATTERN
from warmline.engine.model import Annotation, Speaker
from warmline.engine.results import CustomerState, Tip

if TYPE_CHECKING:
    from warmline.engine.rewrite import Rewriter

_MISSABLE = "acknowledge_emotion validate apology personalization graceful_no solution ownership"
_MISSABLE += " follow_up check_resolution offer_human reassurance clarifying_question gratitude"
#: Behaviour ids the scorer may report as missed; each has a tip in tips.yaml.
MISSABLE: Final[tuple[str, ...]] = tuple(_MISSABLE.split())
TIPS_FILE: Final = "tips.yaml"

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
_MONTH += r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_NAMES = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april"
_NAMES += "|june|july|august|september|october|november|december"
_NAME_LIST = _NAMES.split("|")
# Every branch opens with a cheap test, so most positions are rejected at once.
_FACT = re.compile(
    r"(?:(?<!\w)|(?=[+£$€¥₹h]))(?:"  # a fact starts at a word start, or at + £ $ € ¥ ₹ http
    r"(?<![\w.+-])(?=[\w.+-]+@)[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email
    r"|(?=h)https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]"  # link
    r"|(?=\+)\+\d{1,3}(?:[ -]?\(?\d{1,5}\)?){2,6}"  # international phone number
    r"|(?<!\w)(?=\d)(?:\d{1,2}(?:st|nd|rd|th)?(?: of)? " + _MONTH + r"\b(?:,? \d{4})?"  # 4 May
    r"|\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"  # numeric dates
    r"|\d{1,2}(?:[:.]\d{2})? ?(?:am|pm|a\.m\.|p\.m\.)"  # 9am, 10.30 pm
    r"|\d(?:[\d,]*\d)?(?:\.\d+)? ?(?:eur|usd|gbp|chf|aud|cad|jpy|euros?|dollars?|pounds?|pence)\b"
    r"|\d+(?:[.,]\d+)? ?%)"  # 15%
    r"|(?=[£$€¥₹])[£$€¥₹] ?\d(?:[\d,]*\d)?(?:\.\d+)?"  # £4.99, $312
    r"|(?<!\w)(?=[a-z])(?:" + _MONTH + r" \d{1,2}(?:st|nd|rd|th)?\b(?:,? \d{4})?"  # May 4th
    r"|(?:" + _NAMES.replace("day|", "days?|") + r")\b)"  # weekdays, months
    r"|(?<![\w#/-])(?=[#\w/-]*\d)[#\w/-]*\d[\w/#-]*(?:[.,:]\d+)*)",  # order numbers, codes
    re.IGNORECASE,
)
_TRIGGER = re.compile(r"[\d@:%£$€¥₹]\S*")
_NAMED = re.compile(_NAMES, re.IGNORECASE)
_SPACE = re.compile(r"\s")
#: What a sentence may end with; a sentence without one gets a full stop.
ENDINGS: Final = frozenset(".!?…\"')”’")
_FIRST_LOWER = re.compile(r"[a-z][a-z']*\b")
_NAME_SLOT = re.compile(r",\s*\{name\}(?=[\s,.!?;:—–-]|$)|\{name\},?\s*|\s*\{name\}")
_TIDY = (
    (re.compile(r"[ \t]{2,}"), " "),
    (re.compile(r"[ \t]+(?=[,.;:!?](?:\s|$))"), ""),
    (re.compile(r"([,;:])(?:\s*[,;:])+"), r"\1"),
    (re.compile(r"[,;:]\s*(?=[.!?]|$)"), ""),
    (re.compile(r"^(?:[\s,;:.!?—–-]|(?:and|but)\b)+", re.IGNORECASE), ""),
    (re.compile(r"[\s,;:—–-]+$"), ""),
)
_START = attrgetter("start")
_REACH = 24  # characters around a trigger that a fact can reach ("September 4th, 2024")


def facts(text: str) -> list[str]:
    """The facts a rewrite must keep verbatim, in order of appearance and without repeats.

    Facts are order numbers and reference codes, amounts, dates, times, weekdays, months,
    percentages, phone numbers, emails and links: anything the customer may rely on.
    """
    return list(dict.fromkeys(text[a:b] for a, b in fact_spans(text)))


def fact_spans(text: str) -> list[tuple[int, int]]:
    """Where the facts of *text* are, as (start, end) offsets in text order."""
    # The fact pattern is slow to try at every position, so it runs only in windows around
    # triggers (digits, '@', ':', '%', currency signs, day and month names), cut at whitespace.
    hits = [m.start() for m in _TRIGGER.finditer(text)]
    lowered = text.lower()
    if any(name in lowered for name in _NAME_LIST):
        hits = sorted(hits + [m.start() for m in _NAMED.finditer(text)])
    spans: list[tuple[int, int]] = []
    start = end = 0
    for hit in hits:
        if end and hit <= end + _REACH:
            if hit + _REACH > end:
                end = _word_end(text, hit + _REACH)
            continue
        if end:
            spans += [m.span() for m in _FACT.finditer(text, start, end)]
        floor = max(end, hit - _REACH)
        start = max(end, max(text.rfind(ch, end, floor) for ch in " \t\n\r") + 1)
        end = _word_end(text, hit + _REACH)
    if end:
        spans += [m.span() for m in _FACT.finditer(text, start, end)]
    return spans


def _word_end(text: str, pos: int) -> int:
    m = _SPACE.search(text, pos)
    return m.start() if m else len(text)


def tidy(sentence: str, kept: list[str]) -> str:
    """Tidy an edited sentence: spacing, stray punctuation, end mark and first capital."""
    for pattern, put in _TIDY:
        sentence = pattern.sub(put, sentence)
    if sentence and sentence[-1] not in ENDINGS:
        sentence += "."
    return capitalise(sentence, kept)


def fill_name(text: str, name: str | None) -> str:
    """Put *name* in a statement's {name}, or remove the placeholder and its comma."""
    text = text.replace("{name}", name) if name else _NAME_SLOT.sub("", text)
    return text[:1].upper() + text[1:]


def capitalise(text: str, kept: list[str]) -> str:
    """Capitalise a lower-case first word, unless the text starts with a fact in *kept*."""
    if _FIRST_LOWER.match(text) is None or any(text.startswith(f) for f in kept):
        return text
    return text[0].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class CoachingRequest:
    """What the coach knows about one staff turn.

    ``found`` are the turn's annotations (behaviours, anti-patterns, mechanisms);
    ``missed`` are behaviour ids the moment called for but the turn lacks, in priority order.
    """

    text: str
    speaker: Speaker
    found: tuple[Annotation, ...]
    missed: tuple[str, ...]
    customer: CustomerState | None
    customer_name: str | None
    customer_text: str | None


@dataclass(frozen=True, slots=True)
class TipEntry:
    """Every tip about one label: a default and variants by the customer's state."""

    label: str
    default: Tip
    by_emotion: dict[str, Tip]
    by_focus: dict[str, Tip]
    abusive: Tip | None
    covers: tuple[str, ...]

    def for_customer(self, customer: CustomerState | None) -> Tip:
        """The variant for this customer: abusive, then top emotion, then focus, then default."""
        if customer is None:
            return self.default
        if customer.abusive and self.abusive is not None:
            return self.abusive
        top = customer.top
        if top is not None and top.label in self.by_emotion:
            return self.by_emotion[top.label]
        return self.by_focus.get(customer.focus, self.default)


def parse_tips(data: Any) -> tuple[dict[str, TipEntry], int]:
    """Validate tips.yaml (every anti-pattern and missable behaviour needs a tip).

    Returns the entries by base id (``avoid.blame``, ``missed.validate``) and the tip limit.
    """
    r = Reader(TIPS_FILE)
    root = r.mapping(data, "file", required=("max_tips", "avoid", "missed"))
    entries: dict[str, TipEntry] = {}
    for section, labels in (("avoid", ANTI_PATTERNS), ("missed", MISSABLE)):
        block = r.mapping(root[section], section, required=labels)
        for label in labels:
            entries[f"{section}.{label}"] = _tip_entry(r, section, label, block[label])
    return entries, r.choice(root["max_tips"], "max_tips", range(1, 21))


def _tip_entry(r: Reader, section: str, label: str, value: Any) -> TipEntry:
    base = f"{section}.{label}"
    keys = ("emotion", "focus", "abusive", "covers")
    m = r.mapping(value, base, required=("message",), optional=keys)

    def tip(suffix: str, text: Any, where: str) -> Tip:
        message = r.text(text, where).strip()
        return Tip(id=base + suffix, message=message, label=label, missed=section == "missed")

    emotion = r.mapping(m.get("emotion"), f"{base}.emotion", optional=EMOTIONS)
    focus = r.mapping(m.get("focus"), f"{base}.focus", optional=FOCUS_VALUES)
    abusive = m.get("abusive")
    return TipEntry(
        label=label,
        default=tip("", m["message"], f"{base}.message"),
        by_emotion={k: tip(f".{k}", v, f"{base}.emotion.{k}") for k, v in emotion.items()},
        by_focus={k: tip(f".focus_{k}", v, f"{base}.focus.{k}") for k, v in focus.items()},
        abusive=None if abusive is None else tip(".abusive", abusive, f"{base}.abusive"),
        covers=r.words(m.get("covers"), f"{base}.covers", MISSABLE),
    )


def check_references(rules: RewriteRules, library: StatementLibrary) -> None:
    """Every statement group the rewrite rules draw from must exist in the library."""
    wanted = [(f"additions.{k}.group", a.group) for k, a in rules.additions.items()]
    for k, a in rules.additions.items():
        wanted += [(f"additions.{k}.by_topic.{t}", g) for t, g in a.by_topic.items()]
    for entry, group in [*wanted, ("boundary", rules.boundary)]:
        if group not in library.situations:
            Reader(REWRITES_FILE).fail(entry, f"a situation defined in {STATEMENTS_FILE}", group)


@lru_cache(maxsize=8)
def _load(directory: Path | None) -> tuple[dict[str, TipEntry], int, Rewriter]:
    # Imported here: the rewriter uses this module's text helpers (a cycle at import time).
    from warmline.engine.rewrite import Rewriter

    where: Traversable | Path = package_data() if directory is None else directory
    tips, max_tips = parse_tips(read_yaml(where, TIPS_FILE))
    rules = parse_rules(read_yaml(where, REWRITES_FILE))
    topics = frozenset(name for name, _ in rules.topics)
    library = parse_statements(read_yaml(where, STATEMENTS_FILE), topics)
    check_references(rules, library)
    return tips, max_tips, Rewriter(library, rules)


class Coach:
    """Chooses tips and writes rewrites from the coaching data files.

    ``content_dir`` is a directory holding tips.yaml, statements.yaml and rewrites.yaml
    (default: the files shipped in the package). Each directory is read once per process;
    a malformed file raises :class:`~warmline.engine.errors.ConfigError`.
    """

    def __init__(self, *, content_dir: Path | str | None = None) -> None:
        where = None if content_dir is None else Path(content_dir)
        self.entries, self.max_tips, self.rewriter = _load(where)

    def tips(self, request: CoachingRequest) -> tuple[Tip, ...]:
        """One tip per anti-pattern found and per missed behaviour, anti-patterns first."""
        anti = sorted((a for a in request.found if a.kind == KIND_ANTI_PATTERN), key=_START)
        if not anti and not request.missed:
            return ()
        keys = [f"avoid.{a.label}" for a in anti] + [f"missed.{m}" for m in request.missed]
        chosen: list[Tip] = []
        covered: set[str] = set()
        for key in dict.fromkeys(keys):
            entry = self.entries.get(key)
            if entry is None or (key.startswith("missed.") and entry.label in covered):
                continue
            chosen.append(entry.for_customer(request.customer))
            covered.update(entry.covers)
            if len(chosen) == self.max_tips:
                break
        return tuple(chosen)

    def rewrite(self, request: CoachingRequest) -> str | None:
        """A rewrite of the turn that keeps its facts and adds what was missing.

        None when the turn has no anti-pattern and nothing missed, or nothing to improve.
        """
        if not request.missed and not any(a.kind == KIND_ANTI_PATTERN for a in request.found):
            return None
        return self.rewriter.rewrite(request, facts(request.text))
