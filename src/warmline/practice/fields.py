"""Typed reading of a parsed data file (scenarios, curriculum modules): every failure names
the file and the field path, and says what was expected."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from warmline.practice.errors import FileFormatError


@dataclass(frozen=True, slots=True)
class Fields:
    """Checks the fields of one file; *error* is the :class:`FileFormatError` kind it raises."""

    file: str
    error: type[FileFormatError]

    def fail(self, field: str, expected: str, got: Any = ...) -> NoReturn:
        raise self.error(self.file, field, expected, got)

    def mapping(
        self, value: Any, field: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            self.fail(field or "the file", "a mapping of fields", value)
        required, allowed = tuple(required), {*required, *optional}
        for key in value:
            if key not in allowed:
                self.fail(join(field, str(key)), f"one of the fields {', '.join(sorted(allowed))}")
        for key in required:
            if key not in value:
                self.fail(join(field, key), "this field to be present")
        return value

    def text(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(field, "a non-empty string", value)
        return value.strip()

    def texts(self, value: Any, field: str, *, least: int = 1) -> tuple[str, ...]:
        if not isinstance(value, list) or len(value) < least:
            self.fail(field, f"a list of at least {least} non-empty string(s)", value)
        return tuple(self.text(v, f"{field}[{i}]") for i, v in enumerate(value))

    def integer(self, value: Any, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(field, f"a whole number from {low} to {high}", value)
        return value


def join(field: str, key: str) -> str:
    """The path of *key* inside *field* (``persona`` + ``name`` → ``persona.name``)."""
    return f"{field}.{key}" if field else key


__all__ = ["Fields", "join"]
