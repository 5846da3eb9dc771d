"""The users the store tests share: an admin, a coach per team (A, B) and three agents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store.tables import User
from warmline.store.users import create_user

#: (name, role, teams, agent id); each user's email is NAME@x.io and display name NAME upper-cased.
PEOPLE = [
    ("admin", "admin", [], None),
    ("coach", "coach", ["A"], None),
    ("coach_b", "coach", ["B"], None),
    ("a1", "agent", ["A"], "a1"),
    ("a2", "agent", ["A"], "a2"),
    ("a3", "agent", ["B"], "a3"),
]


def add_people(session: Session) -> None:
    """Create every user of :data:`PEOPLE`."""
    for who, role, teams, agent in PEOPLE:
        create_user(
            session,
            email=f"{who}@x.io",
            password="long enough",
            role=role,
            teams=teams,
            agent_id=agent,
            display_name=who.upper(),
        )


def add_practice_people(session: Session) -> None:
    """The practice and curriculum tests' users: ad@ (admin), co@ and cb@ (coaches of A and
    B), ag@ (agent-1 in A) and ob@ (agent-3 in B), all @x.io."""
    pw = "long enough"
    create_user(session, email="ad@x.io", password=pw, role="admin")
    create_user(session, email="co@x.io", password=pw, role="coach", teams=["A"])
    create_user(session, email="cb@x.io", password=pw, role="coach", teams=["B"])
    create_user(
        session, email="ag@x.io", password=pw, role="agent", teams=["A"], agent_id="agent-1"
    )
    create_user(
        session, email="ob@x.io", password=pw, role="agent", teams=["B"], agent_id="agent-3"
    )


def user_by_email(session: Session, email: str) -> User:
    """The stored user with *email*."""
    return session.scalars(select(User).where(User.email == email)).one()
