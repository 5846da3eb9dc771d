"""The errors the role-play simulator raises; each message says what to fix next."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from warmline.engine.errors import WarmlineError


class PracticeError(WarmlineError):
    """Base class of the errors of :mod:`warmline.practice`."""


class FileFormatError(PracticeError, ValueError):
    """A data file is missing, unreadable or does not follow its format.

    ``file`` is the file at fault, ``field`` the path of the field inside it
    (``persona.name``, ``lines.angry[2]``; empty for the file as a whole) and ``expected``
    what that field should hold.
    """

    def __init__(self, file: str, field: str, expected: str, got: Any = ...) -> None:
        self.file = file
        self.field = field
        self.expected = expected
        found = "" if got is ... else f", got {_short(got)}"
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: expected {expected}{found}")


class ScenarioError(FileFormatError):
    """A scenario file is missing, unreadable or does not follow the scenario format."""


class UnknownScenarioError(PracticeError, LookupError):
    """No shipped scenario has the requested id; ``known`` lists the ids there are."""

    def __init__(self, scenario_id: str, known: Iterable[str]) -> None:
        self.scenario_id = scenario_id
        self.known = tuple(known)
        super().__init__(
            f"unknown scenario {scenario_id!r}; choose one of: {', '.join(self.known)}"
            " (or give the path of a scenario .yaml file)"
        )


class SessionOverError(PracticeError, RuntimeError):
    """A reply was sent to a session that has already ended; start a new Session."""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = [
    "FileFormatError",
    "PracticeError",
    "ScenarioError",
    "SessionOverError",
    "UnknownScenarioError",
]
