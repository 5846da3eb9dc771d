"""The negative review responder: issues with evidence, the feeling named, a fitting reply that
the draft checker rates well, nothing personal repeated in public, and the same reply each time."""

from __future__ import annotations

import pytest

from warmline.engine.errors import InvalidConversationError
from warmline.engine.labels import ANTI_PATTERNS
from warmline.engine.pipeline import Analyzer
from warmline.engine.review_reply import find_issues, never_say, reply_to_review, retold

FURIOUS_DELIVERY = (
    "Ordered a sofa THREE weeks ago and it still hasn't arrived. Nobody answers the phone "
    "and my emails are ignored. Absolutely furious. Never again!"
)
DISAPPOINTED_QUALITY = (
    "I was really looking forward to this jumper but it's cheaply made and shrunk after one "
    "wash. Honestly quite disappointed."
)
MIXED_DAMAGED = (
    "The staff in store were friendly and the delivery was quick, but the table arrived "
    "with a cracked leg."
)
BILLING_WITH_NUMBER = (
    "I was charged twice for order 4829135 and I can't get hold of anyone about it. "
    "This is really worrying."
)
RUDE_STAFF = "The man on the phone was so rude to me and then just hung up. I'm livid."
LOGIN = "I've been locked out of my account for a week and the password reset never comes."

#: (review, stars, issue ids in order, the top negative emotion, the reply's tone)
CASES = [
    (FURIOUS_DELIVERY, 1, ["late_delivery", "no_contact"], {"anger", "frustration"}, "upset"),
    (DISAPPOINTED_QUALITY, 2, ["quality"], {"disappointment"}, "disappointed"),
    (MIXED_DAMAGED, 3, ["damaged_item"], None, "mixed"),
    (BILLING_WITH_NUMBER, None, ["billing", "no_contact"], {"anxiety", "frustration"}, "upset"),
    (RUDE_STAFF, 1, ["rude_staff"], {"anger", "frustration"}, "upset"),
    (LOGIN, 2, ["account_login"], None, None),
]


@pytest.mark.parametrize(("review", "stars", "issues", "emotions", "tone"), CASES)
def test_each_review_gets_its_issue_feeling_and_a_well_rated_reply(
    analyzer: Analyzer,
    review: str,
    stars: int | None,
    issues: list[str],
    emotions: set[str] | None,
    tone: str | None,
) -> None:
    result = reply_to_review(review, stars=stars, analyzer=analyzer)
    assert [i.id for i in result.issues] == issues
    for issue in result.issues:
        for ev in issue.evidence:
            assert review[ev.start : ev.end] == ev.text
    if emotions is not None:
        negative = [e for e in result.emotions if e.label != "neutral"]
        assert negative and negative[0].label in emotions
    if tone is not None:
        assert result.tone == tone
    lowered = result.reply.lower()
    assert not [p for p in never_say() if p in lowered]
    assert not [w.label for w in result.check.warnings if w.label in ANTI_PATTERNS]
    assert result.check.score >= 75, (result.check.score, result.reply)
    assert "private message" in lowered or "direct message" in lowered


def test_the_reply_names_the_issue_in_the_reviewers_words(analyzer: Analyzer) -> None:
    result = reply_to_review(FURIOUS_DELIVERY, stars=1, analyzer=analyzer)
    assert result.issues[0].quote == "Ordered a sofa THREE weeks ago and it still hasn't arrived"
    assert f'"{result.issues[0].quote}"' in result.reply
    assert "not being able to reach anyone" in result.reply  # the second issue, named
    assert "angry" in result.reply or "frustrat" in result.reply  # the feeling, named


def test_different_reviews_get_visibly_different_replies(analyzer: Analyzer) -> None:
    replies = {
        reply_to_review(text, stars=stars, analyzer=analyzer).reply for text, stars, *_ in CASES
    }
    assert len(replies) == len(CASES)
    furious = reply_to_review(FURIOUS_DELIVERY, stars=1, analyzer=analyzer).reply
    quality = reply_to_review(DISAPPOINTED_QUALITY, stars=2, analyzer=analyzer).reply
    mixed = reply_to_review(MIXED_DAMAGED, stars=3, analyzer=analyzer).reply
    assert "delivery date" in furious and "replacement or your money back" in quality
    assert "The staff in store were friendly" in mixed  # the praise, thanked in their words
    assert "good and the bad" in mixed and "good and the bad" not in furious


def test_no_personal_data_is_repeated_in_public(analyzer: Analyzer) -> None:
    result = reply_to_review(
        BILLING_WITH_NUMBER, reviewer="Priya Sharma", business="Northwind", analyzer=analyzer
    )
    assert "4829135" not in result.reply
    assert result.issues[0].quote == ""  # the clause held an order number: not quoted
    assert result.reply.startswith("Hi Priya,") and "Sharma" not in result.reply
    assert result.reply.rstrip().endswith("The Northwind team")


def test_a_positive_review_gets_a_thank_you(analyzer: Analyzer) -> None:
    result = reply_to_review(
        "Lovely staff and great quality, will buy again!", stars=5, analyzer=analyzer
    )
    assert result.tone == "positive" and not result.issues
    assert "Thank you" in result.reply and "private message" not in result.reply


def test_the_same_review_always_gets_the_same_reply(analyzer: Analyzer) -> None:
    first = reply_to_review(MIXED_DAMAGED, stars=3, analyzer=analyzer).to_dict()
    again = reply_to_review(MIXED_DAMAGED, stars=3, analyzer=analyzer).to_dict()
    assert first == again
    assert first["issues"][0]["evidence"][0]["text"] == "cracked"
    assert first["check"]["score"] == again["check"]["score"]


def test_cues_match_whole_words_only() -> None:
    assert find_issues("The chocolate was delicious and the latest range is lovely.") == ()
    assert [i.id for i in find_issues("It arrived LATE and DAMAGED.")] == [
        "late_delivery",
        "damaged_item",
    ]


@pytest.mark.parametrize(
    ("text", "stars", "where"),
    [("", None, "review"), ("   ", None, "review"), ("x" * 10_001, None, "review"),
     ("Late again.", 0, "stars"), ("Late again.", 6, "stars")],
)  # fmt: skip
def test_bad_input_names_the_field(
    analyzer: Analyzer, text: str, stars: int | None, where: str
) -> None:
    with pytest.raises(InvalidConversationError) as info:
        reply_to_review(text, stars=stars, analyzer=analyzer)
    assert info.value.where == where


def test_an_i_cant_is_retold_not_quoted_so_it_never_reads_as_our_refusal(
    analyzer: Analyzer,
) -> None:
    assert retold("I can't log in to my account, I was locked out") == (
        "you can't log in to your account, you were locked out"
    )
    review = "I can't log in to my account and the password reset email never arrives."
    result = reply_to_review(review, stars=2, analyzer=analyzer)
    assert "You told us you can't log in to your account and the password reset" in result.reply
    assert "\"I can't" not in result.reply
    assert not result.check.warnings


def test_a_second_issue_is_mentioned_in_passing_and_names_keep_their_capitals(
    analyzer: Analyzer,
) -> None:
    review = "Gary at the store was so rude to me, and my refund still hasn't arrived."
    result = reply_to_review(review, stars=1, analyzer=analyzer)
    assert [i.id for i in result.issues][:2] == ["rude_staff", "refund"]
    assert '"Gary at the store was so rude to me"' in result.reply
    assert "what you said about your refund" in result.reply
    assert not result.check.warnings and result.check.score >= 70
