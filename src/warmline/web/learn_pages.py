"""Learn pages: the training curriculum's modules, lessons, graded exercises, the pre- and
post-assessment, and for coaches their team's progress and module assignments.

Handlers read the form, call :mod:`warmline.store.curriculum` (which grades with the
curriculum library and stores the attempt) and render; progress and assignment status are
always derived from the stored attempts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from warmline.engine.labels import ANTI_PATTERNS, EMOTIONS
from warmline.practice.curriculum import Exercise, Grade, shipped_modules
from warmline.store import curriculum
from warmline.store.access import assignable_agents, require_role
from warmline.store.errors import InvalidInputError
from warmline.store.tables import User
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.forms import required_day
from warmline.web.learn_markup import highlight, render_markdown
from warmline.web.render import page

router = APIRouter(include_in_schema=False)


async def form_data(request: Request) -> FormData:
    """The posted form (already parsed and cached by the CSRF check)."""
    return await request.form()


Posted = Annotated[FormData, Depends(form_data)]


@router.get("/learn", response_class=HTMLResponse)
def learn_page(request: Request, session: Db, user: CurrentUser) -> Response:
    """The modules in order with the caller's progress, assignments and assessment results."""
    modules = shipped_modules()
    report = curriculum.progress_of(session, user)
    records = curriculum.attempts(session, [user.id])
    skills = {s.skill: s for s in report.skills}
    return page(
        request,
        "learn_index.html",
        modules=modules,
        progress={m.module: m for m in report.modules},
        mastery=curriculum.module_mastery(records, modules),
        skills=skills,
        report=report,
        deltas=report.skill_deltas(),
        assignments=curriculum.assignments(session, user, mine=True),
    )


# ----------------------------------------------------------------- coaches


@router.get("/learn/team", response_class=HTMLResponse)
def team_page(request: Request, session: Db, user: CurrentUser, assigned: str = "") -> Response:
    """Progress of the agents in the caller's teams, their assignments, and the assign form."""
    require_role(user, "coach", "admin")
    return _team(request, session, user, notice=assigned)


@router.post("/learn/team/assign")
def assign_post(
    request: Request,
    session: Db,
    user: CurrentUser,
    agent_email: Annotated[str, Form()] = "",
    module_id: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Assign a module; a bad field shows the page again with the message (422)."""
    require_role(user, "coach", "admin")
    form = {"agent_email": agent_email, "module_id": module_id, "due": due, "note": note}
    try:
        day = required_day("due", due, "pick the date the module should be completed by")
        curriculum.assign(
            session, user, module_id=module_id, agent_email=agent_email, due=day, note=note
        )
    except InvalidInputError as exc:
        return _team(request, session, user, error=str(exc), form=form, status_code=422)
    return RedirectResponse(f"/learn/team?assigned={quote(agent_email)}#assign", status_code=303)


def _team(
    request: Request,
    session: Db,
    user: User,
    *,
    notice: str = "",
    error: str = "",
    form: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "learn_team.html",
        status_code=status_code,
        modules=shipped_modules(),
        reports=curriculum.team_progress(session, user),
        agents=assignable_agents(session, user),
        rows=curriculum.assignments(session, user),
        notice=notice,
        error=error,
        form=form or {},
    )


# ----------------------------------------------------------------- assessments


@router.get("/learn/assessment/{phase}", response_class=HTMLResponse)
def assessment_page(request: Request, session: Db, user: CurrentUser, phase: str) -> Response:
    """Every item of the pre- or post-assessment on one page, with the last results."""
    return _assessment(request, session, user, phase)


@router.post("/learn/assessment/{phase}")
def assessment_post(
    request: Request, ctx: Ctx, session: Db, user: CurrentUser, phase: str, posted: Posted
) -> Response:
    """Grade all the answers together, store them and show the results (422 if none given)."""
    items = curriculum.assessment_exercises(phase)
    answers = {e.id: answer_of(posted, f"item-{e.id}", e) for _, e in items}
    try:
        result = curriculum.submit_assessment(session, user, phase, answers, analyzer=ctx.analyzer)
    except InvalidInputError as exc:
        return _assessment(
            request, session, user, phase, answers=answers, error=str(exc), status_code=422
        )
    graded = {k: (g, answers[k]) for k, g in result.grades.items()}
    return _assessment(request, session, user, phase, answers=answers, graded=graded)


def _assessment(
    request: Request,
    session: Db,
    user: User,
    phase: str,
    *,
    answers: Mapping[str, str] | None = None,
    graded: Mapping[str, tuple[Grade, str]] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    items = curriculum.assessment_exercises(phase)
    graded = graded or {}
    report = curriculum.progress_of(session, user)
    return page(
        request,
        "learn_assessment.html",
        status_code=status_code,
        phase=phase,
        items=[(m, e, e.to_dict(with_answers=False)) for m, e in items],
        latest=curriculum.latest_assessment(session, user, phase),
        summary=report.pre if phase == "pre" else report.post,
        report=report,
        deltas=report.skill_deltas(),
        answers=answers or {},
        chosen={k: chosen_sentences(v) for k, v in (answers or {}).items()},
        graded=graded,
        views={e.id: grade_view(e, *graded[e.id]) for _, e in items if e.id in graded},
        emotions=EMOTIONS,
        error=error,
    )


# ----------------------------------------------------------------- modules and exercises


@router.get("/learn/{module_id}", response_class=HTMLResponse)
def module_page(request: Request, session: Db, user: CurrentUser, module_id: str) -> Response:
    """The module's lessons (rendered markdown), key points, and its exercises with your best."""
    found = curriculum.module(module_id)
    report = curriculum.progress_of(session, user)
    return page(
        request,
        "learn_module.html",
        module=found,
        lessons=[(lesson, render_markdown(lesson.body)) for lesson in found.lessons],
        best=curriculum.best_results(session, user, found.id),
        progress=next(m for m in report.modules if m.module == found.id),
        skills={s.skill: s for s in report.skills},
    )


@router.get("/learn/{module_id}/exercises/{exercise_id}", response_class=HTMLResponse)
def exercise_page(
    request: Request, session: Db, user: CurrentUser, module_id: str, exercise_id: str
) -> Response:
    """The task, without the answers, and the form to answer it."""
    return _exercise(request, session, user, module_id, exercise_id)


@router.post("/learn/{module_id}/exercises/{exercise_id}")
def exercise_post(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    module_id: str,
    exercise_id: str,
    posted: Posted,
) -> Response:
    """Grade the answer with the engine, store it, and show the result and the model answer."""
    _, item = curriculum.exercise(module_id, exercise_id)
    answer = answer_of(posted, "answer", item)
    try:
        _, result = curriculum.submit_exercise(
            session, user, module_id, exercise_id, answer, analyzer=ctx.analyzer
        )
    except InvalidInputError as exc:
        return _exercise(
            request, session, user, module_id, exercise_id, answer=answer, error=str(exc)
        )
    return _exercise(request, session, user, module_id, exercise_id, answer=answer, result=result)


def _exercise(
    request: Request,
    session: Db,
    user: User,
    module_id: str,
    exercise_id: str,
    *,
    answer: str = "",
    error: str = "",
    result: Grade | None = None,
) -> Response:
    found, item = curriculum.exercise(module_id, exercise_id)
    last = None
    if result is None and not error:  # coming back: show the last attempt and its feedback
        last = curriculum.last_attempt(session, user, found.id, item.id)
        if last is not None:
            answer, result = last.answer, curriculum.stored_grade(last)
    ids = [e.id for e in found.exercises]
    at = ids.index(item.id)
    return page(
        request,
        "learn_exercise.html",
        status_code=422 if error else 200,
        module=found,
        item=item,
        task=item.to_dict(with_answers=False),
        number=at + 1,
        following=found.exercises[at + 1] if at + 1 < len(ids) else None,
        best=curriculum.best_results(session, user, found.id).get(item.id),
        answer=answer,
        chosen=chosen_sentences(answer) if item.kind == "spot_bias" else set(),
        error=error,
        result=result,
        last=last,
        view=grade_view(item, result, answer) if result else None,
        emotions=EMOTIONS,
    )


# ----------------------------------------------------------------- form ↔ answer


def answer_of(posted: FormData, name: str, item: Exercise) -> str:
    """The answer the library expects, from the form fields named after *name*.

    ``spot_bias``: the ticked sentence numbers (``"2, 4"``) or ``"none"``; ``name_emotion``:
    the typed word, else the emotion picked; any other kind: the text as written.
    """
    if item.kind == "spot_bias":
        ticked = [v for v in posted.getlist(name) if isinstance(v, str)]
        if "none" in ticked:
            return "none"
        return ", ".join(sorted((v for v in ticked if v.isdigit()), key=int))
    typed = posted.get(name)
    text = typed.strip() if isinstance(typed, str) else ""
    if item.kind == "name_emotion" and not text:
        picked = posted.get(f"{name}.choice")
        text = picked.strip() if isinstance(picked, str) else ""
    return text


def chosen_sentences(answer: str) -> set[str]:
    """The sentence numbers of a spot_bias answer, as strings, to keep the boxes ticked."""
    return {p.strip() for p in answer.split(",") if p.strip()}


def grade_view(item: Exercise, result: Grade, answer: str = "") -> dict[str, Any]:
    """What the result panel shows: feedback by kind, and the evidence marked where it lies."""

    def css(label: str) -> str:
        if item.kind == "name_emotion":
            return "emo"
        return "bad" if label in ANTI_PATTERNS else "good"

    quotes = [(e.label, e.text, css(e.label)) for e in result.evidence]
    context = [
        {"speaker": t.speaker, "html": highlight(t.text, quotes if t.speaker == "customer" else [])}
        for t in item.context
    ]
    return {
        "worked": [f.text for f in result.feedback if f.kind == "worked"],
        "try": [f.text for f in result.feedback if f.kind == "try"],
        "engine": [f.text for f in result.feedback if f.kind == "engine"],
        "answer": highlight(answer, quotes) if answer and item.kind != "spot_bias" else None,
        "context": context if item.kind == "name_emotion" else None,
        "sentences": [highlight(s, quotes) for s in item.sentences],
        "evidence": quotes,
    }


__all__ = ["answer_of", "chosen_sentences", "grade_view", "router"]
