"""Abuse aimed at the agent (not at the company) and the customer's focus."""

from __future__ import annotations

import pytest

from tests.helpers import conv

ABUSE = [
    ("you useless clowns, fix it", True),
    ("Are you actually stupid? I said CANCEL.", True),
    ("I'll find out where you work.", True),
    ("Shut up and give me my money back.", True),
    ("This is f***ing ridiculous, third time this week.", False),
    ("You lot couldn't organise a piss-up in a brewery.", False),
    ("Your company is a joke.", False),
    ("Thanks, you've been really helpful.", False),
]


@pytest.mark.parametrize(("text", "abusive"), ABUSE)
def test_abuse_is_aimed_at_the_person(analyzer, text: str, abusive: bool) -> None:
    assert analyzer.analyze(conv(("customer", text))).turns[0].customer.abusive is abusive


def test_abuse_evidence_is_the_insult(analyzer) -> None:
    text = "sort it out, you useless clowns"
    ann = next(
        a
        for a in analyzer.analyze(conv(("customer", text))).turns[0].annotations
        if a.kind == "abusive"
    )
    assert "useless clowns" in text[ann.start : ann.end]


FOCUS = [
    ("Can you refund the £12 delivery fee please?", "solution"),
    ("How do I reset my password?", "solution"),
    ("Thank you so much, you made my week. I was dreading this call.", "feelings"),
    ("unbelievable", "feelings"),
    ("no that's all, thanks", "solution"),
]


@pytest.mark.parametrize(("text", "focus"), FOCUS)
def test_focus(analyzer, text: str, focus: str) -> None:
    assert analyzer.analyze(conv(("customer", text))).turns[0].customer.focus == focus
