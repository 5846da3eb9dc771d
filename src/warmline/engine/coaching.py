"""Coaching: tips for missed opportunities and anti-patterns, and a rewrite of the turn.

Tips come from ``data/tips.yaml`` (a principle plus how to apply it, with variants by the
customer's emotion, focus and abusiveness); rewrites come from :mod:`warmline.engine.rewrite`
with the statements and rules of ``data/statements.yaml`` and ``data/rewrites.yaml``. All
three files are parsed once per content directory and shared by every :class:`Coach`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

from warmline.engine.content import Reader, default_directory, load_content, read_yaml
from warmline.engine.labels import ANTI_PATTERNS, EMOTIONS, FOCUS_VALUES, KIND_ANTI_PATTERN
from warmline.engine.model import Annotation, Speaker
from warmline.engine.results import CustomerState, Tip
from warmline.engine.rewrite import Rewriter

#: Behaviour ids the scorer may report as missed; each has a tip in tips.yaml.
MISSABLE: Final[tuple[str, ...]] = (
    "acknowledge_emotion",
    "validate",
    "apology",
    "personalization",
    "graceful_no",
    "solution",
    "ownership",
    "follow_up",
    "check_resolution",
    "offer_human",
    "reassurance",
    "clarifying_question",
    "gratitude",
)
TIPS_FILE: Final = "tips.yaml"


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


@dataclass(frozen=True, slots=True)
class TipBook:
    """All tips by base id (``avoid.blame``, ``missed.validate``) and the per-turn limit."""

    entries: dict[str, TipEntry]
    max_tips: int


def parse_tips(data: Any) -> TipBook:
    """Validate tips.yaml: every anti-pattern and missable behaviour needs a tip."""
    r = Reader(TIPS_FILE)
    root = r.mapping(data, "file", required=("max_tips", "avoid", "missed"))
    entries: dict[str, TipEntry] = {}
    for section, labels in (("avoid", ANTI_PATTERNS), ("missed", MISSABLE)):
        block = r.mapping(root[section], section, required=labels)
        for label in labels:
            entries[f"{section}.{label}"] = _entry(r, section, label, block[label])
    return TipBook(entries, r.integer(root["max_tips"], "max_tips", 1, 20))


def _entry(r: Reader, section: str, label: str, value: Any) -> TipEntry:
    base = f"{section}.{label}"
    keys = ("emotion", "focus", "abusive", "covers")
    m = r.mapping(value, base, required=("message",), optional=keys)
    missed = section == "missed"

    def tip(suffix: str, text: Any, where: str) -> Tip:
        return Tip(
            id=base + suffix, message=r.text(text, where).strip(), label=label, missed=missed
        )

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


@lru_cache(maxsize=8)
def _load(directory: Path | None) -> tuple[TipBook, Rewriter]:
    where: Traversable | Path = default_directory() if directory is None else directory
    return parse_tips(read_yaml(where, TIPS_FILE)), Rewriter(load_content(where))


class Coach:
    """Chooses tips and writes rewrites from the coaching data files.

    ``content_dir`` points at a directory holding tips.yaml, statements.yaml and
    rewrites.yaml (default: the files shipped in the package). Files are parsed once per
    directory; a malformed file raises :class:`~warmline.engine.errors.ConfigError`.
    """

    def __init__(self, *, content_dir: Path | None = None) -> None:
        self.book, self._rewriter = _load(None if content_dir is None else Path(content_dir))

    def tips(self, request: CoachingRequest) -> tuple[Tip, ...]:
        """One tip per anti-pattern found and per missed behaviour, anti-patterns first."""
        anti = sorted(
            (a for a in request.found if a.kind == KIND_ANTI_PATTERN), key=lambda a: a.start
        )
        if not anti and not request.missed:
            return ()
        keys = [f"avoid.{a.label}" for a in anti] + [f"missed.{m}" for m in request.missed]
        chosen: list[Tip] = []
        covered: set[str] = set()
        for key in dict.fromkeys(keys):
            entry = self.book.entries.get(key)
            if entry is None or (key.startswith("missed.") and entry.label in covered):
                continue
            chosen.append(entry.for_customer(request.customer))
            covered.update(entry.covers)
            if len(chosen) == self.book.max_tips:
                break
        return tuple(chosen)

    def rewrite(self, request: CoachingRequest) -> str | None:
        """A rewrite of the turn that keeps its facts and adds what was missing."""
        return self._rewriter.rewrite(request)
