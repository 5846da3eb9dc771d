"""Reading form and query fields the same way on every page."""

from __future__ import annotations

from datetime import date

from warmline.store.errors import InvalidInputError


def optional_day(name: str, value: str | None) -> date | None:
    """A ``YYYY-MM-DD`` field, or None when it is empty; anything else is a clear 422."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError(
            f"{name}: {value!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-02"
        ) from None


def required_day(name: str, value: str | None, missing: str) -> date:
    """A ``YYYY-MM-DD`` field that must be filled in; *missing* says what to pick."""
    day = optional_day(name, value)
    if day is None:
        raise InvalidInputError(f"{name}: {missing}")
    return day
