"""A tally of the generated inputs each property tried, printed at the end of the run."""

from __future__ import annotations

from collections import Counter

TRIED: Counter[str] = Counter()


def counted(name: str, n: int = 1) -> None:
    """Count *n* generated inputs tried under *name*."""
    TRIED[name] += n


__all__ = ["TRIED", "counted"]
