"""Agent behaviours and anti-patterns: (customer turn, agent turn) → labels present / absent,
with evidence spans that are exact slices of the agent's text."""

from __future__ import annotations

import pytest

from tests.helpers import conv, labels_of, last_staff

ANGRY = "This is the third time I've chased this order and it's still not here. Ridiculous."
NEUTRAL = "Hi, what time does the Leeds store open on Sunday?"
GRIEF = "My mum passed away last week and I need to close her account."

CASES = [
    (
        ANGRY,
        "I'm sorry you've had to chase us three times, that's exhausting. I've rebooked the delivery for "
        "tomorrow before 1pm and I'll message you once it's on the van.",
        {"apology", "acknowledge_emotion", "solution", "follow_up"},
        {"hollow_apology", "rushed_closure"},
    ),
    (
        ANGRY,
        "We apologise for any inconvenience caused. Your feedback has been passed to the relevant department.",
        {"hollow_apology", "robotic_script"},
        {"apology", "solution"},
    ),
    (ANGRY, "As I already said, you should have read the delivery terms.", {"blame"}, {"validate"}),
    (ANGRY, "Calm down, it's only a parcel.", {"dismissive"}, {"acknowledge_emotion"}),
    (ANGRY, "Your order will arrive when it arrives. I am closing this chat now.", {"dismissive"}, {"solution"}),
    (NEUTRAL, "Is there anything else? If not, I'll close the chat now. Have a lovely day!", set(), {"dismissive"}),
    # Lifting blame off the customer is reassurance, not blame; naming their fault still is.
    (ANGRY, "That's not your fault at all. Let me fix it.", {"reassurance"}, {"blame"}),
    (ANGRY, "That was your mistake, not ours.", {"blame"}, {"reassurance"}),
    (ANGRY, "I can hear how fed up you are, and I'm sorry.", {"acknowledge_emotion"}, set()),
    (ANGRY, "Missing the party is such a letdown.", {"acknowledge_emotion"}, set()),
    (
        ANGRY,
        "You're right to be annoyed, anyone would be. Let's get this sorted together.",
        {"validate", "ownership"},
        set(),
    ),
    (
        ANGRY,
        "So the order should have arrived on Tuesday and you still haven't had it, or any update.",
        {"paraphrase"},
        set(),
    ),
    (
        ANGRY,
        "Did it say delivered on the tracking page, or is it still showing in transit?",
        {"clarifying_question"},
        set(),
    ),
    (
        ANGRY,
        "Sorry, we don't offer refunds on delivery charges.",
        {"bare_refusal"},
        {"graceful_no"},
    ),
    (
        ANGRY,
        "I can't refund the delivery charge, but I can send a replacement by express today at no cost — "
        "would that help?",
        {"graceful_no"},
        {"bare_refusal"},
    ),
    (ANGRY, "Closing this ticket now. Have a nice day!", {"rushed_closure"}, {"check_resolution"}),
    (
        ANGRY,
        "Oops! 😊 No worries, these things happen haha!",
        {"tone_mismatch", "dismissive"},
        set(),
    ),
    (ANGRY, "You've probably entered the wrong address, most people do.", {"assumption"}, set()),
    (
        NEUTRAL,
        "It opens at 10am on Sundays and closes at 4pm.",
        {"solution"},
        {"hollow_apology", "apology"},
    ),
    (
        NEUTRAL,
        "We're so sorry for any inconvenience! It opens at 10am.",
        {"hollow_apology"},
        {"apology"},
    ),
    (
        GRIEF,
        "I'm so sorry about your mum. I've closed the account today and you won't need to send anything else.",
        {"acknowledge_emotion", "solution", "reassurance"},
        {"apology", "hollow_apology"},
    ),
    (
        "I'm 82 and I can't log in to the app.",
        "Okay sweetie, let me explain this very slowly.",
        {"condescension"},
        set(),
    ),
    (
        "Thanks, that's sorted it. Have a good evening!",
        "Glad it's working now — anything else I can help with?",
        {"check_resolution"},
        {"rushed_closure"},
    ),
    (
        "Thanks so much for your help!",
        "Thanks for your patience while I checked, and for flagging the fault.",
        {"gratitude"},
        set(),
    ),
]


@pytest.mark.parametrize(("customer", "agent", "present", "absent"), CASES)
def test_behaviours(
    analyzer, customer: str, agent: str, present: set[str], absent: set[str]
) -> None:
    turn = last_staff(analyzer.analyze(conv(("customer", customer), ("agent", agent))))
    found = labels_of(turn)
    assert present <= found, f"missing {present - found} in {found}"
    assert not (absent & found), f"unexpected {absent & found}"
    for ann in turn.behaviours():
        assert 0 <= ann.start < ann.end <= len(agent)
        assert agent[ann.start : ann.end].strip() == agent[ann.start : ann.end]
        assert 0.0 < ann.score <= 1.0
        assert "@v" in ann.detector


def test_personalization_uses_the_customer_name(analyzer) -> None:
    result = analyzer.analyze(
        conv(("customer", ANGRY), ("agent", "Hi Priya, I'll look now."), name="Priya")
    )
    ann = next(a for a in last_staff(result).behaviours() if a.label == "personalization")
    assert result.turns[1].turn.text[ann.start : ann.end] == "Priya"
    anon = analyzer.analyze(conv(("customer", ANGRY), ("agent", "Hi Priya, I'll look now.")))
    assert "personalization" not in labels_of(last_staff(anon))


def test_bot_offers_a_human(analyzer) -> None:
    result = analyzer.analyze(
        conv(
            ("customer", "I need a human, this menu is useless"),
            (
                "bot",
                "I'll connect you to a member of our support team now — they'll see this chat.",
            ),
        )
    )
    assert "offer_human" in labels_of(last_staff(result))


def test_offer_human_is_only_for_bots(analyzer) -> None:
    result = analyzer.analyze(
        conv(("customer", ANGRY), ("agent", "I'll transfer you to a specialist now."))
    )
    assert "offer_human" not in labels_of(last_staff(result))


def test_mechanisms(analyzer) -> None:
    warm = last_staff(
        analyzer.analyze(
            conv(
                ("customer", GRIEF),
                (
                    "agent",
                    "I'm so sorry about your mum — it sounds like you're carrying a lot right now. "
                    "What would help most today?",
                ),
            )
        )
    )
    assert warm.mechanisms == {"emotional_reactions": 2, "interpretations": 2, "explorations": 2}
    flat = last_staff(analyzer.analyze(conv(("customer", NEUTRAL), ("agent", "10am."))))
    assert flat.mechanisms == {"emotional_reactions": 0, "interpretations": 0, "explorations": 0}
