"""Role-play practice on the server: sessions kept between requests, and attempts.

A stored :class:`PracticeSession` keeps only ``Session.to_dict()`` (scenario id, seed, replies,
the customer's lines) and replays it to take the next reply; the page reads the stored ``log``
and ``debrief`` instead of replaying. A session from a real conversation keeps in ``custom``
what rebuilds its Scenario: that customer's own words and mood, reacting like the closest shipped one.

Who sees what: everyone their own sessions; coaches those of the agents in their teams
(read-only); admins all (read-only). Only the owner plays. Scenarios are found and built in
:mod:`warmline.store.practice_scenarios`, assignments live in
:mod:`warmline.store.practice_assignments`.
"""

from __future__ import annotations

import random
from typing import Any, Final

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from warmline.engine.pipeline import Analyzer
from warmline.practice import Scenario, debrief
from warmline.practice import Session as RolePlay
from warmline.store import conversations as convs
from warmline.store.access import team_agents, team_ids
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.practice_scenarios import (
    closest_scenario,
    from_spec,
    scenario_of,
    shipped,
    spec_from_conversation,
)
from warmline.store.practice_tables import PracticeSession
from warmline.store.tables import User, utcnow

#: The longest reply accepted (a chat message, not an essay).
MAX_REPLY: Final = 2000


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
        return PracticeSession.user_id.in_(team_agents(user)) | (PracticeSession.user_id == user.id)
    return PracticeSession.user_id == user.id


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


__all__ = [
    "MAX_REPLY",
    "add_reply",
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
