"""The Coach API: one tip per anti-pattern and missed behaviour; rewrites keep every fact."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warmline.engine.coaching import MISSABLE, Coach, CoachingRequest, facts
from warmline.engine.labels import ANTI_PATTERNS
from warmline.engine.model import Annotation, Speaker
from warmline.engine.results import CustomerState, EmotionScore

TEXT = "As I already said, you should have checked. I can't refund it. Calm down."


COACH = Coach()


@pytest.fixture(scope="module")
def coach() -> Coach:
    return COACH


def customer(*emotions: tuple[str, int], focus: str = "feelings", abusive: bool = False):
    scores = tuple(EmotionScore(label, 0.9, level) for label, level in emotions)
    return CustomerState(scores, abusive, focus)


def anti(label: str, start: int = 0, end: int = 5) -> Annotation:
    return Annotation(1, "anti_pattern", label, start, end, 0.9, "test@v1")


def request(found=(), missed=(), state=None) -> CoachingRequest:
    return CoachingRequest(TEXT, Speaker.AGENT, tuple(found), tuple(missed), state, None, None)


TIP_CASES = [
    # (found, missed, customer, expected tip ids in order)
    ([], [], None, []),
    ([anti("blame")], [], None, ["avoid.blame"]),
    ([anti("blame"), anti("blame", 20, 30)], [], None, ["avoid.blame"]),
    (
        [anti("blame")],
        ["acknowledge_emotion"],
        customer(("anger", 3)),
        ["avoid.blame.anger", "missed.acknowledge_emotion.anger"],
    ),
    (
        [],
        ["acknowledge_emotion"],
        customer(("frustration", 2), focus="solution"),
        ["missed.acknowledge_emotion.focus_solution"],
    ),
    (
        [],
        ["acknowledge_emotion"],
        customer(("frustration", 2), focus="feelings"),
        ["missed.acknowledge_emotion.focus_feelings"],
    ),
    (
        [],
        ["acknowledge_emotion"],
        customer(("anxiety", 3), focus="solution"),
        ["missed.acknowledge_emotion.anxiety"],
    ),
    (
        [anti("blame")],
        ["acknowledge_emotion"],
        customer(("anger", 3), abusive=True),
        ["avoid.blame.abusive", "missed.acknowledge_emotion.abusive"],
    ),
    ([anti("hollow_apology")], [], customer(("neutral", 1)), ["avoid.hollow_apology.neutral"]),
    (
        [anti("bare_refusal")],
        ["graceful_no", "follow_up"],
        None,
        ["avoid.bare_refusal", "missed.follow_up"],
    ),
    ([anti("rushed_closure")], ["check_resolution"], None, ["avoid.rushed_closure"]),
    (
        [anti("dismissive", 60, 70), anti("blame", 0, 5)],
        ["follow_up", "validate"],
        None,
        ["avoid.blame", "avoid.dismissive", "missed.follow_up"],
    ),
    (
        [anti("blame"), anti("assumption", 10, 12), anti("condescension", 30, 35)],
        ["apology", "follow_up", "gratitude"],
        None,
        ["avoid.blame", "avoid.assumption", "avoid.condescension", "missed.apology"],
    ),
    ([], ["paraphrase", "not_a_behaviour", "solution"], None, ["missed.solution"]),
]


@pytest.mark.parametrize(("found", "missed", "state", "expected"), TIP_CASES)
def test_tips_are_chosen_for_the_moment(coach, found, missed, state, expected) -> None:
    tips = coach.tips(request(found, missed, state))
    assert [t.id for t in tips] == expected


def test_tips_carry_label_missed_flag_and_a_readable_message(coach: Coach) -> None:
    tips = coach.tips(request([anti("blame")], ["follow_up"], customer(("frustration", 1))))
    assert [(t.label, t.missed) for t in tips] == [("blame", False), ("follow_up", True)]
    assert tips[0].message.startswith("Solve, don't win:")
    assert all(": " in t.message and t.message.endswith(".") for t in tips)


def test_at_most_max_tips_per_turn(coach: Coach) -> None:
    found = [anti(label, i, i + 1) for i, label in enumerate(["blame", "dismissive", "assumption"])]
    missed = ["acknowledge_emotion", "validate", "apology", "follow_up"]
    assert len(coach.tips(request(found, missed))) == coach.max_tips == 4


def test_behaviours_and_mechanisms_do_not_produce_tips(coach: Coach) -> None:
    found = [
        Annotation(1, "behaviour", "apology", 0, 5, 0.9, "test@v1"),
        Annotation(1, "mechanism", "explorations", 0, 5, 0.9, "test@v1", value=2),
    ]
    assert coach.tips(request(found)) == ()


FACT_CASES = [
    ("Order 55102 ships Monday.", ["55102", "Monday"]),
    ("I've refunded £4.99, $312 and 842 EUR.", ["£4.99", "$312", "842 EUR"]),
    (
        "It arrives on 4 May 2024 by 1pm, or May 6th at 10:30.",
        ["4 May 2024", "1pm", "May 6th", "10:30"],
    ),
    (
        "Call +44 20 7946 0958 or write to help@shop.example.",
        ["+44 20 7946 0958", "help@shop.example"],
    ),
    (
        "Ticket #82014, ref ws-77120, 15% off until 2024-06-01.",
        ["#82014", "ws-77120", "15%", "2024-06-01"],
    ),
    (
        "See https://status.example.com/incidents for updates.",
        ["https://status.example.com/incidents"],
    ),
    ("We're open friday and on Saturdays since March.", ["friday", "Saturdays", "March"]),
    ("Data from 2–9 May was restored in version 4.2.1.", ["2", "9 May", "4.2.1"]),
    ("I'm so sorry to hear that, it's not what you expected.", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), FACT_CASES)
def test_facts_finds_what_a_rewrite_must_keep(text: str, expected: list[str]) -> None:
    assert facts(text) == expected


@given(st.text(max_size=300))
def test_facts_are_substrings_in_order_without_repeats(text: str) -> None:
    found = facts(text)
    assert len(found) == len(set(found))
    assert all(f and f in text for f in found)
    assert facts(text) == found


def test_facts_on_a_long_turn_stays_linear() -> None:
    # No catastrophic backtracking: long runs without spaces, and many numbers.
    assert facts("x" * 100_000 + "1") == ["x" * 100_000 + "1"]
    assert len(facts("ab1 " * 20_000)) == 1


FACTS = st.one_of(
    st.integers(10_000, 999_999).map(str),
    st.integers(1, 99_999).map(lambda p: f"£{p / 100:.2f}"),
    st.integers(1, 5_000).map(lambda d: f"${d}"),
    st.integers(1, 9_999).map(lambda e: f"{e} EUR"),
    st.integers(1, 100).map(lambda p: f"{p}%"),
    st.sampled_from(["Monday", "Tuesday", "Friday", "Saturday", "friday"]),
    st.tuples(st.integers(1, 28), st.sampled_from(["May", "June", "March"])).map(
        lambda dm: f"{dm[0]} {dm[1]}"
    ),
    st.integers(1, 12).map(lambda h: f"{h}pm"),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda hm: f"{hm[0]:02d}:{hm[1]:02d}"),
    st.integers(0, 9_999).map(lambda n: f"+44 20 7946 {n:04d}"),
    st.from_regex(r"[a-z]{3,8}", fullmatch=True).map(lambda u: f"{u}@example.com"),
    st.tuples(st.from_regex(r"[A-Z]{2,3}", fullmatch=True), st.integers(100, 99_999)).map(
        lambda cn: f"{cn[0]}-{cn[1]}"
    ),
)
TEMPLATES = [
    "As I already said, your refund of {} was sent.",
    "You should have called before {}.",
    "We apologise for any inconvenience, your order {} is delayed.",
    "Calm down, it's only {}.",
    "Okay sweetie, the code is {}.",
    "Haha!! 😂 your ticket is {}!",
    "You've probably typed {} wrong.",
    "I can't change {}, sorry.",
    "Thank you for contacting us about {}.",
    "Your new date is {}.",
    "Is there anything else? Bye now.",
    "Honestly it's not a big deal.",
]


@st.composite
def turns(draw: st.DrawFn) -> CoachingRequest:
    """A staff turn with random facts, anti-pattern evidence on some sentences, and misses."""
    sentences = [
        draw(st.sampled_from(TEMPLATES)).format(draw(FACTS)) for _ in range(draw(st.integers(1, 5)))
    ]
    seps = [draw(st.sampled_from([" ", "\n", "\n\n"])) for _ in sentences]
    head = draw(st.sampled_from(["", "Hi there, ", "Hello,\n\n", "Dear Guest,\n"]))
    tail = draw(st.sampled_from(["", "\n\nRegards,\nSam", " Safe travels!"]))
    text = head + "".join(s + sep for s, sep in zip(sentences, seps, strict=True)).strip() + tail
    anti = tuple(
        (draw(st.sampled_from(ANTI_PATTERNS)), s) for s in sentences if draw(st.booleans())
    )
    missed = tuple(draw(st.lists(st.sampled_from(MISSABLE), max_size=4, unique=True)))
    labels = st.sampled_from(["anger", "frustration", "anxiety", "sadness", "joy", "neutral"])
    state = draw(
        st.none()
        | st.builds(
            lambda e, i, a: customer((e, i), abusive=a), labels, st.integers(1, 3), st.booleans()
        )
    )
    speaker = draw(st.sampled_from([Speaker.AGENT, Speaker.BOT]))
    name = draw(st.sampled_from([None, "Priya", "Mr O'Brien"]))
    # check_resolution always has something to add, so every turn gets a rewrite.
    found = []
    for label, span in anti:
        start = text.index(span)
        found.append(Annotation(1, "anti_pattern", label, start, start + len(span), 0.9, "test@v1"))
    return CoachingRequest(
        text, speaker, tuple(found), (*missed, "check_resolution"), state, name, None
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns())
def test_rewrite_keeps_every_fact(req: CoachingRequest) -> None:
    out = COACH.rewrite(req)
    assert out is not None
    for fact in facts(req.text):
        assert fact in out, (fact, out)


ODD_TEXTS = [
    "",
    "   ",
    "\n\n",
    "😀😀😀",
    "{name}",
    "Hi",
    "Hi Priya,",
    "?!?!",
    "x" * 100_000,
    "1 " * 30_000,
]


@pytest.mark.parametrize("text", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
def test_odd_input_never_raises(text: str) -> None:
    found = (
        Annotation(1, "anti_pattern", "blame", 0, 10**9, 0.9, "test@v1"),
        Annotation(1, "anti_pattern", "not_a_label", -5, 3, 0.9, "test@v1"),
        Annotation(1, "behaviour", "apology", 2, 1, 0.9, "test@v1"),
    )
    for state in (None, CustomerState((), False, "solution"), customer(("anger", 3), abusive=True)):
        for name in (None, "", "{name}", "A" * 200, "Zoë"):
            req = CoachingRequest(text, Speaker.BOT, found, tuple(MISSABLE), state, name, text)
            out = COACH.rewrite(req)
            assert out is None or isinstance(out, str)
            assert isinstance(COACH.tips(req), tuple)


@given(st.text(max_size=200), st.lists(st.sampled_from(MISSABLE), max_size=3))
@settings(deadline=None)
def test_random_text_never_raises(text: str, missed: list[str]) -> None:
    req = CoachingRequest(
        text, Speaker.AGENT, (), tuple(missed), customer(("anger", 2)), "Sam", text
    )
    out = COACH.rewrite(req)
    assert out is None or all(f in out for f in facts(text))
