"""The errors of the training curriculum; each message says what to fix next."""

from __future__ import annotations

from collections.abc import Iterable

from warmline.practice.errors import FileFormatError, PracticeError


class CurriculumError(FileFormatError):
    """A module file is missing, unreadable or does not follow the module format
    (``field`` is a path such as ``exercises[2].key_facts``)."""


class UnknownModuleError(PracticeError, LookupError):
    """No module (or no lesson or exercise in it) has the requested id; ``known`` lists them."""

    def __init__(self, what: str, wanted: str, known: Iterable[str]) -> None:
        self.what = what
        self.wanted = wanted
        self.known = tuple(known)
        super().__init__(f"unknown {what} {wanted!r}; choose one of: {', '.join(self.known)}")


class AnswerError(PracticeError, ValueError):
    """An answer cannot be graded as given (empty, or not in the form the exercise asks for)."""


class AssignmentError(PracticeError, ValueError):
    """An assignment or attempt record is malformed (the message names the field)."""


__all__ = ["AnswerError", "AssignmentError", "CurriculumError", "UnknownModuleError"]
