"""Context-aware scoring: what is empathic depends on what the customer just said."""

from __future__ import annotations

from tests.helpers import conv, last_staff

ANGRY = "I've been waiting THREE weeks for my refund of £84 and nobody answers my emails. This is ridiculous."
NEUTRAL = "Hi, what are your opening hours on Saturday?"


def score(analyzer, customer: str, agent: str) -> int:
    turn = last_staff(analyzer.analyze(conv(("customer", customer), ("agent", agent))))
    assert turn.score is not None
    return turn.score.value


def test_strong_emotion_left_unacknowledged_is_a_missed_opportunity(analyzer) -> None:
    turn = last_staff(
        analyzer.analyze(conv(("customer", ANGRY), ("agent", "Refunds take 5-7 working days.")))
    )
    assert turn.score.need == "high"
    assert any(i.reason == "acknowledge_emotion" and i.points < 0 for i in turn.score.items)
    assert any(t.label == "acknowledge_emotion" and t.missed for t in turn.tips)


def test_apology_to_a_neutral_question_is_not_rewarded(analyzer) -> None:
    crisp = score(analyzer, NEUTRAL, "We're open 9am to 5pm on Saturdays.")
    sorry = score(
        analyzer,
        NEUTRAL,
        "We're so sorry for any inconvenience! We're open 9am to 5pm on Saturdays.",
    )
    assert crisp > sorry


def test_crisp_answer_to_a_neutral_question_is_a_good_turn(analyzer) -> None:
    assert score(analyzer, NEUTRAL, "We're open 9am to 5pm on Saturdays.") >= 60


def test_specific_owning_reply_beats_hollow_boilerplate(analyzer) -> None:
    good = score(
        analyzer,
        ANGRY,
        "I'm sorry — three weeks with no reply isn't good enough. I've pushed the £84 "
        "refund through today, so it'll reach your card by Friday, and I'll email you "
        "once it's sent.",
    )
    hollow = score(
        analyzer,
        ANGRY,
        "We apologise for any inconvenience this may have caused. Your feedback is "
        "important to us and has been passed to the relevant department.",
    )
    assert good > hollow + 30


def test_padding_with_boilerplate_does_not_raise_the_score(analyzer) -> None:
    reply = "I've refunded the £84 today; it will show on your card within 3 days."
    padded = reply + (
        " We value your feedback and we take all concerns very seriously."
        " We apologise for any inconvenience caused." * 3
    )
    assert score(analyzer, ANGRY, padded) < score(analyzer, ANGRY, reply)


def test_repeating_a_behaviour_is_not_counted_twice(analyzer) -> None:
    once = score(analyzer, ANGRY, "I can see how frustrating this is. I've refunded the £84 today.")
    thrice = score(
        analyzer,
        ANGRY,
        "I can see how frustrating this is. That must be so frustrating. "
        "That sounds really frustrating. I've refunded the £84 today.",
    )
    assert thrice <= once + 2


def test_graceful_no_beats_bare_no(analyzer) -> None:
    ask = "Can you extend the sale price? I missed it by an hour."
    bare = score(analyzer, ask, "The sale has ended.")
    graceful = score(
        analyzer,
        ask,
        "I can't extend the sale price, but the navy one is still reduced, or I can "
        "hold the black one until Monday's restock discount — which would suit you?",
    )
    assert graceful > bare


def test_every_point_traces_to_an_annotation_or_a_named_miss(analyzer) -> None:
    turn = last_staff(
        analyzer.analyze(
            conv(("customer", ANGRY), ("agent", "Calm down, as I said it takes time."))
        )
    )
    for item in turn.score.items:
        assert item.annotation is not None or item.reason in {
            "acknowledge_emotion",
            "solution",
            "offer_human",
            "reassurance",
        }
    assert 0 <= turn.score.value <= 100


def test_conversation_score_trajectory_and_deescalation(analyzer) -> None:
    result = analyzer.analyze(
        conv(
            ("customer", ANGRY),
            (
                "agent",
                "I'm really sorry — three weeks of silence would frustrate anyone. I've refunded the £84 now "
                "and it'll be on your card by Friday. I'll check on Friday that it's arrived.",
            ),
            ("customer", "Oh thank you so much, that's a relief!"),
        )
    )
    assert result.score is not None and result.score >= 70
    assert [p.label for p in result.trajectory][-1] == "gratitude"
    assert result.deescalated is True and result.escalated is False
    assert result.best_moments


def test_escalation(analyzer) -> None:
    result = analyzer.analyze(
        conv(
            ("customer", "My parcel hasn't arrived, can you check?"),
            ("agent", "You probably gave us the wrong address."),
            ("customer", "Are you joking? I am FURIOUS. This is a disgrace, I want a manager NOW."),
        )
    )
    assert result.escalated is True and result.deescalated is False


def test_customer_only_conversation_has_no_score(analyzer) -> None:
    result = analyzer.analyze(conv(("customer", "hello?")))
    assert result.score is None and result.deescalated is None
