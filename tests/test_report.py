"""warmline.report: readable blocks with evidence, colour only on request, a bounded summary."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from warmline.engine.pipeline import Analyzer
from warmline.engine.results import ConversationAnalysis
from warmline.report import (
    Style,
    Summary,
    quote,
    render_conversation,
    render_error,
    render_report,
    score_word,
    trajectory_line,
)


@pytest.fixture(scope="module")
def analyses() -> list[ConversationAnalysis]:
    text = resources.files("warmline").joinpath("examples/demo.jsonl").read_text("utf-8")
    engine = Analyzer()
    return [engine.analyze(json.loads(line)) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("score", "word"),
    [
        (100, "strong"),
        (80, "strong"),
        (79, "good"),
        (65, "good"),
        (50, "mixed"),
        (44, "needs work"),
        (0, "needs work"),
        (None, "not scored"),
    ],
)
def test_score_word(score: int | None, word: str) -> None:
    assert score_word(score) == word


def test_block_has_header_trajectory_turns_and_evidence(
    analyses: list[ConversationAnalysis],
) -> None:
    for analysis in analyses:
        block = render_conversation(analysis)
        conv = analysis.conversation
        assert conv.id in block and (conv.channel or "") in block
        assert trajectory_line(analysis) in " ".join(block.split())
        if analysis.score is not None:
            assert f"{analysis.score}/100 ({score_word(analysis.score)})" in block
        flat = " ".join(block.split())
        for turn in analysis.turns:
            for ann in turn.behaviours():
                mark = "✗" if ann.kind == "anti_pattern" else "✓"
                assert mark in block
                assert quote(turn.turn.text[ann.start : ann.end])[:50] in flat
            for tip in turn.tips:
                assert " ".join(tip.message.split())[:40] in flat


def test_trajectory_line_format(analyses: list[ConversationAnalysis]) -> None:
    line = trajectory_line(analyses[0])
    points = line.split(" → ")
    assert len(points) == len(analyses[0].trajectory)
    assert all(p.endswith(")") and "(" in p for p in points)


def test_plain_text_wraps_at_100_columns(analyses: list[ConversationAnalysis]) -> None:
    for block in render_report(analyses):
        assert "\x1b[" not in block
        assert max(len(line) for line in block.splitlines()) <= 100


def test_colour_only_when_asked(analyses: list[ConversationAnalysis]) -> None:
    coloured = render_conversation(analyses[1], style=Style(color=True))
    assert "\x1b[" in coloured
    assert "\x1b[" not in render_conversation(analyses[1], style=Style(color=False))


def test_error_block() -> None:
    block = render_error("c7", 7, "invalid JSON: Expecting value at column 1")
    assert "c7" in block and "line 7" in block and "invalid JSON" in block


def test_summary_counts_and_keeps_a_bounded_number_of_quotes(
    analyses: list[ConversationAnalysis],
) -> None:
    summary = Summary(keep_moments=3)
    for _ in range(20):
        for analysis in analyses:
            summary.add(analysis)
    summary.add_error()
    assert summary.conversations == 20 * len(analyses) + 1
    assert summary.failed == 1
    assert len(summary.moments) <= 3
    text = summary.render()
    assert "Average score" in text and "1 could not be analysed" in text


def test_quote_is_cut_and_collapsed() -> None:
    assert quote("a  b\nc") == "“a b c”"
    assert len(quote("x " * 500)) <= 302
