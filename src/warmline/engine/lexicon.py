"""Cue lexicons: weighted regular expressions per label, loaded once from the package data files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import ahocorasick
import yaml

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
        self._literals = tuple(
            sorted({s for items in cues.values() for c in items for s in c.literals or ()})
        )
        self._automaton = ahocorasick.Automaton()
        for literal in self._literals:
            self._automaton.add_word(literal, literal)
        if self._literals:
            self._automaton.make_automaton()

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels this lexicon knows, in file order."""
        return tuple(self.cues)

    def find(self, lower: str, labels: tuple[str, ...] | None = None) -> list[Hit]:
        """All hits in *lower*, skipping negated ones ("not worried") where the cue allows."""
        hits: list[Hit] = []
        present = {s for _end, s in self._automaton.iter(lower)} if self._literals else set()
        for label in labels or self.labels:
            for cue in self.cues.get(label, ()):
                if cue.literals is not None and cue.literals.isdisjoint(present):
                    continue
                for m in cue.pattern.finditer(lower):
                    if cue.negatable and _NEGATION.search(lower, max(0, m.start() - 24), m.start()):
                        continue
                    hits.append(Hit(label, m.start(), m.end(), cue.weight, cue.why))
        return hits


@cache
def load_lexicon(resource: str) -> Lexicon:
    """Load and compile ``warmline/engine/data/<resource>`` (cached per process)."""
    path = files("warmline.engine") / "data" / resource
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read lexicon {resource}: {exc}") from exc
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
