"""The errors of the training curriculum; each message says what to fix next."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from warmline.practice.errors import PracticeError


class CurriculumError(PracticeError, ValueError):
    """A module file is missing, unreadable or does not follow the module format.

    ``file`` is the file at fault, ``field`` the path of the field inside it
    (``exercises[2].key_facts``; empty for the file as a whole) and ``expected`` what that
    field should hold.
    """

    def __init__(self, file: str, field: str, expected: str, got: Any = ...) -> None:
        self.file = file
        self.field = field
        self.expected = expected
        found = "" if got is ... else f", got {_short(got)}"
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: expected {expected}{found}")


class UnknownModuleError(PracticeError, LookupError):
    """No module (or no lesson or exercise in it) has the requested id; ``known`` lists them."""

    def __init__(self, what: str, wanted: str, known: Iterable[str]) -> None:
        self.what = what
        self.wanted = wanted
        self.known = tuple(known)
        super().__init__(f"unknown {what} {wanted!r}; choose one of: {', '.join(self.known)}")


class AnswerError(PracticeError, ValueError):
    """An answer cannot be graded as given (empty, or not in the form the exercise asks for)."""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class AssignmentError(PracticeError, ValueError):
    """An assignment or attempt record is malformed (the message names the field)."""


__all__ = ["AnswerError", "AssignmentError", "CurriculumError", "UnknownModuleError"]
