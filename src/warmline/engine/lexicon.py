"""Cue lexicons: weighted regular expressions per label, loaded once from the package data files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import ahocorasick

from warmline.engine.datafiles import package_data, read_yaml
from warmline.engine.errors import ConfigError
from warmline.engine.prefilter import required_literals

_NEGATION = re.compile(r"(?:\bnot|\bno|n't|\bnever|\bwithout|\bnothing to)\s+(?:\w+\s+){0,2}$")


@dataclass(frozen=True, slots=True)
class Cue:
    """One weighted pattern for one label."""

    label: str
    pattern: re.Pattern[str]
    weight: float
    why: str
    negatable: bool
    literals: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a cue matched: offsets into the turn text."""

    label: str
    start: int
    end: int
    weight: float
    why: str


class Lexicon:
    """Labels mapped to cues; ``find`` returns every hit in a lower-cased text.

    Each cue carries the literal strings one of which any match must contain (see
    :mod:`warmline.engine.prefilter`). One Aho-Corasick pass finds which literals occur; a
    cue whose strings are all absent is skipped without running its regex, which keeps the
    engine's hot path fast.
    """

    def __init__(self, cues: dict[str, tuple[Cue, ...]]) -> None:
        self.cues = cues
        ordered = [cue for items in cues.values() for cue in items]
        self._always = tuple(i for i, cue in enumerate(ordered) if cue.literals is None)
        by_literal: dict[str, list[int]] = {}
        for i, cue in enumerate(ordered):
            for literal in cue.literals or ():
                by_literal.setdefault(literal, []).append(i)
        self._ordered = tuple(ordered)
        self._by_literal = {k: tuple(v) for k, v in by_literal.items()}
        self._automaton = ahocorasick.Automaton()
        for literal in self._by_literal:
            self._automaton.add_word(literal, literal)
        if self._by_literal:
            self._automaton.make_automaton()

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels this lexicon knows, in file order."""
        return tuple(self.cues)

    def find(self, lower: str, labels: tuple[str, ...] | None = None) -> list[Hit]:
        """All hits in *lower*, skipping negated ones ("not worried") where the cue allows.

        Hits come in file order of their cues, whatever the text, so results are stable.
        """
        candidates = set(self._always)
        if self._by_literal:
            for _end, literal in self._automaton.iter(lower):
                candidates.update(self._by_literal[literal])
        hits: list[Hit] = []
        for i in sorted(candidates):
            cue = self._ordered[i]
            if labels is not None and cue.label not in labels:
                continue
            for m in cue.pattern.finditer(lower):
                if cue.negatable and _NEGATION.search(lower, max(0, m.start() - 24), m.start()):
                    continue
                hits.append(Hit(cue.label, m.start(), m.end(), cue.weight, cue.why))
        return hits


@cache
def load_lexicon(resource: str) -> Lexicon:
    """Load and compile ``warmline/engine/data/<resource>`` (cached per process)."""
    raw = read_yaml(package_data(), resource)
    if not isinstance(raw, dict):
        raise ConfigError(f"{resource}: expected a mapping of label -> list of cues")
    return Lexicon(
        {str(label): _parse_cues(resource, str(label), items) for label, items in raw.items()}
    )


def _parse_cues(resource: str, label: str, items: Any) -> tuple[Cue, ...]:
    if not isinstance(items, list):
        raise ConfigError(f"{resource}: {label}: expected a list of cues")
    cues = []
    for n, item in enumerate(items):
        where = f"{resource}: {label}[{n}]"
        if not isinstance(item, dict) or "p" not in item:
            raise ConfigError(f"{where}: each cue needs a pattern 'p'")
        try:
            pattern = re.compile(str(item["p"]), re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"{where}: invalid pattern: {exc}") from exc
        weight = item.get("w", 1)
        if not isinstance(weight, int | float) or not 0 < weight <= 3:
            raise ConfigError(f"{where}: weight 'w' must be a number in (0, 3]")
        cues.append(
            Cue(
                label,
                pattern,
                float(weight),
                str(item.get("why", label)),
                bool(item.get("neg")),
                required_literals(pattern.pattern),
            )
        )
    return tuple(cues)
