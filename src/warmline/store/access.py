"""Who may see what: admins everything, coaches their teams, agents their own conversations."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from warmline.store.errors import ForbiddenError
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


__all__ = ["agent_ids_visible", "conversation_filter", "require_role", "team_ids"]
