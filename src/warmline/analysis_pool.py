"""Analysing imports in worker processes, so that the web app's draft checks never queue behind them.

An import analyses every conversation it stores: pure Python work that holds the interpreter
lock. In the web app's own process that made each draft check wait its turn behind the import
(p99 66 ms on SQLite, 166 ms on PostgreSQL with two importers, against 26 / 49 ms without). An
:class:`AnalysisPool` runs that work in worker processes of its own instead; the database
writes stay in the app, in the request's or job's transaction.

Workers are started lazily (the first import pays a few seconds to load the engine) with the
``spawn`` method, since forking a process that runs threads is unsafe. Each builds the default
:class:`~warmline.engine.pipeline.Analyzer` once and one scorer per rubric it is asked for.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["AnalysisPool"]


class AnalysisPool:
    """Analyse interchange-format records in *workers* processes (started on first use)."""

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, got {workers}")
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def analyze(
        self, records: Sequence[Mapping[str, Any]], weights: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The ``analysis_to_dict(..., explain=True)`` of each record, scored with *weights*
        (the rubric; None: the shipped one), in order."""
        if not records:
            return []
        executor = self._ensure()
        size = max(1, -(-len(records) // self.workers))
        parts = [[dict(r) for r in records[i : i + size]] for i in range(0, len(records), size)]
        # Key order is kept: the scorer spends its caps in the order the weights list labels.
        key = json.dumps(weights) if weights is not None else None
        futures = [executor.submit(_analyze, part, key) for part in parts]
        return [analysis for future in futures for analysis in future.result()]

    def shutdown(self) -> None:
        """Stop the workers (an import in flight finishes first)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    def _ensure(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
            return self._executor


# ------------------------------------------------------------------ in the worker process

_ANALYZERS: dict[str | None, Any] = {}


def _analyze(records: list[dict[str, Any]], weights_key: str | None) -> list[dict[str, Any]]:
    from warmline.engine.model import conversation_from_dict
    from warmline.engine.serialize import analysis_to_dict

    analyzer = _analyzer(weights_key)
    return [
        analysis_to_dict(analyzer.analyze(conversation_from_dict(r)), explain=True) for r in records
    ]


def _analyzer(weights_key: str | None) -> Any:
    found = _ANALYZERS.get(weights_key)
    if found is None:
        import copy

        from warmline.engine.pipeline import Analyzer
        from warmline.engine.scoring import Scorer

        base = _ANALYZERS.get(None)
        if base is None:
            base = _ANALYZERS[None] = Analyzer()
        found = base
        if weights_key is not None:
            found = copy.copy(base)
            found.scorer = Scorer(json.loads(weights_key))
        _ANALYZERS[weights_key] = found
    return found
