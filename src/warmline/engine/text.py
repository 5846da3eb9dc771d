"""Shared preprocessing, computed once per turn: sentences, clauses and tokens with offsets."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from warmline.engine.model import Turn
from warmline.engine.words import content_words

Span = tuple[int, int]

# A sentence ends at . ! ? (possibly repeated, possibly followed by a closing quote or bracket)
# followed by whitespace, or at a line break. Decimal points and "e.g." style abbreviations
# do not end a sentence because they are not followed by whitespace and a capital... mostly;
# support text is informal, so we accept an occasional over-split rather than a slow parser.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n+")
_CLAUSE_END = re.compile(r"\s*(?:;|:\s|\s[—–-]\s|—|\s\(|\)\s?)\s*")
_TOKEN = re.compile(r"[A-Za-z0-9£$€'’]+(?:[.,][0-9]+)*")
_UPPER_WORD = re.compile(r"\b[A-Z]{3,}\b")


def split_spans(
    text: str, boundary: re.Pattern[str], start: int = 0, end: int | None = None
) -> list[Span]:
    """Split ``text[start:end]`` at *boundary* matches into trimmed, non-empty spans."""
    stop = len(text) if end is None else end
    spans: list[Span] = []
    pos = start
    for match in boundary.finditer(text, start, stop):
        _append_trimmed(text, pos, match.start(), spans)
        pos = match.end()
    _append_trimmed(text, pos, stop, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


@dataclass(frozen=True)
class TurnText:
    """A turn's text with its segmentation; the one preprocessing every detector shares."""

    turn: Turn

    @property
    def text(self) -> str:
        """The raw turn text; offsets refer to it."""
        return self.turn.text

    @cached_property
    def lower(self) -> str:
        """Lower-cased text with curly apostrophes made straight (same length as ``text``)."""
        text = self.turn.text
        lower = text.lower()
        if len(lower) != len(text):  # a few characters (e.g. "İ") lower to two code points
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        return lower.replace("’", "'").replace("‘", "'")

    @cached_property
    def sentences(self) -> tuple[Span, ...]:
        """Sentence spans in text order."""
        return tuple(split_spans(self.text, _SENTENCE_END))

    @cached_property
    def clauses(self) -> tuple[Span, ...]:
        """Clause spans: sentences further split at semicolons, colons, dashes and brackets."""
        out: list[Span] = []
        for start, end in self.sentences:
            out.extend(split_spans(self.text, _CLAUSE_END, start, end))
        return tuple(out)

    @cached_property
    def tokens(self) -> tuple[str, ...]:
        """Lower-cased word tokens."""
        return tuple(m.group(0) for m in _TOKEN.finditer(self.lower))

    def tokens_in(self, start: int, end: int) -> list[str]:
        """Lower-cased word tokens of ``text[start:end]`` (a sentence or clause)."""
        return [m.group(0) for m in _TOKEN.finditer(self.lower, start, end)]

    @cached_property
    def content_words(self) -> frozenset[str]:
        """The meaningful lower-cased words of the whole turn (see :mod:`warmline.engine.words`)."""
        return frozenset(content_words(self.lower))

    @cached_property
    def word_count(self) -> int:
        """Number of word tokens."""
        return len(self.tokens)

    @cached_property
    def shouted_words(self) -> int:
        """Words of three or more letters written in capitals (a strong-emotion cue)."""
        return sum(1 for m in _UPPER_WORD.finditer(self.text) if not _looks_like_code(m.group(0)))

    def sentence_at(self, offset: int) -> Span:
        """Return the sentence span containing *offset* (or the whole text as a fallback)."""
        return _containing(self.sentences, offset) or (0, len(self.text))

    def clause_at(self, offset: int) -> Span:
        """Return the clause span containing *offset* (or its sentence as a fallback)."""
        return _containing(self.clauses, offset) or self.sentence_at(offset)


def _containing(spans: tuple[Span, ...], offset: int) -> Span | None:
    """The span containing *offset*, by binary search (spans are sorted and disjoint)."""
    i = bisect_right(spans, (offset, len(spans) and spans[-1][1] + 1)) - 1
    if i >= 0 and spans[i][0] <= offset < spans[i][1]:
        return spans[i]
    return None


_CODE_LIKE = frozenset(
    {"CSV", "PDF", "SMS", "USB", "APP", "URL", "FAQ", "VPN", "ETA", "ATM", "PIN", "DM"}
)


def _looks_like_code(word: str) -> bool:
    """Acronyms and reference codes in capitals are not shouting."""
    return word in _CODE_LIKE or any(ch.isdigit() for ch in word)
