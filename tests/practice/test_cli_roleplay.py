"""``warmline roleplay list`` and ``play``, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.practice.helpers import DATA, REPLIES
from tests.practice.llm_stub import Stub, answer, url_of
from warmline.cli import main
from warmline.practice.loader import get_scenario, shipped_scenarios


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # A developer's own LLM settings must not change what the tests see.
    monkeypatch.delenv("WARMLINE_LLM_URL", raising=False)
    monkeypatch.delenv("WARMLINE_LLM_MODEL", raising=False)
    return CliRunner()


def test_list_json(runner: CliRunner) -> None:
    done = runner.invoke(main, ["roleplay", "list", "--json"])
    assert done.exit_code == 0, done.output
    items = json.loads(done.output)
    assert [i["id"] for i in items] == [s.id for s in shipped_scenarios()]
    assert all(i["title"] and i["customer"] for i in items)


def test_list_text(runner: CliRunner) -> None:
    done = runner.invoke(main, ["roleplay", "list"])
    assert done.exit_code == 0
    assert "older-customer-login" in done.output and "Margaret" in done.output


def test_play_replies_json(runner: CliRunner) -> None:
    script = REPLIES / "late-order-transferred.empathic.txt"
    args = ["roleplay", "play", "late-order-transferred", "--replies", str(script), "--json"]
    done = runner.invoke(main, [*args, "--seed", "4"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["outcome"] == "resolved"
    assert 0 <= result["final_intensity"] < 0.72
    assert 0 <= result["score"] <= 100
    assert result["turns"][0]["speaker"] == "customer"
    assert {t["speaker"] for t in result["turns"]} == {"customer", "agent"}
    assert result["debrief"]["worked"] and result["debrief"]["seed"] == 4
    again = runner.invoke(main, [*args, "--seed", "4"])
    assert again.output == done.output


def test_play_replies_from_stdin_and_compared_with_earlier(
    runner: CliRunner, tmp_path: Path
) -> None:
    robotic = (REPLIES / "cannot-grant.robotic.txt").read_text(encoding="utf-8")
    first = runner.invoke(
        main, ["roleplay", "play", "cannot-grant", "--replies", "-", "--json"], input=robotic
    )
    assert first.exit_code == 0, first.output
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps([json.loads(first.output)]), encoding="utf-8")
    script = REPLIES / "cannot-grant.empathic.txt"
    args = [
        "roleplay",
        "play",
        "cannot-grant",
        "--replies",
        str(script),
        "--json",
        "--previous",
        str(earlier),
    ]
    done = runner.invoke(main, args)
    comparison = json.loads(done.output)["debrief"]["comparison"]
    assert comparison["attempts"] == 2 and comparison["score_change"] > 0


def test_play_a_scenario_file(runner: CliRunner) -> None:
    done = runner.invoke(
        main,
        ["roleplay", "play", str(DATA / "minimal.yaml"), "--replies", "-", "--json"],
        input="Okay.\n",
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["scenario"] == "minimal"


def test_play_replies_readable(runner: CliRunner) -> None:
    script = REPLIES / "personal-loss.empathic.txt"
    done = runner.invoke(main, ["roleplay", "play", "personal-loss", "--replies", str(script)])
    assert done.exit_code == 0, done.output
    assert "Aisha [opening" in done.output and "Debrief" in done.output
    assert "outcome: resolved" in done.output


def test_play_interactive(runner: CliRunner) -> None:
    replies = "Marcus, I'm really sorry, that's our mistake and I'll sort it myself.\n/quit\n"
    done = runner.invoke(
        main, ["roleplay", "play", "wrong-item-refund", "--seed", "1"], input=replies
    )
    assert done.exit_code == 0, done.output
    assert "Marcus [opening" in done.output
    assert "> score" in done.output and "intensity" in done.output
    assert "outcome: unfinished" in done.output


def test_unknown_scenario_lists_the_ids_and_exits_2(runner: CliRunner) -> None:
    done = runner.invoke(
        main, ["roleplay", "play", "no-such-thing", "--replies", "-", "--json"], input="Hi\n"
    )
    assert done.exit_code == 2
    assert "unknown scenario 'no-such-thing'" in done.output
    assert "abusive-customer" in done.output and "wrong-item-refund" in done.output


def test_json_needs_replies_and_a_broken_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(main, ["roleplay", "play", "cannot-grant", "--json"]).exit_code == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\n", encoding="utf-8")
    done = runner.invoke(main, ["roleplay", "play", str(broken), "--replies", "-"], input="Hi\n")
    assert done.exit_code == 2
    assert "broken.yaml: title: expected this field to be present" in done.output


def test_validate_a_trainer_file(runner: CliRunner, tmp_path: Path) -> None:
    good = runner.invoke(main, ["roleplay", "validate", str(DATA / "minimal.yaml")])
    assert good.exit_code == 0 and "ok:" in good.output and "minimal" in good.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\n", encoding="utf-8")
    bad = runner.invoke(main, ["roleplay", "validate", str(DATA / "minimal.yaml"), str(broken)])
    assert bad.exit_code == 1
    assert "title: expected this field to be present" in bad.output


def test_play_with_an_llm_voice_from_the_environment(
    runner: CliRunner, stub: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub.reply = answer("Mm. Go on then.")
    monkeypatch.setenv("WARMLINE_LLM_URL", url_of(stub))
    monkeypatch.setenv("WARMLINE_LLM_MODEL", "tiny-model")
    script = REPLIES / "cannot-grant.empathic.txt"
    args = ["roleplay", "play", "cannot-grant", "--replies", str(script), "--json", "--seed", "1"]
    voiced = json.loads(runner.invoke(main, args).output)
    plain = json.loads(runner.invoke(main, [*args, "--scripted"]).output)
    said = [t["text"] for t in voiced["turns"] if t["speaker"] == "customer"]
    assert said == ["Mm. Go on then."] * len(said)
    assert stub.requests and stub.requests[0]["body"]["model"] == "tiny-model"
    # The model words the lines; the simulator still decides the states (the engine reads each
    # reply in the context of the lines as worded, so the figures may move a little).
    assert len(voiced["debrief"]["trajectory"]) == len(said)
    assert voiced["outcome"] == plain["outcome"] == "resolved"


def test_a_failing_llm_falls_back_and_says_so(
    runner: CliRunner, stub: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub.status, stub.reply = 503, {"error": "overloaded"}
    monkeypatch.setenv("WARMLINE_LLM_URL", url_of(stub))
    monkeypatch.setenv("WARMLINE_LLM_MODEL", "tiny-model")
    args = ["roleplay", "play", "cannot-grant", "--replies", "-", "--seed", "1"]
    done = runner.invoke(main, args, input="I can see why you'd want that.\n")
    assert done.exit_code == 0, done.output
    assert "the LLM voice failed" in done.output
    assert any(line in done.output for line in get_scenario("cannot-grant").lines["opening"])
