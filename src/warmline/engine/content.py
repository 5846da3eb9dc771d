"""Coaching content: load and validate the statement library and the rewrite rules (YAML).

Files live in ``warmline/engine/data`` or in a directory passed by the caller. Each is parsed
once (the packaged default once per process); any problem raises :class:`ConfigError` naming
the file, the entry and what was expected. Tips are loaded by :mod:`warmline.engine.coaching`
with the same :class:`Reader`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final, NoReturn

import yaml

from warmline.engine.errors import ConfigError
from warmline.engine.labels import ANTI_PATTERNS, BEHAVIOURS, EMOTIONS, NEGATIVE_EMOTIONS

PLACEHOLDERS: Final = frozenset({"name"})
INTENSITIES: Final = ("mild", "strong")
PLACES: Final = ("start", "after_refusal", "end")
WHEN: Final = ("always", "negative", "positive", "emotional")
STATEMENTS_FILE: Final = "statements.yaml"
REWRITES_FILE: Final = "rewrites.yaml"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class Reader:
    """Typed access to parsed YAML that raises a precise :class:`ConfigError` on bad input."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, entry: str, expected: str, got: Any = ...) -> NoReturn:
        """Raise a ConfigError naming the file, the entry and what was expected."""
        found = "" if got is ... else f", got {_short(got)}"
        raise ConfigError(f"{self.file}: {entry}: expected {expected}{found}")

    def mapping(
        self, value: Any, entry: str, *, required: tuple[str, ...] = (), optional: Any = ()
    ) -> dict[str, Any]:
        """A mapping with only the allowed keys (all of *required*, any of *optional*)."""
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.fail(entry, "a mapping", value)
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.fail(f"{entry}.{key}", f"one of the keys {', '.join(sorted(allowed))}")
        for key in required:
            if key not in value:
                self.fail(f"{entry}.{key}", "this key to be present")
        return value

    def text(self, value: Any, entry: str, *, placeholders: bool = False) -> str:
        """A non-empty string; with *placeholders*, only known ``{...}`` names may appear."""
        if not isinstance(value, str) or not value.strip():
            self.fail(entry, "a non-empty string", value)
        if placeholders:
            names = _PLACEHOLDER.findall(value)
            stray = _PLACEHOLDER.sub("", value)
            if any(n not in PLACEHOLDERS for n in names) or "{" in stray or "}" in stray:
                self.fail(entry, "only the placeholders {name}", value)
        return value

    def choice(self, value: Any, entry: str, allowed: Any) -> str:
        """One of *allowed*."""
        if not isinstance(value, str) or value not in allowed:
            self.fail(entry, f"one of {', '.join(sorted(allowed))}", value)
        return value

    def words(self, value: Any, entry: str, allowed: Any = None) -> tuple[str, ...]:
        """A list of non-empty strings (each one of *allowed* when given)."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(entry, "a list of strings", value)
        if allowed is not None:
            return tuple(self.choice(v, f"{entry}[{i}]", allowed) for i, v in enumerate(value))
        return tuple(self.text(v, f"{entry}[{i}]") for i, v in enumerate(value))

    def integer(self, value: Any, entry: str, low: int, high: int) -> int:
        """An integer in [low, high]."""
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.fail(entry, f"an integer from {low} to {high}", value)
        return value

    def regex(self, value: Any, entry: str) -> re.Pattern[str]:
        """A regular expression, compiled case-insensitively."""
        if not isinstance(value, str) or not value:
            self.fail(entry, "a regular expression", value)
        try:
            return re.compile(value, re.IGNORECASE)
        except re.error as exc:
            self.fail(entry, f"a valid regular expression ({exc})", value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True, slots=True)
class Statement:
    """One empathy statement from the library."""

    id: str
    situation: str
    text: str
    emotion: str | None = None
    intensity: str | None = None
    topic: str | None = None


class StatementLibrary:
    """The statements, indexed by (situation, emotion, intensity, topic) for fast lookup."""

    def __init__(self, statements: tuple[Statement, ...]) -> None:
        self.statements = statements
        index: dict[tuple[str | None, ...], list[Statement]] = {}
        for st in statements:
            index.setdefault((st.situation, st.emotion, st.intensity, st.topic), []).append(st)
        self._index = {key: tuple(group) for key, group in index.items()}
        self.situations = frozenset(st.situation for st in statements)
        self.topical = frozenset(st.situation for st in statements if st.topic is not None)

    def group(
        self,
        situation: str,
        *,
        emotion: str | None = None,
        intensity: str | None = None,
        topic: str | None = None,
        generic: bool = True,
    ) -> tuple[Statement, ...]:
        """The most specific statements for a situation, falling back to less specific ones.

        With ``generic=False`` only statements written for *emotion* qualify.
        """
        emotions: list[tuple[str | None, str | None]] = []
        if emotion is not None:
            emotions += [(emotion, intensity), (emotion, None)]
        if generic:
            emotions.append((None, None))
        for emo, level in emotions:
            for top in (topic, None) if topic is not None else (None,):
                found = self._index.get((situation, emo, level, top))
                if found:
                    return found
        return ()


@dataclass(frozen=True, slots=True)
class Rule:
    """A find-and-replace applied to a sentence; ``when`` limits it to a customer mood."""

    pattern: re.Pattern[str]
    put: str
    when: str = "always"


@dataclass(frozen=True, slots=True)
class Repair:
    """How the evidence of one anti-pattern is repaired."""

    label: str
    action: str
    strip: tuple[Rule, ...]
    gate: re.Pattern[str] | None  # matches wherever any strip rule could; skips the rest fast
    cue: re.Pattern[str] | None  # any of the cues, combined
    soften: tuple[Rule, ...]
    add: str | None
    add_when: str


@dataclass(frozen=True, slots=True)
class Addition:
    """How a missing behaviour is added: which statements and where."""

    behaviour: str
    group: str
    place: str
    needs_emotion: bool
    covers: tuple[str, ...]
    speakers: tuple[str, ...]
    by_topic: dict[str, str]


@dataclass(frozen=True, slots=True)
class RewriteRules:
    """Everything in rewrites.yaml, compiled."""

    greeting: str
    max_added: int
    strong_from: int
    lowercase_after_greeting: frozenset[str]
    fillers: frozenset[str]
    refusal: re.Pattern[str]
    boundary: str
    boundary_cue: re.Pattern[str]
    topics: tuple[tuple[str, re.Pattern[str]], ...]
    additions: dict[str, Addition]
    repairs: dict[str, Repair]


@dataclass(frozen=True, slots=True)
class Content:
    """The statement library and the rewrite rules, validated against each other."""

    statements: StatementLibrary
    rules: RewriteRules


def parse_statements(data: Any, topics: frozenset[str]) -> StatementLibrary:
    """Validate statements.yaml against the known emotions and *topics*."""
    r = Reader(STATEMENTS_FILE)
    groups = r.mapping(data, "file", required=("groups",))["groups"]
    if not isinstance(groups, list) or not groups:
        r.fail("groups", "a non-empty list of groups", groups)
    seen: set[str] = set()
    out: list[Statement] = []
    for gi, group in enumerate(groups):
        where = f"groups[{gi}]"
        g = r.mapping(
            group,
            where,
            required=("situation", "statements"),
            optional=("emotion", "intensity", "topic"),
        )
        situation = r.text(g["situation"], f"{where}.situation")
        emotion = (
            None
            if g.get("emotion") is None
            else r.choice(g["emotion"], f"{where}.emotion", EMOTIONS)
        )
        intensity = (
            None
            if g.get("intensity") is None
            else r.choice(g["intensity"], f"{where}.intensity", INTENSITIES)
        )
        topic = None if g.get("topic") is None else r.choice(g["topic"], f"{where}.topic", topics)
        if intensity is not None and emotion not in NEGATIVE_EMOTIONS:
            r.fail(f"{where}.intensity", "an intensity only in groups for a negative emotion")
        items = g["statements"]
        if not isinstance(items, list) or not items:
            r.fail(f"{where}.statements", "a non-empty list of statements", items)
        for si, item in enumerate(items):
            s = r.mapping(item, f"{where}.statements[{si}]", required=("id", "text"))
            sid = r.text(s["id"], f"{where}.statements[{si}].id")
            if sid in seen:
                r.fail(f"{where}.statements[{si}].id", "an id not used before", sid)
            seen.add(sid)
            text = r.text(s["text"], f"statement {sid}: text", placeholders=True)
            out.append(Statement(sid, situation, text.strip(), emotion, intensity, topic))
    return StatementLibrary(tuple(out))


def parse_rules(data: Any) -> RewriteRules:
    """Validate rewrites.yaml and compile its patterns."""
    r = Reader(REWRITES_FILE)
    keys = (
        "greeting",
        "max_added",
        "strong_from",
        "lowercase_after_greeting",
        "fillers",
        "refusal",
        "boundary",
        "boundary_cue",
        "topics",
        "additions",
        "repairs",
    )
    m = r.mapping(data, "file", required=keys)
    greeting = r.text(m["greeting"], "greeting", placeholders=True)
    if "{name}" not in greeting:
        r.fail("greeting", "a template containing {name}", greeting)
    topics = r.mapping(m["topics"], "topics", optional=_any_key(m["topics"]))
    additions = r.mapping(m["additions"], "additions", optional=BEHAVIOURS)
    repairs = r.mapping(m["repairs"], "repairs", optional=ANTI_PATTERNS)
    return RewriteRules(
        greeting=greeting,
        max_added=r.integer(m["max_added"], "max_added", 1, 10),
        strong_from=r.integer(m["strong_from"], "strong_from", 1, 3),
        lowercase_after_greeting=frozenset(
            r.words(m["lowercase_after_greeting"], "lowercase_after_greeting")
        ),
        fillers=frozenset(w.lower() for w in r.words(m["fillers"], "fillers")),
        refusal=r.regex(m["refusal"], "refusal"),
        boundary=r.text(m["boundary"], "boundary"),
        boundary_cue=r.regex(m["boundary_cue"], "boundary_cue"),
        topics=tuple((str(k), r.regex(v, f"topics.{k}")) for k, v in topics.items()),
        additions={k: _addition(r, k, v, frozenset(topics)) for k, v in additions.items()},
        repairs={k: _repair(r, k, v, frozenset(additions)) for k, v in repairs.items()},
    )


def _any_key(value: Any) -> tuple[str, ...]:
    return tuple(k for k in value if isinstance(k, str)) if isinstance(value, dict) else ()


def _addition(r: Reader, key: str, value: Any, topics: frozenset[str]) -> Addition:
    where = f"additions.{key}"
    m = r.mapping(
        value,
        where,
        required=("group", "place"),
        optional=("needs_emotion", "covers", "speakers", "by_topic"),
    )
    needs = m.get("needs_emotion", False)
    if not isinstance(needs, bool):
        r.fail(f"{where}.needs_emotion", "true or false", needs)
    by_topic = r.mapping(m.get("by_topic"), f"{where}.by_topic", optional=topics)
    return Addition(
        behaviour=key,
        group=r.text(m["group"], f"{where}.group"),
        place=r.choice(m["place"], f"{where}.place", PLACES),
        needs_emotion=needs,
        covers=r.words(m.get("covers"), f"{where}.covers", BEHAVIOURS),
        speakers=r.words(m.get("speakers"), f"{where}.speakers", ("agent", "bot"))
        or ("agent", "bot"),
        by_topic={k: r.text(v, f"{where}.by_topic.{k}") for k, v in by_topic.items()},
    )


def _repair(r: Reader, key: str, value: Any, additions: frozenset[str]) -> Repair:
    where = f"repairs.{key}"
    m = r.mapping(
        value, where, required=("action",), optional=("strip", "cues", "soften", "add", "add_when")
    )
    add = m.get("add")
    strip = _rules(r, m.get("strip"), f"{where}.strip")
    cues = m.get("cues") or []
    if not isinstance(cues, list):
        r.fail(f"{where}.cues", "a list of regular expressions", cues)
    return Repair(
        label=key,
        action=r.choice(m["action"], f"{where}.action", ("drop", "keep")),
        strip=strip,
        gate=_any(r, tuple(rule.pattern for rule in strip), f"{where}.strip"),
        cue=_any(
            r, tuple(r.regex(c, f"{where}.cues[{i}]") for i, c in enumerate(cues)), f"{where}.cues"
        ),
        soften=_rules(r, m.get("soften"), f"{where}.soften"),
        add=None if add is None else r.choice(add, f"{where}.add", additions),
        add_when=r.choice(m.get("add_when", "always"), f"{where}.add_when", WHEN),
    )


def _any(r: Reader, patterns: tuple[re.Pattern[str], ...], where: str) -> re.Pattern[str] | None:
    """One pattern matching wherever any of *patterns* does (one search instead of many)."""
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    except re.error as exc:
        r.fail(
            where, f"patterns that still compile when joined with | ({exc}); avoid back-references"
        )


def _rules(r: Reader, value: Any, where: str) -> tuple[Rule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.fail(where, "a list of {find, put} rules", value)
    out = []
    for i, item in enumerate(value):
        m = r.mapping(item, f"{where}[{i}]", required=("find", "put"), optional=("when",))
        if not isinstance(m["put"], str):
            r.fail(f"{where}[{i}].put", "a string (may be empty)", m["put"])
        when = r.choice(m.get("when", "always"), f"{where}[{i}].when", WHEN)
        pattern = r.regex(m["find"], f"{where}[{i}].find")
        try:
            pattern.sub(m["put"], "")
        except (re.error, IndexError) as exc:
            r.fail(f"{where}[{i}].put", f"a replacement valid for its pattern ({exc})", m["put"])
        out.append(Rule(pattern, m["put"], when))
    return tuple(out)


def check_references(rules: RewriteRules, library: StatementLibrary) -> None:
    """Every statement group the rules draw from must exist in the library."""
    r = Reader(REWRITES_FILE)
    groups = [(f"additions.{k}.group", a.group) for k, a in rules.additions.items()]
    groups += [
        (f"additions.{k}.by_topic.{t}", g)
        for k, a in rules.additions.items()
        for t, g in a.by_topic.items()
    ]
    groups.append(("boundary", rules.boundary))
    for entry, group in groups:
        if group not in library.situations:
            r.fail(entry, f"a situation defined in {STATEMENTS_FILE}", group)


def read_yaml(directory: Traversable | Path, name: str) -> Any:
    """Parse one YAML file of a content directory."""
    try:
        raw = directory.joinpath(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot be read ({exc}); check the content directory") from None
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: not valid YAML: {exc}") from None


def default_directory() -> Traversable:
    """The content shipped inside the package."""
    return files("warmline.engine") / "data"


def load_content(directory: Traversable | Path) -> Content:
    """Load and validate the statement library and rewrite rules from *directory*."""
    rules = parse_rules(read_yaml(directory, REWRITES_FILE))
    topics = frozenset(name for name, _ in rules.topics)
    library = parse_statements(read_yaml(directory, STATEMENTS_FILE), topics)
    check_references(rules, library)
    return Content(statements=library, rules=rules)
