"""Coaching content schemas: turn parsed statements.yaml and rewrites.yaml into typed objects.

Any problem raises :class:`ConfigError` naming the file, the entry and what was expected.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, fields
from functools import partial
from typing import Any, Final, NoReturn

from warmline.engine.errors import ConfigError
from warmline.engine.labels import ANTI_PATTERNS, BEHAVIOURS, EMOTIONS

PLACEHOLDERS: Final = frozenset({"name"})
WHEN: Final = ("always", "negative", "positive", "emotional")
STATEMENTS_FILE: Final = "statements.yaml"
REWRITES_FILE: Final = "rewrites.yaml"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_ADDITION_KEYS = ("needs_emotion", "covers", "speakers", "by_topic", "when")
_ESCAPE = re.compile(r"\\(?:U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|N\{[^}]*\}|.)")


@dataclass(frozen=True, slots=True)
class Reader:
    """Typed access to parsed YAML that raises a precise :class:`ConfigError` on bad input."""

    file: str

    def fail(self, entry: str, expected: str, got: Any = ...) -> NoReturn:
        """Raise a ConfigError naming the file, the entry and what was expected."""
        found = "" if got is ... else f", got {got!r}"[:80]
        raise ConfigError(f"{self.file}: {entry}: expected {expected}{found}")

    def mapping(self, value: Any, entry: str, required: Any = (), optional: Any = ()) -> Any:
        """A mapping with every key of *required* and none outside *required* + *optional*."""
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
        """A non-empty string; with *placeholders*, ``{name}`` is the only placeholder allowed."""
        if not isinstance(value, str) or not value.strip():
            self.fail(entry, "a non-empty string", value)
        names, stray = _PLACEHOLDER.findall(value), _PLACEHOLDER.sub("", value)
        if "{" in stray or "}" in stray or set(names) - (PLACEHOLDERS if placeholders else set()):
            self.fail(entry, "no placeholders but {name}" if placeholders else "no braces", value)
        return value

    def choice(self, value: Any, entry: str, allowed: Any, default: Any = ...) -> Any:
        """One of *allowed*, a collection of strings or a range (*default* when missing)."""
        if value is None and default is not ...:
            return default
        if type(value) not in (str, int) or value not in allowed:
            self.fail(entry, f"one of {', '.join(map(str, sorted(allowed)))}", value)
        return value

    def words(self, value: Any, entry: str, allowed: Any = None) -> tuple[str, ...]:
        """A list of non-empty strings, each one of *allowed* when given."""
        if value is not None and not isinstance(value, list):
            self.fail(entry, "a list", value)
        check = self.text if allowed is None else partial(self.choice, allowed=allowed)
        return tuple(check(v, f"{entry}[{i}]") for i, v in enumerate(value or ()))

    def regex(self, value: Any, entry: str, *, sub: bool = False) -> re.Pattern[str]:
        """A lower-case pattern for lower-cased text (faster than re.I); *sub*: for replacing."""
        if not isinstance(value, str) or not value:
            self.fail(entry, "a regular expression", value)
        if _ESCAPE.sub("", value) != _ESCAPE.sub("", value).lower():
            self.fail(entry, "a pattern written in lower case (text is lower-cased first)", value)
        try:
            return re.compile(value, re.IGNORECASE if sub else 0)
        except re.error as exc:
            self.fail(entry, f"a valid regular expression ({exc})", value)


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
        """The most specific statements for a situation (``generic=False``: only for *emotion*)."""
        emotions = [(emotion, intensity), (emotion, None)] if emotion is not None else []
        for emo, level in emotions + [(None, None)] if generic else emotions:
            for top in (topic, None) if topic is not None else (None,):
                found = self._index.get((situation, emo, level, top))
                if found:
                    return found
        return ()

    def choose(self, situation: str, seed: str, **where: Any) -> Statement | None:
        """One statement of :meth:`group`, the same for the same *seed* (a CRC, not random)."""
        found = self.group(situation, **where)
        key = f"{situation}\x00{seed}".encode("utf-8", "surrogatepass")
        return found[zlib.crc32(key) % len(found)] if found else None


#: A find-and-replace for one sentence: (pattern, replacement, when: the customer mood).
Rule = tuple[re.Pattern[str], str, str]


@dataclass(frozen=True, slots=True)
class Repair:
    """How the evidence of one anti-pattern is repaired (rewrites.yaml documents the fields)."""

    label: str
    action: str
    scope: str
    strip: tuple[Rule, ...]
    gate: re.Pattern[str] | None  # matches where any strip rule could: skips the rest fast
    cue: re.Pattern[str] | None  # all the cues as one pattern
    soften: tuple[Rule, ...]
    add: str | None
    add_when: str


@dataclass(frozen=True, slots=True)
class Addition:
    """How a missing behaviour is added: which statements, and where."""

    behaviour: str
    group: str
    place: str
    needs_emotion: bool
    when: str
    covers: tuple[str, ...]
    speakers: tuple[str, ...]
    by_topic: dict[str, str]


@dataclass(frozen=True, slots=True)
class RewriteRules:
    """Everything in rewrites.yaml, compiled."""

    greeting: str
    max_added: int
    strong_from: int
    lowercase_words: frozenset[str]
    fillers: frozenset[str]
    refusal: re.Pattern[str]
    closing: re.Pattern[str]
    boundary: str
    boundary_cue: re.Pattern[str]
    topics: tuple[tuple[str, re.Pattern[str]], ...]
    additions: dict[str, Addition]
    repairs: dict[str, Repair]


def parse_statements(data: Any, topics: frozenset[str]) -> StatementLibrary:
    """Validate statements.yaml against the known emotions and *topics*."""
    r = Reader(STATEMENTS_FILE)
    groups = r.mapping(data, "file", required=("groups",))["groups"]
    if not isinstance(groups, list) or not groups:
        r.fail("groups", "a non-empty list of groups", groups)
    seen: set[str] = set()
    out: list[Statement] = []
    for gi, group in enumerate(groups):
        at = f"groups[{gi}]"
        g = r.mapping(group, at, ("situation", "statements"), ("emotion", "intensity", "topic"))
        emotion = r.choice(g.get("emotion"), f"{at}.emotion", EMOTIONS, None)
        intensity = r.choice(g.get("intensity"), f"{at}.intensity", ("mild", "strong"), None)
        head = (r.text(g["situation"], f"{at}.situation"), emotion, intensity)
        topic = r.choice(g.get("topic"), f"{at}.topic", topics, None)
        if not isinstance(g["statements"], list) or not g["statements"]:
            r.fail(f"{at}.statements", "a non-empty list of statements", g["statements"])
        for si, item in enumerate(g["statements"]):
            s = r.mapping(item, f"{at}.statements[{si}]", required=("id", "text"))
            sid = r.text(s["id"], f"{at}.statements[{si}].id")
            if sid in seen:
                r.fail(f"{at}.statements[{si}].id", "an id not used before", sid)
            seen.add(sid)
            text = r.text(s["text"], f"statement {sid}: text", placeholders=True).strip()
            out.append(Statement(sid, head[0], text, head[1], head[2], topic))
    return StatementLibrary(tuple(out))


def parse_rules(data: Any) -> RewriteRules:
    """Validate rewrites.yaml and compile its patterns."""
    r = Reader(REWRITES_FILE)
    m = r.mapping(data, "file", required=[f.name for f in fields(RewriteRules)])
    greeting = r.text(m["greeting"], "greeting", placeholders=True)
    if "{name}" not in greeting:
        r.fail("greeting", "a template containing {name}", greeting)
    names = [k for k in m["topics"] if isinstance(k, str)] if isinstance(m["topics"], dict) else []
    topics = r.mapping(m["topics"], "topics", (), names)
    additions = r.mapping(m["additions"], "additions", optional=BEHAVIOURS)
    repairs = r.mapping(m["repairs"], "repairs", optional=ANTI_PATTERNS)
    return RewriteRules(
        greeting=greeting,
        max_added=r.choice(m["max_added"], "max_added", range(1, 11)),
        strong_from=r.choice(m["strong_from"], "strong_from", range(1, 4)),
        lowercase_words=frozenset(r.words(m["lowercase_words"], "lowercase_words")),
        fillers=frozenset(r.words(m["fillers"], "fillers")),
        refusal=r.regex(m["refusal"], "refusal"),
        closing=r.regex(m["closing"], "closing"),
        boundary=r.text(m["boundary"], "boundary"),
        boundary_cue=r.regex(m["boundary_cue"], "boundary_cue"),
        topics=tuple((k, r.regex(v, f"topics.{k}")) for k, v in topics.items()),
        additions={k: _addition(r, k, v, frozenset(topics)) for k, v in additions.items()},
        repairs={k: _repair(r, k, v, frozenset(additions)) for k, v in repairs.items()},
    )


def _addition(r: Reader, key: str, value: Any, topics: frozenset[str]) -> Addition:
    at = f"additions.{key}"
    m = r.mapping(value, at, ("group", "place"), _ADDITION_KEYS)
    if not isinstance(m.get("needs_emotion", False), bool):
        r.fail(f"{at}.needs_emotion", "true or false", m["needs_emotion"])
    by_topic = r.mapping(m.get("by_topic"), f"{at}.by_topic", optional=topics)
    return Addition(
        behaviour=key,
        group=r.text(m["group"], f"{at}.group"),
        place=r.choice(m["place"], f"{at}.place", ("start", "after_refusal", "end")),
        needs_emotion=m.get("needs_emotion", False),
        when=r.choice(m.get("when"), f"{at}.when", WHEN, "always"),
        covers=r.words(m.get("covers"), f"{at}.covers", BEHAVIOURS),
        speakers=r.words(m.get("speakers"), f"{at}.speakers", ("agent", "bot")) or ("agent", "bot"),
        by_topic={k: r.text(v, f"{at}.by_topic.{k}") for k, v in by_topic.items()},
    )


def _repair(r: Reader, key: str, value: Any, additions: frozenset[str]) -> Repair:
    at = f"repairs.{key}"
    m = r.mapping(value, at, ("action",), ("scope", "strip", "cues", "soften", "add", "add_when"))
    strip = _rules(r, m.get("strip"), f"{at}.strip")
    cues = r.words(m.get("cues"), f"{at}.cues")
    return Repair(
        label=key,
        action=r.choice(m["action"], f"{at}.action", ("drop", "keep")),
        scope=r.choice(m.get("scope"), f"{at}.scope", ("evidence", "turn"), "evidence"),
        strip=strip,
        gate=_any(r, [rule[0] for rule in strip], f"{at}.strip"),
        cue=_any(r, [r.regex(c, f"{at}.cues[{i}]") for i, c in enumerate(cues)], f"{at}.cues"),
        soften=_rules(r, m.get("soften"), f"{at}.soften"),
        add=r.choice(m.get("add"), f"{at}.add", additions, None),
        add_when=r.choice(m.get("add_when"), f"{at}.add_when", WHEN, "always"),
    )


def _rules(r: Reader, value: Any, at: str) -> tuple[Rule, ...]:
    out: list[Rule] = []
    for i, item in enumerate(value if isinstance(value, list) else r.words(value, at)):
        m = r.mapping(item, f"{at}[{i}]", required=("find", "put"), optional=("when",))
        pattern = r.regex(m["find"], f"{at}[{i}].find", sub=True)
        try:
            pattern.sub(m["put"], "")
        except (re.error, TypeError) as exc:
            r.fail(f"{at}[{i}].put", f"a replacement valid for its pattern ({exc})", m["put"])
        out.append((pattern, m["put"], r.choice(m.get("when"), f"{at}[{i}].when", WHEN, "always")))
    return tuple(out)


def _any(r: Reader, patterns: list[re.Pattern[str]], at: str) -> re.Pattern[str] | None:
    """One pattern matching wherever any of *patterns* does: one search instead of many."""
    if not patterns:
        return None
    try:  # compiled without re.I: it runs on lower-cased text
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error as exc:
        r.fail(at, f"patterns that still compile when joined ({exc}); avoid back-references")
