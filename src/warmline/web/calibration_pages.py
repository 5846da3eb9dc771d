"""Calibration pages: the list, opening a session from a conversation, the blind review form,
and the results (agreement per behaviour, disagreements, turn scores) once it is closed.

Handlers parse the form, call :mod:`warmline.store.calibration` and render what
:func:`~warmline.store.calibration.session_view` lets the caller see, so the pages are as
blind as the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from warmline.agreement import RELIABLE, TENTATIVE
from warmline.store import calibration as cal
from warmline.store import conversations as convs
from warmline.store.access import require_role
from warmline.store.calibration_results import label_groups
from warmline.store.errors import ConflictError, InvalidInputError
from warmline.store.tables import User
from warmline.web.deps import CurrentUser, Db
from warmline.web.render import page

router = APIRouter(include_in_schema=False)

#: A session id in a path: a positive database integer.
SessionId = Annotated[int, Path(ge=1, lt=2**31)]


@router.get("/calibration", response_class=HTMLResponse)
def calibration_list(request: Request, session: Db, user: CurrentUser) -> Response:
    """Sessions waiting for the caller's answers, open sessions, and closed ones with results."""
    rows = cal.list_sessions(session, user)
    todo, running, closed = [], [], []
    for row in rows:
        me = cal.reviewer_of(row, user)
        item = {
            "row": row,
            "submitted": sum(1 for r in row.reviewers if r.submitted_at is not None),
            "mine": row.owner_id == user.id,
            "done": me is not None and me.submitted_at is not None,
        }
        if row.status == "closed":
            closed.append(item)
        elif me is not None and me.submitted_at is None:
            todo.append(item)
        else:
            running.append(item)
    return page(request, "calibration_list.html", todo=todo, running=running, closed=closed)


@router.get("/calibration/new", response_class=HTMLResponse)
def new_page(request: Request, session: Db, user: CurrentUser, conversation: str = "") -> Response:
    """The form that opens a session on *conversation*: pick reviewers, add a note."""
    return _new(request, session, user, conversation)


def _new(
    request: Request,
    session: Session,
    user: User,
    conversation: str,
    *,
    error: str = "",
    chosen: Sequence[str] = (),
    note: str = "",
    status_code: int = 200,
) -> Response:
    require_role(user, "admin", "coach")
    if not conversation.strip():
        raise InvalidInputError(
            "conversation: open a conversation and use its Calibrate button, "
            "or add ?conversation=ID"
        )
    conv = convs.get_conversation(session, user, conversation)
    people = cal.candidates(session, user, conversation)
    return page(
        request,
        "calibration_new.html",
        status_code=status_code,
        conv=conv,
        people=people,
        chosen=set(chosen) if chosen else {user.email},
        note=note,
        error=error,
        min_reviewers=cal.MIN_REVIEWERS,
    )


@router.post("/calibration")
async def open_post(request: Request, session: Db, user: CurrentUser) -> Response:
    """Open the session and go to it; a bad choice shows the form again (422)."""
    form = await request.form()
    conversation = _text(form, "conversation")
    reviewers = [v for v in form.getlist("reviewers") if isinstance(v, str)]
    note = _text(form, "note")
    try:
        row = cal.open_session(session, user, conversation, reviewers=reviewers, note=note)
    except InvalidInputError as exc:
        return _new(
            request, session, user, conversation, error=str(exc), chosen=reviewers, note=note,
            status_code=422,
        )  # fmt: skip
    return RedirectResponse(f"/calibration/{row.id}", status_code=303)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/calibration/{session_id}", response_class=HTMLResponse)
def session_page(
    request: Request, session: Db, user: CurrentUser, session_id: SessionId, saved: str = ""
) -> Response:
    """The review form (or, once submitted, the wait), or the results when closed."""
    return _session(request, session, user, session_id, notice=saved)


def _session(
    request: Request,
    session: Session,
    user: User,
    session_id: int,
    *,
    notice: str = "",
    error: str = "",
    entered: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    row = cal.get_session(session, user, session_id)
    view = cal.session_view(row, user)
    answers = entered if entered is not None else view["me"]["answers"].get("turns", {})
    closed = view["status"] == "closed"
    invitable = []
    if view["can_close"]:
        present = {r.user_id for r in row.reviewers}
        invitable = [
            u for u in cal.candidates(session, user, row.external_id) if u.id not in present
        ]
    return page(
        request,
        "calibration_results.html" if closed else "calibration_review.html",
        status_code=status_code,
        view=view,
        groups=label_groups(),
        answers=answers,
        notice=notice,
        error=error,
        href="/conversations/" + quote(view["conversation_id"], safe=""),
        marks=turn_marks(view) if closed else [],
        invitable=invitable,
        reliable=RELIABLE,
        tentative=TENTATIVE,
    )


@router.post("/calibration/{session_id}/answers")
async def answers_post(
    request: Request, session: Db, user: CurrentUser, session_id: SessionId
) -> Response:
    """Save a draft or submit; a problem shows the form again with what was entered (422)."""
    form = await request.form()
    submit = _text(form, "action") == "submit"
    row = cal.get_session(session, user, session_id)
    entered: dict[str, Any] = {}
    try:
        answers = parse_form(form, [int(t) for t in row.snapshot["engine"]], entered)
        cal.save_answers(session, user, session_id, answers, submit=submit)
    except (InvalidInputError, ConflictError) as exc:
        return _session(
            request, session, user, session_id, error=str(exc), entered=entered, status_code=422
        )
    return RedirectResponse(
        f"/calibration/{session_id}?saved={'submitted' if submit else 'draft'}", status_code=303
    )


def parse_form(
    form: FormData, turns: Sequence[int], entered: dict[str, Any]
) -> dict[int, cal.TurnAnswer]:
    """The answers in the review form (``label-T`` checkboxes, ``score-T``); *entered* keeps
    what was typed, to show again if it is refused."""
    out: dict[int, cal.TurnAnswer] = {}
    for t in sorted(turns):
        labels = frozenset(v for v in form.getlist(f"label-{t}") if isinstance(v, str))
        raw = _text(form, f"score-{t}").strip()
        entered[str(t)] = {"labels": sorted(labels), "score": raw}
        score: int | None = None
        if raw:
            if not raw.isdigit():
                raise InvalidInputError(
                    f"turn {t + 1}: score {raw!r} is not a whole number from 0 to 100"
                )
            score = int(raw)
        out[t] = cal.TurnAnswer(labels, score)
    return out


@router.post("/calibration/{session_id}/reviewers")
async def invite_post(
    request: Request, session: Db, user: CurrentUser, session_id: SessionId
) -> Response:
    """Invite the people ticked in the owner's box and come back to the session."""
    form = await request.form()
    chosen = [v for v in form.getlist("reviewers") if isinstance(v, str)]
    try:
        if not chosen:
            raise InvalidInputError("reviewers: tick at least one person to invite")
        cal.invite(session, user, session_id, chosen)
    except (InvalidInputError, ConflictError) as exc:
        return _session(request, session, user, session_id, error=str(exc), status_code=422)
    return RedirectResponse(f"/calibration/{session_id}?saved=invited", status_code=303)


@router.post("/calibration/{session_id}/close")
def close_post(request: Request, session: Db, user: CurrentUser, session_id: SessionId) -> Response:
    """Close the session and show its results."""
    try:
        cal.close_session(session, user, session_id)
    except ConflictError as exc:
        return _session(request, session, user, session_id, error=str(exc), status_code=409)
    return RedirectResponse(f"/calibration/{session_id}", status_code=303)


def turn_marks(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per staff turn: each behaviour anyone marked, with every reviewer's mark and the engine's."""
    names = list(view["answers"])
    engine = view["engine"]["turns"]
    order = [label for g in label_groups() for label, _ in g.labels]
    out = []
    for turn in view["turns"]:
        if not turn["staff"]:
            continue
        key = str(turn["index"])
        given: dict[str, dict[str, Any]] = {
            n: view["answers"][n]["turns"].get(key, {}) for n in names
        }
        found = set(engine[key]["labels"]).union(
            *(set(g.get("labels", [])) for g in given.values())
        )
        rows: list[dict[str, Any]] = []
        for label in (x for x in order if x in found):
            marks = [label in given[n].get("labels", []) for n in names]
            rows.append(
                {
                    "label": label,
                    "marks": marks,
                    "engine": label in engine[key]["labels"],
                    "split": len(set(marks)) > 1,
                }
            )
        out.append(
            {
                "turn": turn,
                "rows": rows,
                "scores": [given[n].get("score") for n in names],
                "engine_score": engine[key]["score"],
            }
        )
    return out


__all__ = ["parse_form", "router", "turn_marks"]
