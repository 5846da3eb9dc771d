"""The debrief: per-reply scores, trajectory, what worked, what to try, a rewrite, comparison."""

from __future__ import annotations

import json

from tests.practice.helpers import replies
from warmline.practice import Session, debrief, play
from warmline.practice.loader import get_scenario


def test_the_debrief_is_json_ready_and_complete() -> None:
    scenario = get_scenario("late-order-transferred")
    result = play(scenario, replies(scenario.id, "empathic"), seed=0)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["scenario"] == scenario.id and data["outcome"] == "resolved"
    assert data["score"] == round(sum(r["score"] for r in data["replies"]) / len(data["replies"]))
    customer_lines = [t for t in data["turns"] if t["speaker"] == "customer"]
    assert len(data["trajectory"]) == len(customer_lines)
    assert data["trajectory"][0] == {"line": 0, "state": "opening", "intensity": scenario.intensity}
    assert data["trajectory"][-1]["state"] == "resolved"
    assert data["final_intensity"] == data["trajectory"][-1]["intensity"]
    assert {"ownership", "solution"} <= {w["id"] for w in data["worked"]}
    assert all(w["effect"] > 0 and w["example"] for w in data["worked"])


def test_what_worked_quotes_the_reply() -> None:
    scenario = get_scenario("personal-loss")
    result = play(scenario, replies(scenario.id, "empathic"), seed=1)
    worked = {w.label: w for w in result.worked}
    assert "acknowledge_emotion" in worked
    assert worked["acknowledge_emotion"].example in result.replies[0].text


def test_what_to_try_names_anti_patterns_and_missing_behaviours_with_tips() -> None:
    scenario = get_scenario("late-order-transferred")
    result = play(scenario, replies(scenario.id, "robotic"), seed=0)
    advice = {t.label: t for t in result.to_try}
    assert advice["robotic_script"].kind == "avoid"
    assert advice["ownership"].kind == "missing" and advice["solution"].kind == "missing"
    assert all(t.tip for t in result.to_try)


def test_a_scenario_tip_explains_its_own_cue() -> None:
    scenario = get_scenario("older-customer-login")
    result = play(scenario, ["Let me explain this nice and slowly, it's really simple."], seed=0)
    advice = {t.label: t for t in result.to_try}
    assert scenario.tips is not None
    assert advice["over_explaining"].tip == scenario.tips["over_explaining"]


def test_the_weakest_reply_is_rewritten_and_the_rewrite_scores_higher() -> None:
    scenario = get_scenario("wrong-item-refund")
    script = [
        "Marcus, I'm really sorry, that's our mistake, and I'll sort it out myself.",
        "We apologise for any inconvenience. Please refer to our returns policy.",
    ]
    result = play(scenario, script, seed=0)
    weakest = result.weakest
    assert weakest is not None and weakest.index == 1
    assert weakest.rewrite and weakest.rewrite_score is not None
    assert weakest.rewrite_score > weakest.score


def test_no_reply_gives_an_empty_debrief() -> None:
    result = debrief(Session(get_scenario("cannot-grant"), seed=0))
    assert result.outcome == "unfinished" and result.score == 0
    assert result.weakest is None and result.worked == ()
    assert len(result.trajectory) == 1


def test_comparison_with_earlier_attempts() -> None:
    scenario = get_scenario("product-fell-short")
    first = play(scenario, replies(scenario.id, "robotic"), seed=0)
    second = play(scenario, replies(scenario.id, "robotic")[:1], seed=1, previous=[first])
    third = play(
        scenario,
        replies(scenario.id, "empathic"),
        seed=2,
        previous=[first.to_dict(), second.to_dict()],
    )
    assert second.comparison is not None and second.comparison.attempts == 2
    c = third.comparison
    assert c is not None
    assert c.attempts == 3
    assert c.previous_scores == (first.score, second.score)
    assert c.previous_outcomes == (first.outcome, second.outcome)
    assert c.score_change == third.score - second.score > 0
    assert c.intensity_change < 0
    assert c.best_before == max(first.score, second.score)
    assert "solution" in c.new_worked
    assert third.to_dict()["comparison"]["previous_scores"] == [first.score, second.score]


def test_attempts_at_other_scenarios_are_not_compared() -> None:
    other = play(get_scenario("cannot-grant"), ["No."], seed=0)
    scenario = get_scenario("product-fell-short")
    result = play(scenario, replies(scenario.id, "empathic"), seed=0, previous=[other])
    assert result.comparison is None


def test_a_cue_that_worked_is_quoted_by_its_sentence() -> None:
    scenario = get_scenario("abusive-customer")
    result = play(scenario, replies(scenario.id, "empathic"), seed=0)
    worked = {w.label: w for w in result.worked}
    assert (
        worked["boundary"].example
        == "I do need us to keep this respectful, though, and I'll keep helping you."
    )
