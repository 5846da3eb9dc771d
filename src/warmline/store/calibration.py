"""Calibration sessions: one conversation scored blind by several reviewers, then compared.

Who takes part: a coach (of the conversation's team) or an admin opens a session and invites
reviewers from the people who work on that team: its coaches, its agents (except the agent
whose conversation it is, who has seen the engine's reading of it) and any admin.

Blindness: while a session is open, nobody (not the owner, not an admin) can read another
reviewer's answers, and the form shows neither the engine's findings nor its score; everyone
sees only who has submitted. :func:`session_view` is the one place that decides what a caller
sees, for the pages and the API alike. A submitted answer is final. When the owner closes the
session the agreement figures are computed once (:mod:`warmline.store.calibration_results`)
and everyone who may see the session sees them with every answer and the engine's reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warmline.store.access import require_role, team_ids
from warmline.store.calibration_results import coder_of, label_ids, results
from warmline.store.calibration_tables import CalibrationReviewer, CalibrationSession
from warmline.store.conversations import get_conversation
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.tables import Conversation, Membership, User, utcnow

#: Fewest reviewers a session is opened with.
MIN_REVIEWERS = 2
MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class TurnAnswer:
    """A reviewer's answer for one staff turn: the behaviour ids present, and a 0-100 score."""

    labels: frozenset[str]
    score: int | None


def name_of(user: User) -> str:
    """How a person is named in lists and results."""
    return user.display_name or user.email


# ----------------------------------------------------------------- opening


def _teams_of_conversation(session: Session, conv: Conversation) -> list[int]:
    if conv.team_id is not None:
        return [conv.team_id]
    if conv.agent_id:
        agent = session.scalars(select(User).where(User.agent_id == conv.agent_id)).first()
        if agent is not None:
            return team_ids(agent)
    return []


def candidates(session: Session, user: User, external_id: str) -> list[User]:
    """Who *user* may invite to calibrate this conversation: its team's coaches and agents
    (not the agent whose conversation it is), and admins."""
    require_role(user, "admin", "coach")
    conv = get_conversation(session, user, external_id)
    teams = _teams_of_conversation(session, conv)
    members = select(Membership.user_id).where(Membership.team_id.in_(teams))
    stmt = (
        select(User)
        .where(User.active.is_(True), or_(User.role == "admin", User.id.in_(members)))
        .order_by(User.role, User.display_name, User.email)
    )
    if conv.agent_id:
        stmt = stmt.where(or_(User.agent_id.is_(None), User.agent_id != conv.agent_id))
    return list(session.scalars(stmt))


def open_session(
    session: Session,
    user: User,
    external_id: str,
    *,
    reviewers: Sequence[str],
    note: str = "",
) -> CalibrationSession:
    """Open a session on a conversation *user* may see, inviting *reviewers* (emails)."""
    require_role(user, "admin", "coach")
    conv = get_conversation(session, user, external_id)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInputError(f"note: at most {MAX_NOTE} characters, got {len(note)}")
    allowed = {u.email: u for u in candidates(session, user, external_id)}
    wanted = list(dict.fromkeys(e.strip().lower() for e in reviewers if e.strip()))
    unknown = [e for e in wanted if e not in allowed]
    if unknown:
        raise InvalidInputError(
            f"reviewers: {', '.join(unknown)} cannot review this conversation; invite its "
            "team's coaches and agents (not the agent it belongs to) or an admin"
        )
    if len(wanted) < MIN_REVIEWERS:
        raise InvalidInputError(
            f"reviewers: invite at least {MIN_REVIEWERS} people (you may include yourself)"
        )
    snapshot = snapshot_of(conv)
    teams = _teams_of_conversation(session, conv)
    if not snapshot["engine"]:
        raise InvalidInputError(f"conversation {external_id!r} has no staff turns to score")
    row = CalibrationSession(
        conversation_id=conv.id,
        external_id=conv.external_id,
        owner_id=user.id,
        team_id=teams[0] if teams else None,
        note=note,
        rubric_version=conv.rubric_version,
        snapshot=snapshot,
        reviewers=[CalibrationReviewer(user_id=allowed[e].id, answers={}) for e in wanted],
    )
    session.add(row)
    session.flush()
    return row


def invite(
    session: Session, user: User, session_id: int, reviewers: Sequence[str]
) -> CalibrationSession:
    """Add reviewers to an open session (its owner or an admin); those already in are skipped."""
    row = _locked(session, get_session(session, user, session_id))
    _require_owner(row, user)
    allowed = {u.email: u for u in candidates(session, user, row.external_id)}
    wanted = list(dict.fromkeys(e.strip().lower() for e in reviewers if e.strip()))
    unknown = [e for e in wanted if e not in allowed]
    if unknown:
        raise InvalidInputError(f"reviewers: {', '.join(unknown)} cannot review this conversation")
    present = {r.user_id for r in row.reviewers}
    for email in wanted:
        if allowed[email].id not in present:
            row.reviewers.append(CalibrationReviewer(user_id=allowed[email].id, answers={}))
    session.flush()
    return row


def _require_owner(row: CalibrationSession, user: User) -> None:
    if user.role != "admin" and row.owner_id != user.id:
        raise ForbiddenError("only the person who opened this session (or an admin) can change it")
    if row.status != "open":
        raise ConflictError("this session is already closed")


def snapshot_of(conv: Conversation) -> dict[str, Any]:
    """The turns and the engine's per-turn findings, frozen for the session."""
    turns, engine = [], {}
    for turn in conv.analysis.get("turns", []):
        index, speaker = int(turn["index"]), str(turn["speaker"])
        turns.append({"index": index, "speaker": speaker, "text": str(turn["text"])})
        if speaker != "customer":
            labels = sorted({b["id"] for b in turn.get("behaviours", [])} & set(label_ids()))
            engine[str(index)] = {"labels": labels, "score": turn.get("score")}
    return {"turns": turns, "engine": engine, "score": conv.analysis.get("score")}


# ----------------------------------------------------------------- reading


def _visible(user: User) -> Any:
    if user.role == "admin":
        return None
    mine = select(CalibrationReviewer.session_id).where(CalibrationReviewer.user_id == user.id)
    clauses = [CalibrationSession.owner_id == user.id, CalibrationSession.id.in_(mine)]
    if user.role == "coach" and team_ids(user):
        clauses.append(CalibrationSession.team_id.in_(team_ids(user)))
    return or_(*clauses)


def list_sessions(session: Session, user: User) -> list[CalibrationSession]:
    """The sessions *user* owns, reviews, or (coach) that belong to their teams; admins all."""
    stmt = select(CalibrationSession).order_by(CalibrationSession.created_at.desc())
    clause = _visible(user)
    if clause is not None:
        stmt = stmt.where(clause)
    return list(session.scalars(stmt))


def get_session(session: Session, user: User, session_id: int) -> CalibrationSession:
    """One session if *user* may see it; else :class:`NotFoundError`."""
    stmt = select(CalibrationSession).where(CalibrationSession.id == session_id)
    clause = _visible(user)
    if clause is not None:
        stmt = stmt.where(clause)
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFoundError(f"no calibration session {session_id} that you take part in")
    return row


def reviewer_of(row: CalibrationSession, user: User) -> CalibrationReviewer | None:
    """*user*'s place among the session's reviewers, if invited."""
    return next((r for r in row.reviewers if r.user_id == user.id), None)


# ----------------------------------------------------------------- answering and closing


def parse_answers(row: CalibrationSession, answers: Mapping[int, TurnAnswer]) -> dict[str, Any]:
    """*answers* checked against the session's staff turns and the label ids; stored form."""
    staff = {int(k) for k in row.snapshot["engine"]}
    known = set(label_ids())
    out: dict[str, Any] = {}
    for turn, answer in sorted(answers.items()):
        if turn not in staff:
            raise InvalidInputError(
                f"{_turn(turn)}: not a staff turn of this conversation; score "
                f"{', '.join(_turn(t) for t in sorted(staff))}"
            )
        bad = sorted(answer.labels - known)
        if bad:
            raise InvalidInputError(f"{_turn(turn)}: unknown behaviour {', '.join(bad)}")
        if answer.score is not None and not 0 <= answer.score <= 100:
            raise InvalidInputError(f"{_turn(turn)}: score {answer.score} is not from 0 to 100")
        out[str(turn)] = {"labels": sorted(answer.labels), "score": answer.score}
    return {"turns": out}


def _turn(index: int) -> str:
    """A turn as the pages number it (from 1) with the API's 0-based index."""
    return f"turn {index + 1} (index {index})"


def save_answers(
    session: Session,
    user: User,
    session_id: int,
    answers: Mapping[int, TurnAnswer],
    *,
    submit: bool,
) -> CalibrationReviewer:
    """Store *user*'s answers (a draft, or final with *submit*: every turn needs a score)."""
    row = _locked(session, get_session(session, user, session_id))
    me = reviewer_of(row, user)
    if me is None:
        raise ConflictError("you are not a reviewer of this session")
    if row.status != "open":
        raise ConflictError("this session is closed; its answers can no longer change")
    if me.submitted_at is not None:
        raise ConflictError("you have already submitted your answers; they are final")
    stored = parse_answers(row, answers)
    if submit:
        unscored = sorted(
            int(t)
            for t in row.snapshot["engine"]
            if stored["turns"].get(t, {}).get("score") is None
        )
        if unscored:
            raise InvalidInputError(
                "give every staff turn a score before submitting; missing: "
                + ", ".join(_turn(t) for t in unscored)
            )
        me.submitted_at = utcnow()
    me.answers = stored
    session.flush()
    return me


def close_session(session: Session, user: User, session_id: int) -> CalibrationSession:
    """Close a session (its owner or an admin) and compute its agreement figures."""
    row = _locked(session, get_session(session, user, session_id))
    _require_owner(row, user)
    done = [r for r in row.reviewers if r.submitted_at is not None]
    if not done:
        raise ConflictError("nobody has submitted yet; there is nothing to compare")
    row.results = results(row.snapshot, [coder_of(n, r.answers) for n, r in _named(done)])
    row.status = "closed"
    row.closed_at = utcnow()
    session.flush()
    return row


def _locked(session: Session, row: CalibrationSession) -> CalibrationSession:
    """*row* read again under a row lock (PostgreSQL), so that an answer and the closing of
    the session cannot interleave: whichever comes second sees what the first did."""
    lock = select(CalibrationSession.id).where(CalibrationSession.id == row.id)
    session.execute(lock.with_for_update())
    session.refresh(row)
    return row


def _named(reviewers: Sequence[CalibrationReviewer]) -> list[tuple[str, CalibrationReviewer]]:
    """Each reviewer with a name unique in the session (the email when names clash)."""
    names = [name_of(r.user) for r in reviewers]
    return [
        (n if names.count(n) == 1 else r.user.email, r)
        for n, r in zip(names, reviewers, strict=True)
    ]


# ----------------------------------------------------------------- what a caller sees


def session_view(row: CalibrationSession, user: User) -> dict[str, Any]:
    """The session as *user* may see it: while open, only their own answers and no engine."""
    me = reviewer_of(row, user)
    closed = row.status == "closed"
    view: dict[str, Any] = {
        "id": row.id,
        "conversation_id": row.external_id,
        "status": row.status,
        "owner": name_of(row.owner),
        "note": row.note,
        "rubric_version": row.rubric_version,
        "created_at": row.created_at,
        "closed_at": row.closed_at,
        "turns": [
            {**t, "staff": str(t["index"]) in row.snapshot["engine"]} for t in row.snapshot["turns"]
        ],
        "reviewers": [
            {"name": n, "email": r.user.email, "submitted": r.submitted_at is not None}
            for n, r in _named(row.reviewers)
        ],
        "me": {
            "reviewer": me is not None,
            "submitted": me is not None and me.submitted_at is not None,
            "answers": me.answers if me is not None else {},
        },
        "can_close": not closed and (user.role == "admin" or row.owner_id == user.id),
    }
    if closed:
        view["engine"] = {"turns": row.snapshot["engine"], "score": row.snapshot.get("score")}
        view["answers"] = {
            n: r.answers for n, r in _named(row.reviewers) if r.submitted_at is not None
        }
        view["results"] = row.results
    return view


__all__ = [
    "MAX_NOTE",
    "MIN_REVIEWERS",
    "TurnAnswer",
    "candidates",
    "close_session",
    "get_session",
    "invite",
    "list_sessions",
    "name_of",
    "open_session",
    "parse_answers",
    "reviewer_of",
    "save_answers",
    "session_view",
    "snapshot_of",
]
