"""The exception hierarchy of Warmline; every message says what was wrong and what to do next."""

from __future__ import annotations


class WarmlineError(Exception):
    """Base class of every error Warmline raises on purpose."""


class InvalidConversationError(WarmlineError, ValueError):
    """A conversation does not follow the interchange format.

    ``where`` names the field or line at fault (``turns[2].speaker``, ``line 14``) so the
    message can point at it.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(WarmlineError, ValueError):
    """A configuration or data file of the engine is missing or malformed."""


class RegistryError(WarmlineError, LookupError):
    """A detector name is unknown, registered twice, or its requirements cannot be met."""
