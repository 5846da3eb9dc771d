"""The simulated customer: deterministic by seed, calmed by empathy, inflamed by anti-patterns."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.practice.helpers import DATA, replies
from warmline.practice import (
    PracticeError,
    Scenario,
    Session,
    SessionOverError,
    load_scenario,
    play,
)
from warmline.practice.loader import get_scenario, shipped_scenarios
from warmline.practice.scenario import OUTCOMES
from warmline.practice.simulator import REPEAT_DECAY, react
from warmline.practice.voice import LineRequest

SCENARIOS = shipped_scenarios()
SEEDS = (0, 1, 2)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_the_same_seed_replays_the_same_session(scenario: Scenario) -> None:
    for kind in ("empathic", "robotic"):
        script = replies(scenario.id, kind)
        first = play(scenario, script, seed=7).to_dict()
        again = play(scenario, script, seed=7).to_dict()
        assert first == again


def test_different_seeds_vary_the_lines() -> None:
    scenario = get_scenario("late-order-transferred")
    script = replies(scenario.id, "empathic")
    transcripts = {tuple(t["text"] for t in play(scenario, script, seed=s).turns) for s in range(6)}
    assert len(transcripts) > 1


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_an_empathic_script_calms_more_and_resolves_more_than_a_robotic_one(
    scenario: Scenario,
) -> None:
    results = {
        kind: [play(scenario, replies(scenario.id, kind), seed=s) for s in SEEDS]
        for kind in ("empathic", "robotic")
    }
    for warm, cold in zip(results["empathic"], results["robotic"], strict=True):
        assert warm.final_intensity < cold.final_intensity
        assert warm.score > cold.score
    resolved = {k: sum(d.outcome == "resolved" for d in v) for k, v in results.items()}
    assert resolved["empathic"] > resolved["robotic"]
    assert resolved["empathic"] == len(SEEDS)


def test_the_customer_leaves_when_patience_runs_out() -> None:
    scenario = get_scenario("late-order-transferred")
    limit = scenario.patience.poor_replies
    session = Session(scenario, seed=0)
    for _ in range(limit + 1):
        exchange = session.reply("Okay.")
        assert exchange.reading.reaction.poor
    assert session.outcome == "abandoned"
    assert exchange.done and exchange.line.state == "abandoned"
    assert exchange.line.text in scenario.lines["abandoned"]


def test_the_customer_leaves_after_the_reply_limit() -> None:
    base = load_scenario(DATA / "minimal.yaml")
    # A patient customer who is never satisfied: no calming reaction fits a neutral reply.
    scenario = replace(
        base, patience=replace(base.patience, poor_replies=20, poor_score=0, max_replies=3)
    )
    session = Session(scenario, seed=0)
    for _ in range(3):
        outcome = session.reply("I see, let me look at the details for you.").outcome
    assert outcome == "abandoned"


def test_the_customer_escalates_at_full_intensity() -> None:
    scenario = get_scenario("older-customer-login")
    session = Session(scenario, seed=0)
    exchange = session.reply(
        "Don't worry, sweetie, let me explain this nice and slowly. It's really simple."
    )
    assert exchange.outcome == "escalated"
    assert session.intensity == 1.0
    assert {"condescension", "over_explaining"} <= exchange.reading.signals


def test_capitulating_to_abuse_is_never_resolved() -> None:
    scenario = get_scenario("abusive-customer")
    script = [
        "You're completely right, we're useless, I'm so sorry. Whatever you want.",
        "I've unlocked your account right now and I'll extend your payment date by 48 hours.",
        "I can hear this has been stressful. I'll stay with it until you're back in.",
    ]
    for seed in SEEDS:
        assert play(scenario, script, seed=seed).outcome != "resolved"


def test_a_reply_after_the_end_is_refused() -> None:
    session = Session(get_scenario("older-customer-login"), seed=0)
    session.reply("Calm down, sweetie, it's really simple, even my gran can do it.")
    assert session.done
    with pytest.raises(SessionOverError, match="start a new Session"):
        session.reply("Sorry.")


def test_an_unfinished_session_and_the_transcript() -> None:
    scenario = get_scenario("wrong-item-refund")
    session = Session(scenario, seed=3)
    assert session.opening.state == "opening"
    assert session.opening.text in scenario.lines["opening"]
    session.reply("Marcus, I'm sorry, that's our mistake.")
    assert session.outcome == "unfinished" and session.outcome in OUTCOMES
    assert [t["speaker"] for t in session.turns] == ["customer", "agent", "customer"]
    assert session.lines[-1].state in {"furious", "angry", "upset", "calming", "calm"}


def test_a_voice_words_the_line_but_the_state_stays_the_same() -> None:
    class Shouting:
        def phrase(self, request: LineRequest) -> str:
            return request.scripted.upper()

    scenario = get_scenario("product-fell-short")
    script = replies(scenario.id, "empathic")
    plain = play(scenario, script, seed=2)
    loud = play(scenario, script, seed=2, voice=Shouting())
    assert loud.trajectory == plain.trajectory
    assert [t["text"].upper() for t in plain.turns if t["speaker"] == "customer"] == [
        t["text"] for t in loud.turns if t["speaker"] == "customer"
    ]


def test_repeats_calm_less_and_one_reply_calms_at_most_max_calm() -> None:
    scenario = get_scenario("late-order-transferred")
    rng = random.Random(0)
    first = react(scenario, {"apology"}, Counter(), 80, rng)
    second = react(scenario, {"apology"}, Counter({"apology": 1}), 80, rng)
    assert second.calmed["apology"] == pytest.approx(first.calmed["apology"] * REPEAT_DECAY)
    everything = set(scenario.reactions.calms)
    big = react(scenario, everything, Counter(), 100, rng)
    assert sum(big.calmed.values()) == pytest.approx(scenario.reactions.max_calm)
    assert not big.poor


def test_anti_patterns_inflame_and_make_a_poor_reply() -> None:
    scenario = get_scenario("late-order-transferred")
    reaction = react(scenario, {"blame", "solution"}, Counter(), 60, random.Random(0))
    assert reaction.inflamed == {"blame": scenario.reactions.inflames["blame"]}
    assert reaction.waiting == {"ownership": scenario.reactions.missing["ownership"]}
    assert reaction.poor


def test_a_session_restores_from_its_data_with_the_lines_as_worded() -> None:
    class Shouting:
        def phrase(self, request: LineRequest) -> str:
            return request.scripted.upper()

    scenario = get_scenario("cannot-grant")
    script = replies(scenario.id, "empathic")[:1]
    original = Session(scenario, seed=5, voice=Shouting())
    for text in script:
        original.reply(text)
    data = original.to_dict()
    assert data["replies"] == script and len(data["lines"]) == 2
    restored = Session.restore(scenario, data)
    assert [line.text for line in restored.lines] == data["lines"]
    assert restored.intensity == original.intensity and restored.outcome == original.outcome
    # Both go on exactly alike; the restored one now speaks with the scripted voice.
    last = replies(scenario.id, "empathic")[1]
    assert restored.reply(last).line.text.upper() == original.reply(last).line.text


def test_restore_refuses_data_of_another_scenario_or_malformed_data() -> None:
    scenario = get_scenario("cannot-grant")
    with pytest.raises(PracticeError, match="not 'cannot-grant'"):
        Session.restore(scenario, {"scenario": "personal-loss", "seed": 0, "replies": []})
    with pytest.raises(PracticeError, match="integer seed"):
        Session.restore(scenario, {"scenario": "cannot-grant", "seed": "0", "replies": []})


SENTENCES = [
    "I'm so sorry, that sounds really frustrating.",
    "I'll sort this out myself today.",
    "You should have read the terms.",
    "Calm down, it's not a big deal.",
    "Thank you for contacting us.",
    "Could you tell me a bit more about what happened?",
    "Unfortunately that is not possible.",
    "I've booked it for tomorrow and I'll email you the tracking.",
    "Okay.",
]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=st.sampled_from(SCENARIOS),
    script=st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_any_script_keeps_the_invariants(scenario: Scenario, script: list[str], seed: int) -> None:
    result = play(scenario, script, seed=seed)
    assert result.outcome in OUTCOMES
    assert all(0.0 <= level <= 1.0 for _, level in result.trajectory)
    assert 0 <= result.score <= 100
    assert len(result.trajectory) == len(result.replies) + 1
    assert result.to_dict() == play(scenario, script, seed=seed).to_dict()
    if result.outcome == "escalated":
        assert result.final_intensity >= scenario.reactions.escalate_at
    if result.outcome == "resolved":
        assert result.final_intensity <= scenario.resolution.max_intensity
