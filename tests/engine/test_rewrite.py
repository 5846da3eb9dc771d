"""Rewrites repair anti-patterns, add what was missed, keep every fact and read naturally."""

from __future__ import annotations

import re

import pytest

from warmline.engine.coaching import Coach, CoachingRequest, facts, fill_name
from warmline.engine.model import Annotation, Speaker
from warmline.engine.results import CustomerState, EmotionScore

COACH = Coach()
LIBRARY = COACH.rewriter.library


def feel(*emotions: tuple[str, int], focus: str = "feelings", abusive: bool = False):
    scores = tuple(EmotionScore(label, 0.9, level) for label, level in emotions)
    return CustomerState(scores, abusive, focus)


def ask(
    text: str,
    anti: tuple[tuple[str, str], ...] = (),
    missed: tuple[str, ...] = (),
    state: CustomerState | None = None,
    name: str | None = None,
    said: str | None = None,
    speaker: Speaker = Speaker.AGENT,
) -> CoachingRequest:
    """A request with anti-pattern annotations on the given (label, evidence) spans."""
    found = []
    for label, span in anti:
        start = text.index(span)
        found.append(Annotation(1, "anti_pattern", label, start, start + len(span), 0.9, "test@v1"))
    return CoachingRequest(text, speaker, tuple(found), missed, state, name, said)


def lines(situation: str, **where: str | None) -> list[str]:
    """Every statement of a group, as it reads with the placeholder removed."""
    return [fill_name(s.text, None) for s in LIBRARY.group(situation, **where)]


def has_one(out: str, options: list[str]) -> bool:
    return sum(option in out for option in options) == 1


ANGRY = feel(("anger", 3), ("frustration", 2))
CROSS = feel(("frustration", 2))
WORRIED = feel(("anxiety", 3))
NEUTRAL = feel(("neutral", 1))


def fix(label: str, evidence: str, rest: str = "", state: CustomerState = CROSS, said=None):
    """A request whose text is *evidence* (annotated with *label*) followed by *rest*."""
    text = f"{evidence} {rest}".strip()
    return ask(text, ((label, evidence),), state=state, said=said)


CASES = {
    "blame phrase stripped, fact sentence kept": (
        fix("blame", "As I already said, your refund of £20 was sent on Monday."),
        ["Your refund of £20 was sent on Monday."],
        ["already said"],
    ),
    "blame sentence without facts dropped": (
        fix("blame", "You should have read the terms.", "I can look at a refund for you."),
        ["I can look at a refund for you."],
        ["should have", "terms"],
    ),
    "blame sentence holding facts softened": (
        fix("blame", "You should have called before 5pm on Friday."),
        ["Ideally you'd have called before 5pm on Friday."],
        ["You should"],
    ),
    "hollow apology replaced by one naming the problem": (
        fix(
            "hollow_apology",
            "We apologise for any inconvenience.",
            "Your parcel 88231 is now due Thursday.",
            said="My parcel is late again and I'm still waiting.",
        ),
        ["Your parcel 88231 is now due Thursday."],
        ["inconvenience", "apologise"],
    ),
    "apology to a neutral question simply removed": (
        fix("hollow_apology", "Sorry for any inconvenience!", "We open at 9am.", NEUTRAL),
        ["We open at 9am."],
        ["orry"],
    ),
    "condescension removed": (
        fix("condescension", "Okay sweetie, these apps can be tricky for people your age."),
        ["Okay, these apps can be tricky."],
        ["sweetie", "your age"],
    ),
    "dismissive words removed, amount kept": (
        fix("dismissive", "Calm down, it's only £4.", "I've refunded it.", ANGRY),
        ["It's £4.", "I've refunded it."],
        ["Calm down", "only"],
    ),
    "assumption replaced by a question": (
        fix("assumption", "You've probably forgotten a direct debit."),
        ["?"],
        ["probably"],
    ),
    "tone mismatch calmed": (
        fix("tone_mismatch", "Haha love it!! 😂", "Your pizza refund of £12 is done!", ANGRY),
        ["Your pizza refund of £12 is done."],
        ["Haha", "😂", "!"],
    ),
    "robotic opener dropped, ticket number kept": (
        fix("robotic_script", "Thank you for contacting Acme.", "Your ticket number is #82014."),
        ["Your ticket number is #82014."],
        ["Thank you for contacting"],
    ),
    "rushed closure replaced by a resolution check": (
        fix("rushed_closure", "Anything else? Bye now.", "Your claim is with the assessor."),
        ["Your claim is with the assessor."],
        ["Bye"],
    ),
    "personalised greeting added": (
        ask("Your order 55102 ships Monday.", missed=("personalization",), name="Priya"),
        ["Hi Priya, your order 55102 ships Monday."],
        [],
    ),
    "name put into an existing greeting": (
        ask("Hello,\n\nYour order ships Monday.", missed=("personalization",), name="Priya"),
        ["Hello Priya,\n\nYour order ships Monday."],
        [],
    ),
    "generic greeting made personal": (
        ask("Dear Guest, thanks for writing.", missed=("personalization",), name="Greg"),
        ["Dear Greg, thanks for writing."],
        ["Guest"],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_rewrite_repairs_and_keeps(case: str) -> None:
    req, present, absent = CASES[case]
    out = COACH.rewrite(req)
    assert out is not None
    for part in present:
        assert part in out, out
    for part in absent:
        assert part not in out, out
    assert all(f in out for f in facts(req.text))


def test_hollow_apology_becomes_an_apology_naming_the_delay() -> None:
    req, _, _ = CASES["hollow apology replaced by one naming the problem"]
    out = COACH.rewrite(req)
    assert out is not None and has_one(out, lines("apology", topic="delay"))


@pytest.mark.parametrize(
    ("state", "group"),
    [
        (feel(("anxiety", 3)), {"emotion": "anxiety", "intensity": "strong"}),
        (feel(("anxiety", 1)), {"emotion": "anxiety", "intensity": "mild"}),
        (feel(("anger", 3), ("sadness", 1)), {"emotion": "anger", "intensity": "strong"}),
        (feel(("neutral", 1), ("confusion", 2)), {"emotion": "confusion", "intensity": "mild"}),
        (feel(("joy", 2)), {"emotion": "joy"}),
        (feel(("gratitude", 3)), {"emotion": "gratitude"}),
    ],
)
def test_acknowledgement_matches_the_emotion_and_its_intensity(state, group) -> None:
    out = COACH.rewrite(
        ask("Your card is blocked for now.", missed=("acknowledge_emotion",), state=state)
    )
    assert out is not None and out.endswith("Your card is blocked for now.")
    assert has_one(out, lines("acknowledge", generic=False, **group))


def test_no_acknowledgement_is_invented_for_a_neutral_customer() -> None:
    assert (
        COACH.rewrite(ask("We open at 9am.", missed=("acknowledge_emotion",), state=NEUTRAL))
        is None
    )


def test_validation_and_acknowledgement_missed_together_use_one_statement() -> None:
    req = ask("Your card is blocked.", missed=("acknowledge_emotion", "validate"), state=WORRIED)
    out = COACH.rewrite(req)
    assert out is not None
    assert has_one(out, lines("validate", emotion="anxiety", intensity="strong", generic=False))
    assert not any(
        line in out for line in lines("acknowledge", emotion="anxiety", intensity="strong")
    )


def test_bare_refusal_gets_an_alternative_right_after_it() -> None:
    text = "We can't extend the sale. Your basket is saved."
    out = COACH.rewrite(ask(text, (("bare_refusal", "We can't extend the sale."),), state=CROSS))
    assert out is not None
    alternative = [a for a in lines("alternative") if a in out]
    assert len(alternative) == 1
    assert f"We can't extend the sale. {alternative[0]} Your basket is saved." in out


def test_graceful_no_without_evidence_follows_the_refusal_sentence() -> None:
    text = "Thanks for asking. Unfortunately that option is no longer available. Anything else?"
    out = COACH.rewrite(ask(text, missed=("graceful_no",), state=feel(("disappointment", 2))))
    assert out is not None
    assert re.search(r"no longer available\. (?:I can|What I can|There may|If you let)", out)


@pytest.mark.parametrize(
    ("missed", "group"),
    [(("follow_up",), "follow_up"), (("check_resolution",), "check_resolution")],
)
def test_closing_additions_go_before_the_sign_off(missed, group) -> None:
    text = "Hello,\n\nThe restore is running now.\n\nRegards,\nSam"
    out = COACH.rewrite(ask(text, missed=missed, state=CROSS))
    assert out is not None and out.endswith("\n\nRegards,\nSam")
    assert any(f"The restore is running now. {line}\n\nRegards" in out for line in lines(group))


def test_additions_go_before_a_closing_pleasantry() -> None:
    out = COACH.rewrite(
        ask("I've passed this on. Safe travels!", missed=("follow_up",), state=CROSS)
    )
    assert (
        out is not None
        and out.startswith("I've passed this on. ")
        and out.endswith(" Safe travels!")
    )


def test_offer_of_a_human_only_from_bots() -> None:
    text = "I can help with passwords. Choose an option below."
    bot = COACH.rewrite(ask(text, missed=("offer_human",), state=CROSS, speaker=Speaker.BOT))
    assert bot is not None and has_one(bot, lines("offer_human"))
    assert COACH.rewrite(ask(text, missed=("offer_human",), state=CROSS)) is None


def test_boundary_set_with_an_abusive_customer() -> None:
    state = feel(("anger", 3), abusive=True)
    out = COACH.rewrite(
        ask("Your account 88123 was flagged.", missed=("acknowledge_emotion",), state=state)
    )
    assert out is not None and has_one(out, lines("boundary"))
    kept = "I'd ask that we keep this respectful. Your account 88123 was flagged."
    again = COACH.rewrite(ask(kept, missed=("acknowledge_emotion",), state=state))
    assert again is not None and not any(line in again for line in lines("boundary"))


def test_condolence_for_a_bereavement() -> None:
    req = ask(
        "I'll need the death certificate to update the policy.",
        missed=("acknowledge_emotion",),
        state=feel(("sadness", 3), ("anxiety", 2)),
        said="My husband passed away last month and the renewal letter is in his name.",
    )
    out = COACH.rewrite(req)
    assert out is not None and has_one(out, lines("condolence", topic="bereavement"))


def test_name_is_used_once_and_the_greeting_is_not_doubled() -> None:
    req = ask(
        "Hi Priya, your parcel is on its way.",
        missed=("personalization", "acknowledge_emotion"),
        name="Priya",
        state=feel(("frustration", 3)),
    )
    out = COACH.rewrite(req)
    assert out is not None and out.count("Priya") == 1 and out.count("Hi") == 1


def test_nothing_to_do_gives_none() -> None:
    assert COACH.rewrite(ask("Your order ships Monday.", state=CROSS)) is None
    assert COACH.rewrite(ask("Your order ships Monday.", missed=("personalization",))) is None


def test_rewrite_is_deterministic() -> None:
    for req, _, _ in CASES.values():
        assert COACH.rewrite(req) == COACH.rewrite(req) == Coach().rewrite(req)


def test_rewrites_read_naturally_and_stay_concise() -> None:
    every = {s.text for s in LIBRARY.statements} | {
        fill_name(s.text, None) for s in LIBRARY.statements
    }
    for req, _, _ in CASES.values():
        out = COACH.rewrite(req)
        assert out is not None
        assert "  " not in out and " ." not in out and ",," not in out and ". ." not in out, out
        for sentence in re.split(r"(?<=[.!?])\s+", out):
            assert not sentence[:1].islower() or any(sentence.startswith(f) for f in facts(out)), (
                out
            )
        assert sum(line in out for line in every) <= COACH.rewriter.rules.max_added + 1
