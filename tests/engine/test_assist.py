"""The draft check: scores, warnings, missing behaviours, rewrites, offsets, the context window
and input errors of :func:`warmline.engine.assist.check_draft`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from warmline.engine.assist import CONTEXT_TURNS, DraftCheck, check_draft
from warmline.engine.errors import InvalidConversationError, WarmlineError
from warmline.engine.labels import KIND_ANTI_PATTERN, KIND_BEHAVIOUR
from warmline.engine.model import MAX_TURN_CHARS, Conversation
from warmline.engine.pipeline import Analyzer
from warmline.engine.results import ConversationAnalysis


def turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"speaker": s, "text": t} for s, t in pairs]


ANGRY = turns(
    ("customer", "This is the THIRD time my order 5521 is late!! I'm furious. I want a refund."),
)
WORRIED = turns(
    ("customer", "Hi, I was charged twice for my subscription and I'm really worried about rent."),
)
GRIEVING = turns(
    ("customer", "My mum passed away last week and I need to close her account, please."),
)

ACKNOWLEDGES = "I'm so sorry, that's really frustrating. I've refunded order 5521 today."
BARE_NO = "We cannot do that."
BLAME = "You should have read the delivery policy before ordering."


class RecordingAnalyzer(Analyzer):
    """An Analyzer that remembers how many turns it was asked to analyse."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[int] = []

    def analyze(self, conversation: Conversation | Mapping[str, Any]) -> ConversationAnalysis:
        assert isinstance(conversation, Conversation)
        self.seen.append(len(conversation.turns))
        return super().analyze(conversation)


@pytest.mark.parametrize(
    ("context", "better", "worse"),
    [
        (ANGRY, ACKNOWLEDGES, BARE_NO),
        (ANGRY, ACKNOWLEDGES, BLAME),
        (
            WORRIED,
            "I understand how worrying that is. I've refunded the second charge today.",
            BARE_NO,
        ),
        (GRIEVING, "I'm so sorry for your loss. I'll close the account for you today.", BARE_NO),
    ],
)
def test_an_empathic_draft_scores_higher_than_a_bare_refusal(
    analyzer: Analyzer, context: list[dict[str, str]], better: str, worse: str
) -> None:
    good = check_draft(context, better, analyzer=analyzer)
    bad = check_draft(context, worse, analyzer=analyzer)
    assert good.score > bad.score
    assert 0 <= bad.score <= 100 and 0 <= good.score <= 100
    assert good.need == bad.need != "none"


@pytest.mark.parametrize(
    ("context", "draft", "expected"),
    [
        (ANGRY, BARE_NO, {"bare_refusal"}),
        (ANGRY, BLAME, {"blame"}),
        (
            ANGRY,
            "You should have checked the tracking page. We can't refund it.",
            {"blame", "bare_refusal"},
        ),
        (ANGRY, "No worries!! 😊 These things happen lol", {"tone_mismatch"}),
        (ANGRY, ACKNOWLEDGES, set()),
    ],
)
def test_warnings_name_the_anti_patterns_of_the_draft(
    analyzer: Analyzer, context: list[dict[str, str]], draft: str, expected: set[str]
) -> None:
    result = check_draft(context, draft, analyzer=analyzer)
    labels = {w.label for w in result.warnings}
    assert expected <= labels
    if not expected:
        assert not result.warnings
    for warning in result.warnings:
        assert warning.message, warning
        assert warning.label not in {b.label for b in result.behaviours}


@pytest.mark.parametrize(
    ("context", "draft", "missed"),
    [
        (ANGRY, "Your order ships on Friday.", "acknowledge_emotion"),
        (
            GRIEVING,
            "Please send the death certificate to accounts@example.com.",
            "acknowledge_emotion",
        ),
        (WORRIED, "Please send a screenshot of the bank statement.", "reassurance"),
    ],
)
def test_missing_lists_what_the_moment_called_for_with_a_tip(
    analyzer: Analyzer, context: list[dict[str, str]], draft: str, missed: str
) -> None:
    result = check_draft(context, draft, analyzer=analyzer)
    found = {m.label: m for m in result.missing}
    assert missed in found
    assert found[missed].message and found[missed].points < 0
    assert result.rewrite is not None and result.rewrite != draft


def test_a_draft_that_meets_the_moment_needs_no_rewrite(analyzer: Analyzer) -> None:
    result = check_draft(ANGRY, ACKNOWLEDGES, analyzer=analyzer)
    assert not result.missing and not result.warnings
    assert result.rewrite is None
    assert {"apology", "solution"} <= {b.label for b in result.behaviours}


@pytest.mark.parametrize(
    "draft",
    [
        ACKNOWLEDGES,
        BLAME,
        "Hi Ana!\n\nI'm sorry. 😊 We can't refund it, but I can offer a voucher. Anything else?",
        "  So your order 5521 is late again?  I'll chase the courier today and call you at 5pm.",
        "Ünïcödé 🚚 order 5521: sorry! We can't. You should have asked earlier.",
    ],
)
def test_offsets_index_into_the_draft(analyzer: Analyzer, draft: str) -> None:
    result = check_draft(ANGRY, draft, analyzer=analyzer, customer_name="Ana")
    for item in (*result.behaviours, *result.warnings):
        assert 0 <= item.start < item.end <= len(draft)
        assert draft[item.start : item.end] == item.text


def test_the_customer_is_the_last_customer_turns_strongest_emotion(analyzer: Analyzer) -> None:
    result = check_draft(ANGRY, BARE_NO, analyzer=analyzer)
    assert result.customer is not None
    assert result.customer.label in {"anger", "frustration"} and result.customer.intensity >= 2
    assert check_draft([], "Hello! How can I help today?", analyzer=analyzer).customer is None


def test_to_dict_is_plain_json_with_exactly_the_documented_keys(analyzer: Analyzer) -> None:
    result = check_draft(
        ANGRY, "You should have read the policy. We cannot refund.", analyzer=analyzer
    )
    out = result.to_dict()
    assert set(out) == {
        "score",
        "need",
        "mode",
        "behaviours",
        "missing",
        "warnings",
        "rewrite",
        "customer",
    }
    assert json.loads(json.dumps(out)) == out
    assert {w["id"] for w in out["warnings"]} >= {"blame", "bare_refusal"}
    assert all({"start", "end", "text", "message"} <= set(w) for w in out["warnings"])
    assert all({"id", "message"} <= set(m) for m in out["missing"])
    assert out["customer"]["label"] == result.customer.label if result.customer else True


def test_turn_objects_and_dicts_give_the_same_result(analyzer: Analyzer) -> None:
    context = ANGRY + turns(("agent", "Let me check."), ("customer", "Hurry up please."))
    objects = Conversation.from_dict({"id": "x", "turns": context}).turns
    assert check_draft(objects, BARE_NO, analyzer=analyzer) == check_draft(
        context, BARE_NO, analyzer=analyzer
    )


def test_bot_drafts_and_the_default_analyzer(analyzer: Analyzer) -> None:
    context = turns(("customer", "I want to talk to a real person, this bot is useless."))
    as_bot = check_draft(context, "I can help you with orders and returns.", speaker="bot")
    assert "offer_human" in {m.label for m in as_bot.missing}
    as_agent = check_draft(context, "I can help you with orders and returns.", analyzer=analyzer)
    assert "offer_human" not in {m.label for m in as_agent.missing}


def test_the_library_prints_nothing(analyzer: Analyzer, capsys: pytest.CaptureFixture[str]) -> None:
    check_draft(ANGRY, BLAME, analyzer=analyzer)
    assert capsys.readouterr() == ("", "")


# ------------------------------------------------------------------ the context window

FILLER_AGENT = [
    "Thanks for waiting, I'm still checking with the warehouse team.",
    "The courier has not updated the tracking yet.",
    "I've asked them for a new delivery estimate.",
]
FILLER_CUSTOMER = [
    "Any news on this?",
    "Ok, I'll wait.",
    "Is someone actually looking at it?",
]


def long_thread() -> list[dict[str, str]]:
    """A 60-turn thread: details only early on, the last two customer turns 13 turns apart."""
    thread = turns(
        ("customer", "I ordered a blender for my daughter's birthday and the box arrived crushed."),
        ("agent", "I'm sorry to hear that. Could you send a photo of the box?"),
    )
    for i in range(20):
        thread += turns(("customer", FILLER_CUSTOMER[i % 3]), ("agent", FILLER_AGENT[i % 3]))
    thread += turns(("customer", "I'M SO ANGRY!!! Nobody is helping me and the party is Saturday."))
    thread += turns(*(("agent", FILLER_AGENT[i % 3]) for i in range(12)))
    thread += turns(("customer", "Well??"))
    assert len(thread) == 56
    return thread


@pytest.mark.parametrize(
    "draft",
    [
        "I'm so sorry the blender for your daughter's birthday arrived crushed. I've sent a new one today.",
        "So the blender arrived crushed and the party is Saturday? I'll send a new one by express.",
        "Please wait.",
        "We can't replace it. You should have bought the insurance.",
    ],
)
def test_the_window_gives_the_same_result_as_the_whole_thread(draft: str) -> None:
    thread = long_thread()
    recording = RecordingAnalyzer()
    result = check_draft(thread, draft, analyzer=recording, customer_name="Sam")
    assert recording.seen[0] < len(thread) + 1  # the thread was truncated
    assert recording.seen[0] >= CONTEXT_TURNS + 1

    whole = Analyzer().analyze(
        {"id": "w", "customer_name": "Sam", "turns": [*thread, {"speaker": "agent", "text": draft}]}
    )
    last = whole.turns[-1]
    assert last.score is not None
    assert result.score == last.score.value
    assert (result.need, result.mode) == (last.score.need, last.score.mode)
    assert result.rewrite == last.rewrite
    found = [(a.label, a.start, a.end, a.score, a.explanation) for a in last.behaviours()]
    assert [(b.label, b.start, b.end, b.score, b.explanation) for b in result.behaviours] == [
        f for f, a in zip(found, last.behaviours(), strict=True) if a.kind == KIND_BEHAVIOUR
    ]
    assert [(w.label, w.start, w.end, w.score) for w in result.warnings] == [
        f[:4] for f, a in zip(found, last.behaviours(), strict=True) if a.kind == KIND_ANTI_PATTERN
    ]
    missed = [(i.reason, i.points) for i in last.score.items if i.annotation is None]
    assert [(m.label, m.points) for m in result.missing] == missed
    customer = whole.turns[-2].customer
    assert customer is not None and result.customer == customer.top
    assert result.customer is not None and result.customer.evidence is not None
    assert result.customer.evidence.turn == len(thread) - 1  # an index into the caller's turns


def test_early_customer_details_the_draft_takes_up_still_count() -> None:
    thread = long_thread()
    draft = "I'm sorry the blender for your daughter's birthday arrived crushed."
    recording = RecordingAnalyzer()
    with_details = check_draft(thread, draft, analyzer=recording)
    without = check_draft(thread[1:], draft, analyzer=recording)  # the first turn cut off
    assert with_details.score > without.score
    assert recording.seen[0] == recording.seen[1] + 1  # only that customer turn was added


# ------------------------------------------------------------------ bad input

GOOD = turns(("customer", "Hi"), ("agent", "Hello"), ("customer", "Help"))


@pytest.mark.parametrize(
    ("context", "draft", "options", "where", "says"),
    [
        (GOOD, "", {}, "draft", "empty"),
        (GOOD, " \n\t", {}, "draft", "empty"),
        (GOOD, None, {}, "draft", "expected the reply as a string, got NoneType"),
        (GOOD, "ok\x00", {}, "draft", "NUL"),
        (GOOD, "x" * (MAX_TURN_CHARS + 1), {}, "draft", "over the limit"),
        ("customer: hi", "ok", {}, "turns", "expected a list of turns, got str"),
        ({"speaker": "customer", "text": "hi"}, "ok", {}, "turns", "expected a list of turns"),
        (None, "ok", {}, "turns", "expected a list of turns, got NoneType"),
        ([*GOOD, {"speaker": "manager", "text": "hi"}], "ok", {}, "turns[3].speaker", "customer"),
        ([*GOOD, {"speaker": "customer"}], "ok", {}, "turns[3].text", "must be a string"),
        ([*GOOD, "hello"], "ok", {}, "turns[3]", "JSON object"),
        (GOOD, "ok", {"speaker": "customer"}, "speaker", "expected agent or bot"),
        (GOOD, "ok", {"speaker": "manager"}, "speaker", "'manager'"),
        (GOOD, "ok", {"customer_name": 7}, "customer_name", "string"),
    ],
)
def test_bad_input_raises_saying_what_and_where(
    analyzer: Analyzer,
    context: Any,
    draft: Any,
    options: dict[str, Any],
    where: str,
    says: str,
) -> None:
    with pytest.raises(InvalidConversationError) as caught:
        check_draft(context, draft, analyzer=analyzer, **options)
    assert isinstance(caught.value, WarmlineError)
    assert caught.value.where == where
    message = str(caught.value)
    assert message.startswith(f"{where}: ") and says in message, message


def test_the_result_type_is_frozen(analyzer: Analyzer) -> None:
    result = check_draft(GOOD, "Sure, what do you need help with?", analyzer=analyzer)
    assert isinstance(result, DraftCheck)
    with pytest.raises(AttributeError):
        result.score = 100  # type: ignore[misc]
