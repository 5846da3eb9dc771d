"""Errors of the store and its services; the web layer maps each class to one HTTP status."""

from __future__ import annotations

from warmline.engine.errors import WarmlineError


class StoreError(WarmlineError):
    """The database is unreachable, not migrated, or refused a write."""


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
    "StoreError",
]
