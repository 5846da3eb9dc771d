"""The ``warmline learn`` commands: browse the training curriculum and grade answers.

Registered on the ``warmline`` group by :mod:`warmline.cli`; each command wraps a function
of :mod:`warmline.practice.curriculum` (``list_modules``, ``get_lessons``,
``grade_exercise``, ``assess``, ``validate_module``) and only formats. Unknown ids, unreadable files and
malformed answers exit with status 2 and say why.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from warmline.cli_roleplay import PracticeUsage, practice_call
from warmline.practice.curriculum import (
    Exercise,
    Grade,
    assess,
    assessment_items,
    get_lessons,
    get_module,
    grade_exercise,
    list_modules,
    validate_module,
)
from warmline.practice.errors import PracticeError


def _json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group("learn")
def learn() -> None:
    """The training curriculum: lessons, engine-graded exercises and assessments."""


@learn.command("modules")
@click.option("--json", "as_json", is_flag=True, help="Print the modules as a JSON list.")
def modules_command(as_json: bool) -> None:
    """List the modules in course order."""
    modules = practice_call(list_modules)
    if as_json:
        _json(modules)
        return
    width = max(len(m["id"]) for m in modules)
    for m in modules:
        counts = f"{len(m['lessons'])} lessons, {len(m['exercises'])} exercises"
        click.echo(f"{m['order']}. {m['id']:<{width}}  {m['title']} ({counts})")


@learn.command("lesson")
@click.argument("module")
@click.argument("lesson", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the lesson(s) as JSON.")
def lesson_command(module: str, lesson: str | None, as_json: bool) -> None:
    """Print the lessons of MODULE, or just LESSON."""
    lessons = practice_call(get_lessons, module, lesson)
    if as_json:
        _json([x.to_dict() for x in lessons])
        return
    for i, x in enumerate(lessons):
        if i:
            click.echo()
        click.echo(f"# {x.title}\n\n{x.body.strip()}\n\nKey points:")
        for point in x.key_points:
            click.echo(f"  - {point}")


@learn.command("exercise")
@click.argument("module")
@click.argument("exercise")
@click.option("--answer", default=None, metavar="TEXT", help="Grade this answer (- for stdin).")
@click.option("--json", "as_json", is_flag=True, help="Print the exercise or grade as JSON.")
def exercise_command(module: str, exercise: str, answer: str | None, as_json: bool) -> None:
    """Show EXERCISE of MODULE, or grade an --answer to it."""
    item = practice_call(lambda: get_module(module).exercise(exercise))
    if answer is None:
        if as_json:
            _json(item.to_dict(with_answers=False))
        else:
            _echo_exercise(item)
        return
    text = sys.stdin.read() if answer == "-" else answer
    result = practice_call(grade_exercise, module, exercise, text)
    if as_json:
        _json(result.to_dict())
        return
    _echo_grade(result)


@learn.command("assess")
@click.argument("phase", type=click.Choice(["pre", "post"]))
@click.option(
    "--answers",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    metavar="FILE",
    help='A JSON object {"item id": "answer"} to grade (- for stdin).',
)
@click.option("--json", "as_json", is_flag=True, help="Print the items or result as JSON.")
def assess_command(phase: str, answers: str | None, as_json: bool) -> None:
    """Show the PHASE assessment's items, or grade --answers to them."""
    if answers is None:
        items = practice_call(assessment_items, phase)
        if as_json:
            _json([{"module": m.id, **e.to_dict(with_answers=False)} for m, e in items])
            return
        for _, e in items:
            _echo_exercise(e)
            click.echo()
        return
    result = practice_call(assess, phase, _read_answers(answers))
    if as_json:
        _json(result.to_dict())
        return
    data = result.to_dict()
    click.echo(
        f"{phase}-assessment: {data['passed']}/{data['total']} passed ({data['percentage']}%)"
    )
    for skill, value in data["skills"].items():
        click.echo(f"  {skill}: {value}%")
    for item in data["items"]:
        grade = item["grade"]
        click.echo(
            f"  {item['item']}: {'pass' if grade['passed'] else 'not yet'} ({grade['score']})"
        )


@learn.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate_command(files: tuple[str, ...]) -> None:
    """Check module FILES a trainer wrote: the format, and that every item grades as it claims.

    Exit 1 when any file has a problem.
    """
    failed = 0
    for name in files:
        try:
            result = validate_module(Path(name))
        except PracticeError as exc:
            failed += 1
            click.echo(f"invalid: {exc}", err=True)
            continue
        for problem in result.problems:
            click.echo(f"invalid: {name}: {problem}", err=True)
        failed += not result.ok
        if result.ok:
            click.echo(f"ok: {name} ({result.module.id}: {result.module.title})")
    if failed:
        raise SystemExit(1)


def _read_answers(source: str) -> dict[str, str]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PracticeUsage(f"cannot read the answers from {source}: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise PracticeUsage(f"{source}: expected a JSON object of item id to answer text")
    return {str(k): v for k, v in data.items()}


def _echo_exercise(item: Exercise) -> None:
    click.echo(f"[{item.id}] {item.kind} ({item.skill})\n{item.prompt}")
    for turn in item.context:
        click.echo(f"  {turn.speaker}: {turn.text}")
    if item.original:
        click.echo(f"  to rewrite: {item.original}")
    for number, sentence in enumerate(item.sentences, start=1):
        click.echo(f"  {number}. {sentence}")


def _echo_grade(result: Grade) -> None:
    verdict = "pass" if result.passed else "not yet"
    click.echo(f"{verdict}: score {result.score}/100")
    for line in result.feedback:
        click.echo(f"  {line.kind}: {line.text}")
    for evidence in result.evidence:
        click.echo(f'  evidence: {evidence.label}: "{evidence.text}"')
    if not result.passed:
        click.echo(f"  model answer: {result.model_answer}")


def register(group: click.Group) -> None:
    """Add the ``learn`` group to the ``warmline`` group."""
    group.add_command(learn)


__all__ = ["learn", "register"]
