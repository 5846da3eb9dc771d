"""The literal prefilter never hides a match: property-tested against the regex itself."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from warmline.engine.lexicon import load_lexicon
from warmline.engine.prefilter import required_literals

CASES = [
    (r"\bsorry\b", {"sorry"}),
    (r"\b(thank you|thanks)\b", {"thank"}),  # the parser factors out the common prefix
    (r"\b(sorry|apologies)\b", {"sorry", "apologies"}),
    (r"\b(i|we) (can't|cannot) refund\b", {" refund"}),
    (r"(foo)?bar", {"bar"}),
    (r"\?\s*\?", None),
    (r"a*b*", None),
]


def test_derivations() -> None:
    for pattern, expected in CASES:
        got = required_literals(pattern)
        assert (got is None) == (expected is None), pattern
        if expected is not None:
            assert got == expected, pattern


ALL_CUES = [
    c
    for f in ("emotion_cues.yaml", "behaviour_patterns.yaml", "context_cues.yaml")
    for cues in load_lexicon(f).cues.values()
    for c in cues
]
WORDS = sorted({w for c in ALL_CUES for w in re.findall(r"[a-z']{3,}", c.pattern.pattern)})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
    st.sampled_from([" ", ", ", ". ", "! "]),
)
def test_prefilter_never_hides_a_match(words: list[str], sep: str) -> None:
    text = sep.join(words)
    for cue in ALL_CUES:
        if cue.literals is not None and cue.pattern.search(text):
            assert any(s in text for s in cue.literals), cue.pattern.pattern


def test_every_shipped_pattern_compiles_and_most_are_prefiltered() -> None:
    assert len(ALL_CUES) > 200
    assert sum(c.literals is None for c in ALL_CUES) < len(ALL_CUES) * 0.1
