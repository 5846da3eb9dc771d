"""Who may see what: admins everything, coaches their teams, agents their own conversations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session

from warmline.store.errors import ForbiddenError, InvalidInputError
from warmline.store.tables import Conversation, Membership, User


def team_ids(user: User) -> list[int]:
    """The ids of the teams *user* belongs to."""
    return [t.id for t in user.teams]


def conversation_filter(session: Session, user: User) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Conversation` limiting rows to what *user* may see."""
    if user.role == "admin":
        return true()
    if user.role == "agent":
        return Conversation.agent_id == user.agent_id if user.agent_id else false()
    teams = team_ids(user)
    if not teams:
        return false()
    agents_in_teams = (
        select(User.agent_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id.in_(teams), User.agent_id.is_not(None))
    )
    return or_(Conversation.team_id.in_(teams), Conversation.agent_id.in_(agents_in_teams))


def require_role(user: User, *roles: str) -> None:
    """Raise :class:`ForbiddenError` unless *user* has one of *roles*."""
    if user.role not in roles:
        raise ForbiddenError(f"this needs the {' or '.join(roles)} role; you are {user.role}")


def agent_ids_visible(session: Session, user: User) -> list[str] | None:
    """The agent ids whose data *user* may see; None means every agent (admin)."""
    if user.role == "admin":
        return None
    if user.role == "agent":
        return [user.agent_id] if user.agent_id else []
    rows = session.scalars(
        select(User.agent_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id.in_(team_ids(user)), User.agent_id.is_not(None))
    )
    return sorted({a for a in rows if a})


def team_agents(coach: User) -> Select[Any]:
    """A SELECT of the ids of the agents in *coach*'s teams (not their fellow coaches)."""
    return (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id.in_(team_ids(coach)), User.role == "agent")
    )


def assignable_agents(session: Session, user: User) -> list[User]:
    """The active agents *user* may assign work to: a coach's team agents, all for an admin."""
    stmt = select(User).where(User.role == "agent", User.active.is_(True)).order_by(User.email)
    if user.role == "coach":
        stmt = stmt.where(User.id.in_(team_agents(user)))
    elif user.role != "admin":
        return []
    return list(session.scalars(stmt))


def assignee(session: Session, user: User, agent_email: str) -> User:
    """The agent with *agent_email*, if *user* may assign to them (a coach: their teams only)."""
    agent = session.scalars(select(User).where(User.email == agent_email.strip().lower())).first()
    if agent is None or agent.role != "agent":
        raise InvalidInputError(f"agent {agent_email!r}: no agent with that email")
    if user.role == "coach" and not set(team_ids(user)) & set(team_ids(agent)):
        raise ForbiddenError(f"{agent.email} is not in one of your teams")
    return agent


__all__ = [
    "agent_ids_visible",
    "assignable_agents",
    "assignee",
    "conversation_filter",
    "require_role",
    "team_agents",
    "team_ids",
]
