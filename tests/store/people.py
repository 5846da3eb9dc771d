"""The users the store tests share: an admin, a coach per team (A, B) and three agents."""

from __future__ import annotations

from sqlalchemy.orm import Session

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
