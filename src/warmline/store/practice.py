"""Role-play practice on the server: sessions kept between requests, attempts, assignments.

A stored :class:`PracticeSession` keeps only ``Session.to_dict()`` (scenario id, seed, replies,
the customer's lines) and replays it to take the next reply; the page reads the stored ``log``
and ``debrief`` instead of replaying. A session from a real conversation keeps in ``custom``
what rebuilds its Scenario: the closest shipped one, re-cast with that customer's first words.

Who sees what: everyone their own sessions; coaches those of the users in their teams
(read-only); admins all (read-only). Only the owner plays.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from warmline.engine.labels import EMOTIONS
from warmline.engine.pipeline import Analyzer
from warmline.practice import Scenario, debrief, shipped_scenarios
from warmline.practice import Session as RolePlay
from warmline.store import conversations as convs
from warmline.store.access import require_role, team_ids
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.practice_tables import PracticeAssignment, PracticeSession
from warmline.store.tables import Conversation, Membership, User, utcnow

#: The longest reply accepted (a chat message, not an essay).
MAX_REPLY: Final = 2000
#: The engine's 1-3 emotion intensity → where a scenario built from a conversation starts.
_START_INTENSITY: Final = {1: 0.5, 2: 0.65, 3: 0.8}
_WORD = re.compile(r"[a-z']{3,}")


def shipped(scenario_id: str) -> Scenario:
    """A shipped scenario by id (never a file path); :class:`NotFoundError` names the ids."""
    scenarios = shipped_scenarios()
    for scenario in scenarios:
        if scenario.id == scenario_id:
            return scenario
    known = ", ".join(s.id for s in scenarios)
    raise NotFoundError(f"no scenario {scenario_id!r}; the scenarios are: {known}")


def scenario_of(row: PracticeSession) -> Scenario:
    """The Scenario a stored session plays (shipped, or rebuilt from its conversation)."""
    return from_spec(row.custom) if row.custom else shipped(row.scenario_id)


# ----------------------------------------------------------------- from a real conversation


def closest_scenario(text: str, emotion: str) -> Scenario:
    """The shipped scenario whose story shares most words with *text* (same emotion breaks ties)."""
    words = set(_WORD.findall(text.lower()))

    def likeness(s: Scenario) -> tuple[float, int]:
        story = " ".join((s.title, s.summary, s.persona.situation, s.persona.history))
        theirs = set(_WORD.findall(story.lower()))
        overlap = len(words & theirs) / (len(words | theirs) or 1)
        return overlap, int(s.emotion == emotion)

    return max(shipped_scenarios(), key=likeness)


def spec_from_conversation(conv: Conversation) -> dict[str, Any]:
    """What rebuilds a scenario from *conv*: its first customer turn and the engine's reading."""
    turns = conv.analysis.get("turns", [])
    first = next((t for t in turns if t.get("speaker") == "customer"), None)
    if first is None or not str(first.get("text", "")).strip():
        raise InvalidInputError(
            f"conversation {conv.external_id!r} has no customer turn to practise from"
        )
    emotions = sorted(first.get("emotions", []), key=lambda e: -float(e.get("score", 0)))
    top = emotions[0] if emotions else {}
    emotion = str(top.get("label", "neutral"))
    emotion = emotion if emotion in EMOTIONS else "neutral"
    base = closest_scenario(str(first["text"]), emotion)
    level = top.get("intensity")
    intensity = (
        _START_INTENSITY.get(level, base.intensity) if isinstance(level, int) else base.intensity
    )
    return {
        "base": base.id,
        "conversation": conv.external_id,
        "name": (conv.customer_name or "").strip() or "the customer",
        "opening": str(first["text"]).strip(),
        "emotion": emotion,
        "intensity": intensity,
    }


def from_spec(spec: Mapping[str, Any]) -> Scenario:
    """The scenario *spec* describes: its base re-cast with the real customer's words and mood."""
    base = shipped(str(spec["base"]))
    slug = re.sub(r"[^a-z0-9]+", "-", str(spec["conversation"]).lower()).strip("-") or "x"
    persona = replace(
        base.persona,
        name=str(spec["name"]),
        situation=str(spec["opening"]),
        history=f"Conversation {spec['conversation']}; the rest of the case as in “{base.title}”.",
    )
    lines = dict(base.lines)
    lines["opening"] = (str(spec["opening"]),)
    return replace(
        base,
        id=f"conversation-{slug}"[:120],
        title=f"Practise conversation {spec['conversation']}",
        summary=(
            f"Built from conversation {spec['conversation']}: the customer's own first message "
            f"and mood, the rest of the case as in “{base.title}”. {base.summary}"
        ),
        persona=persona,
        emotion=str(spec["emotion"]),
        intensity=float(spec["intensity"]),
        lines=lines,
    )


# ----------------------------------------------------------------- sessions


def _log(play: RolePlay) -> dict[str, Any]:
    return {
        "lines": [line.to_dict() for line in play.lines],
        "readings": [r.to_dict() for r in play.readings],
    }


def _create(
    session: Session,
    user: User,
    scenario: Scenario,
    *,
    custom: dict[str, Any] | None,
    seed: int | None,
    analyzer: Analyzer | None,
) -> PracticeSession:
    if seed is None:
        seed = random.SystemRandom().randrange(10_000)
    if not 0 <= seed < 2**31:
        raise InvalidInputError(f"seed {seed}: use a whole number from 0 to 2147483647")
    play = RolePlay(scenario, seed, analyzer=analyzer) if analyzer else RolePlay(scenario, seed)
    row = PracticeSession(
        user_id=user.id,
        scenario_id=scenario.id,
        title=scenario.title,
        seed=seed,
        custom=custom,
        state=play.to_dict(),
        log=_log(play),
        outcome="unfinished",
        replies=0,
    )
    session.add(row)
    session.flush()
    return row


def start_session(
    session: Session,
    user: User,
    scenario_id: str,
    *,
    seed: int | None = None,
    analyzer: Analyzer | None = None,
) -> PracticeSession:
    """Start a role-play of a shipped scenario for *user* (a random seed unless given)."""
    return _create(session, user, shipped(scenario_id), custom=None, seed=seed, analyzer=analyzer)


def start_from_conversation(
    session: Session,
    user: User,
    external_id: str,
    *,
    seed: int | None = None,
    analyzer: Analyzer | None = None,
) -> PracticeSession:
    """Start a role-play built from a conversation *user* may see (scope errors propagate)."""
    conv = convs.get_conversation(session, user, external_id)
    spec = spec_from_conversation(conv)
    return _create(session, user, from_spec(spec), custom=spec, seed=seed, analyzer=analyzer)


def readable_by(session: Session, user: User) -> ColumnElement[bool]:
    """A WHERE clause on :class:`PracticeSession` for the sessions *user* may read."""
    if user.role == "admin":
        return true()
    if user.role == "coach" and team_ids(user):
        return PracticeSession.user_id.in_(_team_agents(user)) | (
            PracticeSession.user_id == user.id
        )
    return PracticeSession.user_id == user.id


def _team_agents(coach: User) -> Select[Any]:
    """The ids of the agents in *coach*'s teams (not their fellow coaches)."""
    return (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id.in_(team_ids(coach)), User.role == "agent")
    )


def get_session(session: Session, user: User, session_id: int) -> PracticeSession:
    """A stored session *user* may read; :class:`NotFoundError` for any other."""
    row = session.scalars(
        select(PracticeSession).where(PracticeSession.id == session_id, readable_by(session, user))
    ).first()
    if row is None:
        raise NotFoundError(f"no practice session {session_id}")
    return row


def _own(session: Session, user: User, session_id: int) -> PracticeSession:
    row = get_session(session, user, session_id)
    if row.user_id == user.id:  # one reply at a time: lock the row (PostgreSQL) and re-read it
        session.execute(
            select(PracticeSession.id).where(PracticeSession.id == row.id).with_for_update()
        )
        session.refresh(row)
    if row.user_id != user.id:
        raise ForbiddenError(
            "this is someone else's practice session: you can read it, not play it"
        )
    if row.outcome != "unfinished" or row.finished_at is not None:
        raise ConflictError(
            f"this session has ended ({row.outcome}): start a new one to play again"
        )
    return row


def _restore(row: PracticeSession, analyzer: Analyzer | None) -> RolePlay:
    return RolePlay.restore(scenario_of(row), row.state, analyzer=analyzer)


def add_reply(
    session: Session,
    user: User,
    session_id: int,
    text: str,
    *,
    analyzer: Analyzer | None = None,
) -> tuple[PracticeSession, dict[str, Any]]:
    """Send *user*'s reply in their session; the stored row and the exchange as plain data."""
    text = text.strip()
    if not text:
        raise InvalidInputError("reply: write what you would say to the customer before sending")
    if len(text) > MAX_REPLY:
        raise InvalidInputError(f"reply: {len(text)} characters; keep it under {MAX_REPLY}")
    row = _own(session, user, session_id)
    play = _restore(row, analyzer)
    exchange = play.reply(text)
    row.state, row.log = play.to_dict(), _log(play)
    row.replies, row.score, row.outcome = len(play.readings), play.score, play.outcome
    if play.done:
        _finish(session, row, play)
    return row, exchange.to_dict()


def end_session(
    session: Session, user: User, session_id: int, *, analyzer: Analyzer | None = None
) -> PracticeSession:
    """Stop *user*'s session early (outcome ``unfinished``) and write its debrief."""
    row = _own(session, user, session_id)
    _finish(session, row, _restore(row, analyzer))
    return row


def _finish(session: Session, row: PracticeSession, play: RolePlay) -> None:
    earlier = [r.debrief for r in attempts(session, row.user_id, row.scenario_id) if r.id != row.id]
    row.debrief = debrief(play, previous=[d for d in earlier if d]).to_dict()
    row.score = play.score if play.readings else None
    row.finished_at = utcnow()


def attempts(session: Session, user_id: int, scenario_id: str) -> list[PracticeSession]:
    """A user's finished sessions of one scenario, oldest first."""
    return list(
        session.scalars(
            select(PracticeSession)
            .where(
                PracticeSession.user_id == user_id,
                PracticeSession.scenario_id == scenario_id,
                PracticeSession.finished_at.is_not(None),
            )
            .order_by(PracticeSession.id)
        )
    )


def list_sessions(
    session: Session, user: User, *, mine: bool = False, limit: int = 200
) -> list[PracticeSession]:
    """The sessions *user* may read (only their own when *mine*), newest first."""
    where = PracticeSession.user_id == user.id if mine else readable_by(session, user)
    return list(
        session.scalars(
            select(PracticeSession).where(where).order_by(PracticeSession.id.desc()).limit(limit)
        )
    )


# ----------------------------------------------------------------- assignments


@dataclass(frozen=True, slots=True)
class AssignmentStatus:
    """An assignment and how it stands, from the agent's sessions since it was made."""

    assignment: PracticeAssignment
    title: str
    status: str  # "not started", "attempted" or "resolved"
    attempts: int
    best_score: int | None
    overdue: bool


def assign(
    session: Session,
    user: User,
    *,
    scenario_id: str,
    agent_email: str,
    due: date | None = None,
    note: str = "",
) -> PracticeAssignment:
    """Assign a shipped scenario to an agent (a coach only to the agents of their teams)."""
    require_role(user, "coach", "admin")
    scenario = shipped(scenario_id)
    agent = session.scalars(select(User).where(User.email == agent_email.strip().lower())).first()
    if agent is None or agent.role != "agent":
        raise InvalidInputError(f"agent {agent_email!r}: no agent with that email")
    if user.role == "coach" and not set(team_ids(user)) & set(team_ids(agent)):
        raise ForbiddenError(f"{agent.email} is not in one of your teams")
    row = PracticeAssignment(
        agent_id=agent.id,
        assigned_by_id=user.id,
        scenario_id=scenario.id,
        due=due,
        note=note.strip()[:1000],
    )
    session.add(row)
    session.flush()
    return row


def assignments(session: Session, user: User, *, mine: bool = False) -> list[AssignmentStatus]:
    """Assignments with their status: the agent's own, a coach's teams', or all for admins."""
    stmt = select(PracticeAssignment).order_by(PracticeAssignment.id.desc())
    if mine or user.role == "agent":
        stmt = stmt.where(PracticeAssignment.agent_id == user.id)
    elif user.role == "coach":
        stmt = stmt.where(PracticeAssignment.agent_id.in_(_team_agents(user)))
    return [_status(session, a) for a in session.scalars(stmt)]


def _status(session: Session, a: PracticeAssignment) -> AssignmentStatus:
    tries = [
        r
        for r in session.scalars(
            select(PracticeSession).where(
                PracticeSession.user_id == a.agent_id,
                PracticeSession.scenario_id == a.scenario_id,
            )
        )
        if r.created_at >= a.created_at and r.replies > 0
    ]
    resolved = any(r.outcome == "resolved" for r in tries)
    status = "resolved" if resolved else "attempted" if tries else "not started"
    scores = [r.score for r in tries if r.score is not None]
    overdue = a.due is not None and not resolved and a.due < utcnow().date()
    title = _title(a.scenario_id)
    return AssignmentStatus(a, title, status, len(tries), max(scores, default=None), overdue)


def _title(scenario_id: str) -> str:
    try:
        return shipped(scenario_id).title
    except NotFoundError:
        return scenario_id


def assignable_agents(session: Session, user: User) -> Sequence[User]:
    """The agents *user* may assign to: a coach's team agents, every agent for an admin."""
    stmt = select(User).where(User.role == "agent", User.active.is_(True)).order_by(User.email)
    if user.role == "coach":
        members = select(Membership.user_id).where(Membership.team_id.in_(team_ids(user)))
        stmt = stmt.where(User.id.in_(members))
    elif user.role != "admin":
        return []
    return list(session.scalars(stmt))


__all__ = [
    "MAX_REPLY",
    "AssignmentStatus",
    "add_reply",
    "assign",
    "assignable_agents",
    "assignments",
    "attempts",
    "closest_scenario",
    "end_session",
    "from_spec",
    "get_session",
    "list_sessions",
    "readable_by",
    "scenario_of",
    "shipped",
    "spec_from_conversation",
    "start_from_conversation",
    "start_session",
]
