"""Practice pages: the scenarios, a role-play as a chat with its live reading and debrief,
the history of sessions, assignments, and "Practise this" from a real conversation.

Handlers parse the form, call :mod:`warmline.store.practice` and render; the session page
reads the stored log and debrief, so only a reply replays the session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warmline.practice import shipped_scenarios
from warmline.store import conversations as convs
from warmline.store import practice
from warmline.store import practice_assignments as assignments
from warmline.store.access import assignable_agents, require_role
from warmline.store.errors import ConflictError, InvalidInputError
from warmline.store.practice_tables import PracticeSession
from warmline.store.tables import User
from warmline.web.charts import Point, line_chart
from warmline.web.deps import Ctx, CurrentUser, Db
from warmline.web.forms import optional_day
from warmline.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/practice", response_class=HTMLResponse)
def practice_page(request: Request, session: Db, user: CurrentUser) -> Response:
    """The shipped scenarios with the caller's attempts, and their assignments."""
    mine = practice.list_sessions(session, user, mine=True)
    by_scenario: dict[str, list[PracticeSession]] = {}
    for row in mine:
        by_scenario.setdefault(row.scenario_id, []).append(row)
    return page(
        request,
        "practice_list.html",
        scenarios=shipped_scenarios(),
        attempts=by_scenario,
        assignments=assignments.assignments(session, user, mine=True),
        from_conversations=[r for r in mine if r.custom],
    )


@router.get("/practice/history", response_class=HTMLResponse)
def history_page(request: Request, session: Db, user: CurrentUser) -> Response:
    """The sessions the caller may read: their own; a coach's teams'; an admin's all."""
    return page(request, "practice_history.html", rows=practice.list_sessions(session, user))


@router.get("/practice/assign", response_class=HTMLResponse)
def assign_page(request: Request, session: Db, user: CurrentUser, assigned: str = "") -> Response:
    """Assign a scenario to an agent (coach, admin) and follow the results."""
    require_role(user, "coach", "admin")
    return _assign(request, session, user, notice=assigned)


@router.post("/practice/assign")
def assign_post(
    request: Request,
    session: Db,
    user: CurrentUser,
    agent_email: Annotated[str, Form()] = "",
    scenario_id: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Store an assignment; a bad field shows the form again with the message (422)."""
    require_role(user, "coach", "admin")
    form = {"agent_email": agent_email, "scenario_id": scenario_id, "due": due, "note": note}
    try:
        if scenario_id not in {s.id for s in shipped_scenarios()}:
            raise InvalidInputError(f"scenario {scenario_id!r}: pick one from the list")
        day = optional_day("due", due)
        assignments.assign(
            session, user, scenario_id=scenario_id, agent_email=agent_email, due=day, note=note
        )
    except InvalidInputError as exc:
        return _assign(request, session, user, error=str(exc), form=form, status_code=422)
    return RedirectResponse(f"/practice/assign?assigned={quote(agent_email)}", status_code=303)


def _assign(
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
        "practice_assign.html",
        status_code=status_code,
        agents=assignable_agents(session, user),
        scenarios=shipped_scenarios(),
        rows=assignments.assignments(session, user),
        notice=notice,
        error=error,
        form=form or {},
    )


# ----------------------------------------------------------------- starting a session


@router.get("/practice/from-conversation/{conversation_id}", response_class=HTMLResponse)
def from_conversation_page(
    request: Request, session: Db, user: CurrentUser, conversation_id: str
) -> Response:
    """The briefing of a role-play built from a conversation the caller may see."""
    conv = convs.get_conversation(session, user, conversation_id)
    scenario = practice.from_spec(practice.spec_from_conversation(conv))
    action = "/practice/from-conversation/" + quote(conversation_id, safe="")
    return page(request, "practice_start.html", scenario=scenario, action=action, conv=conv)


@router.post("/practice/from-conversation/{conversation_id}")
def from_conversation_start(
    ctx: Ctx, session: Db, user: CurrentUser, conversation_id: str
) -> Response:
    """Start a role-play built from that conversation and open it."""
    row = practice.start_from_conversation(session, user, conversation_id, analyzer=ctx.analyzer)
    return RedirectResponse(f"/practice/sessions/{row.id}", status_code=303)


@router.get("/practice/{scenario_id}/new", response_class=HTMLResponse)
def new_page(request: Request, user: CurrentUser, scenario_id: str) -> Response:
    """The briefing: who the customer is, the facts of the case, and a Start button."""
    scenario = practice.shipped(scenario_id)
    action = f"/practice/{quote(scenario.id)}/new"
    return page(request, "practice_start.html", scenario=scenario, action=action, conv=None)


@router.post("/practice/{scenario_id}/new")
def new_session(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    scenario_id: str,
    seed: Annotated[str, Form()] = "",
) -> Response:
    """Start a session (a random seed unless one is given) and open it."""
    scenario = practice.shipped(scenario_id)
    number = seed.strip()
    if number and not number.isdigit():
        action = f"/practice/{quote(scenario.id)}/new"
        message = f"seed {number!r}: leave it empty or write a whole number"
        return page(
            request, "practice_start.html", 422, scenario=scenario, action=action, error=message
        )
    row = practice.start_session(
        session, user, scenario.id, seed=int(number) if number else None, analyzer=ctx.analyzer
    )
    return RedirectResponse(f"/practice/sessions/{row.id}", status_code=303)


# ----------------------------------------------------------------- playing


@router.get("/practice/sessions/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, session: Db, user: CurrentUser, session_id: int) -> Response:
    """The role-play as a chat: customer lines, replies with their reading, then the debrief."""
    return _session(request, session, user, practice.get_session(session, user, session_id))


@router.post("/practice/sessions/{session_id}/replies")
def reply(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: CurrentUser,
    session_id: int,
    text: Annotated[str, Form()] = "",
) -> Response:
    """Send a reply; an empty or over-long one shows the chat again with the message (422)."""
    try:
        practice.add_reply(session, user, session_id, text, analyzer=ctx.analyzer)
    except (InvalidInputError, ConflictError) as exc:
        row = practice.get_session(session, user, session_id)
        status = 409 if isinstance(exc, ConflictError) else 422
        return _session(request, session, user, row, error=str(exc), draft=text, status=status)
    return RedirectResponse(f"/practice/sessions/{session_id}#latest", status_code=303)


@router.post("/practice/sessions/{session_id}/end")
def end(ctx: Ctx, session: Db, user: CurrentUser, session_id: int) -> Response:
    """Stop the session now and show its debrief."""
    practice.end_session(session, user, session_id, analyzer=ctx.analyzer)
    return RedirectResponse(f"/practice/sessions/{session_id}#debrief", status_code=303)


def _session(
    request: Request,
    session: Db,
    user: User,
    row: PracticeSession,
    *,
    error: str = "",
    draft: str = "",
    status: int = 200,
) -> Response:
    scenario = practice.scenario_of(row)
    earlier = [
        r for r in practice.attempts(session, row.user_id, row.scenario_id) if r.id != row.id
    ]
    return page(
        request,
        "practice_session.html",
        status,
        row=row,
        scenario=scenario,
        chat=chat(row.log),
        playing=row.user_id == user.id and row.finished_at is None,
        owner=row.user,
        debrief=row.debrief,
        chart=trajectory_chart(row.debrief) if row.debrief else None,
        earlier=earlier,
        error=error,
        draft=draft,
    )


def chat(log: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stored log as chat items: the opening, then each reply with its reading and answer."""
    lines: Sequence[Mapping[str, Any]] = log.get("lines", [])
    readings: Sequence[Mapping[str, Any]] = log.get("readings", [])
    items: list[dict[str, Any]] = []
    if lines:
        items.append({"kind": "customer", "line": lines[0], "before": None})
    for i, reading in enumerate(readings):
        items.append({"kind": "agent", "reading": reading})
        if i + 1 < len(lines):
            before = lines[i]["intensity"]
            items.append({"kind": "customer", "line": lines[i + 1], "before": before})
    return items


def trajectory_chart(data: Mapping[str, Any]) -> Any:
    """The customer's intensity at each of their lines, as an SVG line chart (0-1)."""
    trajectory = data.get("trajectory") or []
    if not trajectory:
        return None
    points = [
        Point(
            "Opening" if p["line"] == 0 else f"After reply {p['line']}",
            float(p["intensity"]),
            f"{p['state']}: intensity {float(p['intensity']):.2f}",
        )
        for p in trajectory
    ]
    return line_chart(
        [("Customer's intensity", points)],
        low=0.0,
        high=1.0,
        width=720,
        height=200,
        aria_label="The customer's intensity at each of their lines, from 0 (calm) to 1 (furious)",
    )


__all__ = ["chat", "router", "trajectory_chart"]
