"""Users, teams, passwords and tokens: who someone is and how they prove it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warmline.store.errors import AuthError, ConflictError, InvalidInputError, NotFoundError
from warmline.store.tables import ROLES, AuthToken, Team, User, utcnow

_hasher = PasswordHasher()
MIN_PASSWORD = 8


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def get_or_create_team(session: Session, name: str, *, description: str = "") -> Team:
    """The team called *name*, created when missing."""
    name = name.strip()
    if not name:
        raise InvalidInputError("team name: must not be empty")
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name, description=description)
        session.add(team)
        session.flush()
    return team


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    teams: list[str] | None = None,
    agent_id: str | None = None,
    display_name: str = "",
) -> User:
    """Create a user; agents need an agent_id, coaches and agents may belong to teams."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInputError(f"email {email!r}: expected an address like name@example.com")
    if role not in ROLES:
        raise InvalidInputError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"password: must be at least {MIN_PASSWORD} characters")
    if role == "agent" and not agent_id:
        raise InvalidInputError("agent_id: an agent needs the agent id their conversations carry")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise ConflictError(f"a user with email {email} already exists")
    if agent_id and session.scalar(select(User).where(User.agent_id == agent_id)) is not None:
        raise ConflictError(f"agent id {agent_id} already belongs to another user")
    user = User(
        email=email,
        password_hash=_hasher.hash(password),
        role=role,
        agent_id=agent_id or None,
        display_name=display_name or email.split("@")[0],
    )
    user.teams = [get_or_create_team(session, t) for t in teams or []]
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The active user with this email and password, else :class:`AuthError`."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    # Hash even for unknown emails, so timing does not tell which emails exist.
    stored = user.password_hash if user is not None else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        raise AuthError("wrong email or password") from None
    if user is None or not user.active:
        raise AuthError("wrong email or password")
    return user


@cache
def _dummy_hash() -> str:
    """A hash to verify against for an unknown email, so that both cases take the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued secret (shown once) with its CSRF companion and expiry."""

    secret: str
    csrf: str
    expires_at: datetime


def issue_token(session: Session, user: User, *, kind: str, minutes: int) -> IssuedToken:
    """Issue a session or API token for *user*; only its hash is stored."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = utcnow() + timedelta(minutes=minutes)
    session.add(
        AuthToken(
            kind=kind, token_hash=_digest(secret), user_id=user.id, csrf=csrf, expires_at=expires
        )
    )
    session.execute(delete(AuthToken).where(AuthToken.expires_at < utcnow()))
    return IssuedToken(secret, csrf, expires)


def resolve_token(session: Session, secret: str, *, kind: str) -> tuple[User, AuthToken]:
    """The user a token belongs to; :class:`AuthError` when unknown, expired or revoked."""
    # One round trip for the token and its user (every request makes this call).
    row = session.execute(
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == _digest(secret), AuthToken.kind == kind)
    ).first()
    if row is None:
        raise AuthError("unknown or revoked token: log in again")
    token, user = row
    if token.expires_at <= utcnow():
        raise AuthError("the token has expired: log in again")
    if not user.active:
        raise AuthError("the account behind this token is disabled")
    return user, token


def revoke_token(session: Session, secret: str) -> None:
    """Forget a token (logout)."""
    session.execute(delete(AuthToken).where(AuthToken.token_hash == _digest(secret)))


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, else :class:`NotFoundError`."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}")
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by role then email."""
    return list(session.scalars(select(User).order_by(User.role, User.email)))


def list_teams(session: Session) -> list[Team]:
    """Every team, by name."""
    return list(session.scalars(select(Team).order_by(Team.name)))


__all__ = [
    "IssuedToken",
    "authenticate",
    "create_user",
    "get_or_create_team",
    "get_user",
    "issue_token",
    "list_teams",
    "list_users",
    "resolve_token",
    "revoke_token",
]
