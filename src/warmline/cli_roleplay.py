"""The ``warmline roleplay`` commands: list the scenarios and play one, in the terminal or from a file.

Registered on the ``warmline`` group by :mod:`warmline.cli`; each command wraps a function of
:mod:`warmline.practice` (``list_scenarios``, ``play`` and a :class:`~warmline.practice.Session`
for interactive play) and only formats.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from warmline.practice import (
    Debrief,
    PracticeError,
    Scenario,
    ScenarioError,
    ScriptedVoice,
    Session,
    Voice,
    debrief,
    get_scenario,
    list_scenarios,
    load_scenario,
    play,
    voice_from_env,
)
from warmline.practice.simulator import Exchange

_T = TypeVar("_T")


class PracticeUsage(click.ClickException):
    """A problem the user must fix (unknown id, unreadable file, malformed answer): exit 2."""

    exit_code = 2


@click.group("roleplay")
def roleplay() -> None:
    """Rehearse hard conversations with simulated customers, then read the debrief."""


@roleplay.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the scenarios as a JSON list.")
def list_command(as_json: bool) -> None:
    """List the shipped scenarios."""
    scenarios = practice_call(list_scenarios)
    if as_json:
        click.echo(json.dumps(scenarios, ensure_ascii=False, indent=2))
        return
    width = max(len(s["id"]) for s in scenarios)
    for s in scenarios:
        click.echo(f"{s['id']:<{width}}  {s['title']} ({s['customer']}, {s['emotion']})")


@roleplay.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate_command(files: tuple[str, ...]) -> None:
    """Check scenario FILES a trainer wrote; exit 1 when any has a problem."""
    failed = 0
    for name in files:
        try:
            scenario = load_scenario(Path(name))
        except ScenarioError as exc:
            failed += 1
            click.echo(f"invalid: {exc}", err=True)
            continue
        click.echo(f"ok: {name} ({scenario.id}: {scenario.title})")
    if failed:
        raise SystemExit(1)


@roleplay.command("play")
@click.argument("name", metavar="SCENARIO")
@click.option(
    "--replies",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    metavar="FILE",
    help="Play these replies, one per line (- for stdin), instead of asking for them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (needs --replies).")
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed, same session.")
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="FILE",
    help="Earlier results (a JSON list of `play --json` outputs or debriefs) to compare with.",
)
@click.option("--scripted", is_flag=True, help="Use the scripted lines even if an LLM is set up.")
def play_command(
    name: str,
    replies: str | None,
    as_json: bool,
    seed: int,
    previous: str | None,
    scripted: bool,
) -> None:
    """Play SCENARIO (an id from `warmline roleplay list`, or a scenario .yaml file)."""
    if as_json and replies is None:
        raise PracticeUsage(
            "--json needs --replies FILE (interactive play prints a readable debrief)"
        )
    scenario = practice_call(get_scenario, name)
    earlier = _previous(previous) if previous else []
    voice = None if scripted else voice_from_env()
    if replies is None:
        _interactive(scenario, seed=seed, voice=voice, previous=earlier)
        return
    lines = _read_replies(replies)
    result = practice_call(play, scenario, lines, seed=seed, voice=voice, previous=earlier)
    _warn_voice(voice)
    if as_json:
        click.echo(json.dumps(_result(scenario, result), ensure_ascii=False, indent=2))
        return
    _echo_transcript(scenario, result)
    _echo_debrief(result)


def practice_call(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call a practice or curriculum function, turning its errors into exit-2 messages."""
    try:
        return function(*args, **kwargs)
    except PracticeError as exc:
        raise PracticeUsage(str(exc)) from None


def _read_replies(source: str) -> list[str]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PracticeUsage(f"cannot read the replies from {source}: {exc}") from None
    return [line for line in text.splitlines() if line.strip()]


def _previous(path: str) -> list[Mapping[str, Any]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PracticeUsage(f"cannot read earlier results from {path}: {exc}") from None
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(i, dict) for i in items):
        raise PracticeUsage(f"{path}: expected a JSON list of `play --json` outputs or debriefs")
    return [i.get("debrief", i) for i in items]


def _result(scenario: Scenario, result: Debrief) -> dict[str, Any]:
    """The JSON of a non-interactive play: the headline figures, the transcript, the debrief."""
    data = result.to_dict()
    return {
        "scenario": scenario.id,
        "title": scenario.title,
        "seed": result.seed,
        "outcome": result.outcome,
        "final_intensity": data["final_intensity"],
        "score": result.score,
        "turns": data["turns"],
        "debrief": data,
    }


def _interactive(
    scenario: Scenario, *, seed: int, voice: Voice | None, previous: Sequence[Mapping[str, Any]]
) -> None:
    session = Session(scenario, seed, voice=voice or ScriptedVoice())
    click.echo(click.style(scenario.title, bold=True) + f" (customer: {scenario.persona.name})")
    click.echo(scenario.summary)
    click.echo("Type your reply and press Enter; an empty reply or /quit ends the session.\n")
    _echo_line(scenario, session.opening.text, session.opening.state, session.opening.intensity)
    for text in _prompts():
        exchange = session.reply(text)
        _warn_voice(voice)
        click.echo(_reading(exchange, scenario))
        line = exchange.line
        _echo_line(scenario, line.text, line.state, line.intensity)
        if exchange.done:
            break
    click.echo()
    _echo_debrief(debrief(session, previous=previous))


def _prompts() -> Iterator[str]:
    while True:
        try:
            text = click.prompt("You", default="", show_default=False, prompt_suffix=": ")
        except click.Abort:
            return
        if not text.strip() or text.strip() == "/quit":
            return
        yield text.strip()


def _echo_line(scenario: Scenario, text: str, state: str, intensity: float) -> None:
    who = click.style(scenario.persona.name, bold=True)
    click.echo(f"{who} [{state} {intensity:.2f}]: {text}")


def _reading(exchange: Exchange, scenario: Scenario) -> str:
    """The short live reading of one reply: score, what helped or hurt, the intensity change."""
    reading = exchange.reading
    up = sorted(reading.reaction.inflamed)
    down = sorted(reading.reaction.calmed)
    parts = [f"score {reading.check.score}"]
    if down:
        parts.append("helped: " + ", ".join(down))
    if up:
        parts.append("hurt: " + ", ".join(up))
    change = reading.reaction.change
    parts.append(f"intensity {'+' if change >= 0 else ''}{change:.2f} -> {reading.intensity:.2f}")
    return click.style("  > " + " | ".join(parts), dim=True)


def _echo_transcript(scenario: Scenario, result: Debrief) -> None:
    replies = iter(result.replies)
    states = iter(result.trajectory)
    for turn in result.turns:
        if turn["speaker"] == "customer":
            state, level = next(states)
            _echo_line(scenario, turn["text"], state, level)
        else:
            click.echo(f"You: {turn['text']}")
            reading = next(replies)
            click.echo(click.style(f"  > score {reading.check.score}", dim=True))


def _echo_debrief(result: Debrief) -> None:
    click.echo(click.style("Debrief", bold=True))
    click.echo(f"  outcome: {result.outcome}, score {result.score}/100")
    path = " -> ".join(f"{level:.2f}" for _, level in result.trajectory)
    click.echo(f"  customer's intensity: {path}")
    if result.replies:
        click.echo("  replies: " + ", ".join(str(r.check.score) for r in result.replies))
    for w in result.worked:
        click.echo(f'  worked: {w.label} x{w.count} (e.g. "{w.example}")')
    for t in result.to_try[:5]:
        verb = "avoid" if t.kind == "avoid" else "try"
        click.echo(f"  {verb}: {t.label}: {t.tip}")
    if result.weakest is not None and result.weakest.rewrite:
        weakest = result.weakest
        click.echo(f"  weakest reply ({weakest.score}): {weakest.text}")
        click.echo(f"  could be ({weakest.rewrite_score}): {weakest.rewrite}")
    c = result.comparison
    if c is not None:
        sign = "+" if c.score_change >= 0 else ""
        click.echo(
            f"  attempt {c.attempts}: score {sign}{c.score_change} vs last time,"
            f" best before {c.best_before}"
        )


def _warn_voice(voice: Voice | None) -> None:
    error = getattr(voice, "last_error", None)
    if error:
        click.echo(f"warmline: the LLM voice failed ({error}); using the scripted line", err=True)


def register(group: click.Group) -> None:
    """Add the ``roleplay`` group to the ``warmline`` group."""
    group.add_command(roleplay)


__all__ = ["register", "roleplay"]
