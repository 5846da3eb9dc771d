"""Literal prefilters for regular expressions: skip a regex when its required words are absent.

For a pattern P, ``required_literals(P)`` returns a set of strings such that every match of P
contains at least one of them, or None when no such set can be derived. Checking
``any(s in text for s in strings)`` costs a few hundred nanoseconds, far less than running a
pattern with a large alternation over the text, and most cues do not occur in most turns.
The derivation walks the parsed pattern; anything it does not understand yields None, which
only means "always run the regex", so the prefilter can never hide a match.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+: the parser lives in re._parser (sre_parse is its deprecated alias).
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _c
    import sre_parse as _p

_MAX_STRINGS = 40

Literals = frozenset[str] | None


def required_literals(pattern: str) -> Literals:
    """Strings one of which every match of *pattern* contains (lower-cased), or None."""
    try:
        parsed = _p.parse(pattern, re.IGNORECASE)
        found = _sequence(list(parsed))
    except (re.error, RecursionError, TypeError, ValueError):
        return None
    if not found or not all(map(_useful, found)):
        return None
    return frozenset(found)


# Strings so common in support text that requiring them filters almost nothing; a literal set
# containing one is used only when nothing rarer is required.
_COMMON = frozenset(
    "you you're your the the  for no not to is it it's in on of and a an my me i i'm we we're "
    "our can this that be do have has was are will with at so just".split()
)


def _useful(literal: str) -> bool:
    """Two characters at least, or one rare character (an emoji, a star)."""
    return len(literal) >= 2 or (len(literal) == 1 and not literal.isascii())


def _quality(strings: frozenset[str]) -> tuple[bool, int, int]:
    rare = not any(
        s.strip(" .,'") in _COMMON or (s.isascii() and len(s.strip()) < 3) for s in strings
    )
    return (rare, min(len(s) for s in strings), -len(strings))


def _sequence(items: list[tuple[Any, Any]]) -> Literals:
    """A sequence needs every element, so any one element's requirement will do: pick the best."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg).lower())
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        req = _element(op, arg)
        if req:
            candidates.append(req)
    if run:
        candidates.append(frozenset({"".join(run)}))
    candidates = [c for c in candidates if len(c) <= _MAX_STRINGS and all(map(_useful, c))]
    return max(candidates, key=_quality) if candidates else None


def _element(op: Any, arg: Any) -> Literals:
    if op is _c.SUBPATTERN:
        return _sequence(list(arg[-1]))
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            req = _sequence(list(branch))
            if not req:
                return None
            out |= req
        return frozenset(out)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _high, body = arg
        return _sequence(list(body)) if low >= 1 else None
    if op is _c.IN:
        chars = [chr(a).lower() for o, a in arg if o is _c.LITERAL]
        if chars and len(chars) == len(arg):
            return frozenset(chars)
        return None
    return None
