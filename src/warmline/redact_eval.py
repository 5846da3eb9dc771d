"""Measure a :class:`~warmline.redact.Redactor` against sentences with their personal data marked.

A labelled set is JSON Lines, one sentence per line::

    {"id": "pii-001", "text": "Call me on +1 415 555 0134.", "spans": [{"kind": "phone", "start": 11, "end": 26}]}

Everything outside ``spans`` must be kept. Scores per kind:

- **recall**: a marked span counts as found when redactions of its kind cover every one of its
  letters and digits (a phone number half-redacted is a leak, not a hit);
- **leak-free recall**: the same, with redactions of *any* kind (what matters for privacy: a
  card redacted as ``[phone]`` is still gone);
- **precision**: a redaction counts as right when it overlaps a marked span of its kind; one that
  overlaps nothing marked removed something that had to be kept.

The project's own set is ``tests/data/pii_set.jsonl`` (written by ``tools/make_pii_set.py``);
``benchmarks/redaction.py`` prints the table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from warmline.engine.errors import ConfigError
from warmline.redact import KINDS, Finding, Redactor

__all__ = ["KindScore", "LabelledText", "RedactionScores", "evaluate", "load_set"]


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One sentence and its marked personal data."""

    id: str
    text: str
    spans: tuple[Finding, ...]


@dataclass
class KindScore:
    """Counts for one kind of personal data."""

    marked: int = 0
    found: int = 0
    found_any_kind: int = 0
    redacted: int = 0
    redacted_right: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.marked if self.marked else None

    @property
    def leak_free_recall(self) -> float | None:
        return self.found_any_kind / self.marked if self.marked else None

    @property
    def precision(self) -> float | None:
        return self.redacted_right / self.redacted if self.redacted else None


@dataclass
class RedactionScores:
    """Scores per kind, the sentences behind them, and every miss and wrong redaction."""

    kinds: dict[str, KindScore] = field(default_factory=lambda: {k: KindScore() for k in KINDS})
    sentences: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def total(self) -> KindScore:
        """All kinds together (micro-averaged)."""
        out = KindScore()
        for s in self.kinds.values():
            out.marked += s.marked
            out.found += s.found
            out.found_any_kind += s.found_any_kind
            out.redacted += s.redacted
            out.redacted_right += s.redacted_right
        return out


def load_set(path: Path) -> list[LabelledText]:
    """Read a labelled set; a malformed line is an :class:`~warmline.engine.errors.ConfigError` naming it."""
    out: list[LabelledText] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                raw = json.loads(line)
                text = raw["text"]
                spans = tuple(
                    Finding(str(s["kind"]), int(s["start"]), int(s["end"])) for s in raw["spans"]
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigError(
                    f"{where}: expected {{id, text, spans: [{{kind, start, end}}]}} ({exc})"
                ) from exc
            for s in spans:
                if s.kind not in KINDS or not 0 <= s.start < s.end <= len(text):
                    raise ConfigError(
                        f"{where}: span {s.kind} {s.start}-{s.end} is not a known kind inside the text"
                    )
            out.append(LabelledText(str(raw.get("id", number)), text, spans))
    return out


def evaluate(redactor: Redactor, items: Iterable[LabelledText]) -> RedactionScores:
    """Redact every sentence and score what was found against what was marked."""
    scores = RedactionScores()
    for item in items:
        scores.sentences += 1
        found = redactor.redact(item.text).found
        for span in item.spans:
            score = scores.kinds[span.kind]
            score.marked += 1
            same = [f for f in found if f.kind == span.kind]
            if _covered(item.text, span, same):
                score.found += 1
            else:
                scores.missed.append(f"{item.id} {span.kind}: {item.text[span.start : span.end]!r}")
            if _covered(item.text, span, found):
                score.found_any_kind += 1
        for f in found:
            score = scores.kinds[f.kind]
            score.redacted += 1
            if any(s.kind == f.kind and s.start < f.end and f.start < s.end for s in item.spans):
                score.redacted_right += 1
            else:
                scores.wrong.append(f"{item.id} {f.kind}: {item.text[f.start : f.end]!r}")
    return scores


def _covered(text: str, span: Finding, found: Sequence[Finding]) -> bool:
    """True when every letter and digit of the span lies inside one of the findings."""
    return all(
        any(f.start <= i < f.end for f in found)
        for i in range(span.start, span.end)
        if text[i].isalnum()
    )
