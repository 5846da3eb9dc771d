"""Batch glue: reader records in, one output record per input record out, errors kept in place.

This is what ``warmline analyze`` runs, kept free of click and of any output formatting so the
web and distributed layers can reuse it. Records are consumed lazily and results yielded one
at a time, so memory stays constant however long the input is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from warmline.engine.errors import WarmlineError
from warmline.engine.model import Conversation
from warmline.engine.pipeline import Analyzer
from warmline.engine.results import ConversationAnalysis
from warmline.engine.serialize import analysis_to_dict
from warmline.formats.records import InputError


@dataclass(frozen=True, slots=True)
class Outcome:
    """One output record, with the analysis behind it or the error that took its place."""

    record: dict[str, Any]
    analysis: ConversationAnalysis | None = None
    error: InputError | None = None

    @property
    def failed(self) -> bool:
        """True when this input record could not be analysed."""
        return self.error is not None


def error_record(error: InputError, *, position: int) -> dict[str, Any]:
    """Return the output line for a bad record: its id (or line number) and what was wrong."""
    ident: str | int = error.id or (error.line if error.line is not None else position)
    return {"id": ident, "error": {"line": error.line, "message": error.message}}


def analyze_records(
    records: Iterable[Conversation | InputError],
    analyzer: Analyzer,
    *,
    explain: bool = False,
    strict: bool = False,
    source: str = "<input>",
) -> Iterator[Outcome]:
    """Analyse reader *records* in order, yielding one :class:`Outcome` per record.

    An :class:`InputError` from the reader, or a :class:`WarmlineError` raised while analysing
    one conversation, becomes an error outcome in that record's place and the run goes on;
    with ``strict`` the stream ends right after the first error outcome.
    """
    for position, item in enumerate(records, start=1):
        outcome = _analyze_one(item, analyzer, explain=explain, source=source, position=position)
        yield outcome
        if strict and outcome.failed:
            return


def _analyze_one(
    item: Conversation | InputError,
    analyzer: Analyzer,
    *,
    explain: bool,
    source: str,
    position: int,
) -> Outcome:
    if isinstance(item, InputError):
        return Outcome(error_record(item, position=position), error=item)
    try:
        analysis = analyzer.analyze(item)
    except WarmlineError as exc:
        error = InputError(None, item.id, f"conversation {item.id!r}: {exc}", source)
        return Outcome(error_record(error, position=position), error=error)
    except Exception as exc:  # noqa: BLE001 - the per-item boundary: one bug must not end a run
        message = (
            f"conversation {item.id!r}: internal error {type(exc).__name__}: {exc}; "
            "please report it with this conversation"
        )
        error = InputError(None, item.id, message, source)
        return Outcome(error_record(error, position=position), error=error)
    return Outcome(analysis_to_dict(analysis, explain=explain), analysis=analysis)


__all__ = ["Outcome", "analyze_records", "error_record"]
