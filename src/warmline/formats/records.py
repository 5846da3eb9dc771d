"""What the readers yield (a Conversation or an InputError) and the errors they raise.

A reader never raises for one bad record: it yields an :class:`InputError` in that record's
place and goes on, so one broken line never stops a run of a million. It raises only when
the whole source is unusable (:class:`UnsupportedFormatError`) or a role mapping is wrong
(:class:`RoleMappingError`).
"""

from __future__ import annotations

from dataclasses import dataclass

from warmline.engine.errors import WarmlineError
from warmline.engine.model import Conversation


@dataclass(frozen=True, slots=True)
class InputError:
    """One record of the input that could not be read, in the place that record had.

    ``line`` is the 1-based line where the bad record starts (or the offending line of a
    one-conversation file), None when the source is not line-based. ``id`` is the
    conversation id when it could be recovered. ``message`` says what was wrong and where
    inside the record; ``source`` is the file name or ``<stdin>``.
    """

    line: int | None
    id: str | None
    message: str
    source: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


#: One item of a reader's output, in input order.
Record = Conversation | InputError


class UnsupportedFormatError(WarmlineError, ValueError):
    """The whole source cannot be read: it is missing, or its format is unknown."""


class RoleMappingError(WarmlineError, ValueError):
    """A speaker-name → role mapping entry is malformed or names an unknown role."""
