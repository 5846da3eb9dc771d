"""Errors of the store and its services; the web layer maps each class to one HTTP status."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from warmline.engine.errors import WarmlineError


class StoreError(WarmlineError):
    """The database is unreachable, not migrated, or refused a write."""


class StorageFullError(StoreError):
    """The database cannot grow: the disk (or its size limit) is full. Nothing was stored."""


class ReadOnlyDatabaseError(StoreError):
    """The database refuses writes: a read-only file, folder or server. Nothing was stored."""


def database_error(exc: DBAPIError) -> StoreError:
    """A driver error said in one line with what to do next; never the URL or the statement.

    SQLite says "database or disk is full" / "attempt to write a readonly database";
    PostgreSQL has SQLSTATE 53100 (disk full) and 25006 (read-only transaction).
    """
    orig = exc.orig
    said = (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]
    state = getattr(orig, "sqlstate", None) or ""
    lowered = said.lower()
    if state == "53100" or "is full" in lowered or "no space left" in lowered:
        return StorageFullError(
            f"the database is full ({said}): free disk space or raise the database's size "
            f"limit, then run it again; the interrupted write was rolled back"
        )
    if state == "25006" or "readonly" in lowered or "read-only" in lowered:
        return ReadOnlyDatabaseError(
            f"the database is read-only ({said}): make the database file and its folder "
            f"writable for this user, or use a writable database; nothing was written"
        )
    if "database is locked" in lowered or state == "55P03":
        return StoreError(
            f"the database is busy with another write ({said}): try again in a moment; a "
            f"`warmline import` holds SQLite's write lock until its file is stored"
        )
    if "disk i/o error" in lowered:
        return StoreError(
            f"the database could not write to the disk ({said}): check free space, quotas and "
            f"the disk itself, then run it again; the interrupted write was rolled back"
        )
    return StoreError(
        f"the database could not complete the request ({said}): check that it is running "
        f"and has space, then try again; the interrupted write was rolled back"
    )


class NotFoundError(WarmlineError, LookupError):
    """The thing asked for does not exist (or is outside what the caller may see)."""


class ForbiddenError(WarmlineError, PermissionError):
    """The caller is known but their role does not allow this."""


class AuthError(WarmlineError):
    """Wrong credentials, or a token that is unknown, expired or revoked."""


class InvalidInputError(WarmlineError, ValueError):
    """A request or file is malformed; the message says what and where."""


class ConflictError(WarmlineError):
    """The request clashes with what is stored (a user that already exists, say)."""


__all__ = [
    "AuthError",
    "ConflictError",
    "ForbiddenError",
    "InvalidInputError",
    "NotFoundError",
    "ReadOnlyDatabaseError",
    "StorageFullError",
    "StoreError",
    "database_error",
]
