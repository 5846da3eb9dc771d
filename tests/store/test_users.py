"""Users, teams, passwords and tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from warmline.store.db import Database, upgrade
from warmline.store.errors import AuthError, ConflictError, InvalidInputError
from warmline.store.tables import AuthToken, utcnow
from warmline.store.users import authenticate, create_user, issue_token, resolve_token, revoke_token


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


def test_create_and_authenticate(db: Database) -> None:
    with db.session() as s:
        user = create_user(s, email="Lee@Example.com", password="long enough", role="coach", teams=["Care"])
        assert user.email == "lee@example.com" and [t.name for t in user.teams] == ["Care"]
        assert user.password_hash.startswith("$argon2")
    with db.session() as s:
        assert authenticate(s, "lee@example.com", "long enough").role == "coach"
        with pytest.raises(AuthError, match="wrong email or password"):
            authenticate(s, "lee@example.com", "wrong password")
        with pytest.raises(AuthError, match="wrong email or password"):
            authenticate(s, "nobody@example.com", "long enough")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "not-an-email", "role": "coach"}, "expected an address"),
        ({"email": "a@b.c", "role": "boss"}, "expected one of admin, coach, agent"),
        ({"email": "a@b.c", "role": "agent"}, "agent_id"),
        ({"email": "a@b.c", "role": "coach", "password": "short"}, "at least 8"),
    ],
)
def test_create_user_rejects_bad_input(db: Database, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with db.session() as s, pytest.raises(InvalidInputError, match=message):
        create_user(s, **{"password": "long enough", **kwargs})


def test_duplicates_conflict_and_nothing_is_lost(db: Database) -> None:
    with db.session() as s:
        create_user(s, email="a@b.c", password="long enough", role="agent", agent_id="ag-1")
    with pytest.raises(ConflictError, match="already exists"), db.session() as s:
        create_user(s, email="A@B.C", password="other one!", role="admin")
    with pytest.raises(ConflictError, match="agent id ag-1"), db.session() as s:
        create_user(s, email="x@b.c", password="long enough", role="agent", agent_id="ag-1")
    with db.session() as s:
        assert authenticate(s, "a@b.c", "long enough").agent_id == "ag-1"


def test_tokens_resolve_expire_and_revoke(db: Database) -> None:
    with db.session() as s:
        user = create_user(s, email="a@b.c", password="long enough", role="admin")
        issued = issue_token(s, user, kind="api", minutes=5)
    with db.session() as s:
        found, tok = resolve_token(s, issued.secret, kind="api")
        assert found.email == "a@b.c" and tok.csrf == issued.csrf
        with pytest.raises(AuthError):
            resolve_token(s, issued.secret, kind="session")  # an API token is not a login cookie
        s.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    with db.session() as s, pytest.raises(AuthError, match="expired"):
        resolve_token(s, issued.secret, kind="api")
    with db.session() as s:
        user = authenticate(s, "a@b.c", "long enough")
        second = issue_token(s, user, kind="session", minutes=5)
    with db.session() as s:
        revoke_token(s, second.secret)
    with db.session() as s, pytest.raises(AuthError, match="unknown or revoked"):
        resolve_token(s, second.secret, kind="session")
