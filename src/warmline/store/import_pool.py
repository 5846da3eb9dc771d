"""Imports run whole in worker processes, so that the web app's draft checks never queue behind them.

An import redacts, analyses and stores every conversation it is given: pure Python work that
holds the interpreter lock (the analysis, and SQLAlchemy building rows and labels). In the web
app's own process that made each draft check wait its turn behind the import. Moving only the
analysis out still left the writes: profiled under two importers, half the time the app's
interpreter lock was held went to storing rows, and draft checks' p99 went from 28 to 73 ms.

An :class:`ImportPool` runs :func:`~warmline.store.conversations.store_conversations` in worker
processes of its own, each with its own connections to the app's database, in one transaction
per call; the app's process only validates the records and waits. A worker exits within half
a second of the death of the process that started it (a server killed with ``kill -9``), so
nothing goes on writing behind a dead server; the transaction it had in flight commits whole
or rolls back, as any transaction does.

Workers are started lazily (the first import pays a few seconds to load the engine) with the
``spawn`` method, since forking a process that runs threads is unsafe. Each builds the default
:class:`~warmline.engine.pipeline.Analyzer` once and scores with the active rubric.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from typing import TYPE_CHECKING

from warmline.engine.model import Conversation as EngineConversation
from warmline.store.conversations import ImportOptions, ImportResult

if TYPE_CHECKING:
    from warmline.engine.pipeline import Analyzer
    from warmline.store.db import Database

__all__ = ["ImportPool"]


class ImportPool:
    """Store conversations in the database at *database_url* from *workers* processes."""

    def __init__(self, database_url: str, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, got {workers}")
        self.database_url = database_url
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def store(
        self,
        conversations: Sequence[EngineConversation],
        options: ImportOptions,
        *,
        job_id: int | None = None,
    ) -> ImportResult:
        """Redact, analyse and upsert *conversations* in one transaction of a worker's.

        With *job_id* the background job's progress is counted in the same transaction. A
        database error arrives as the :class:`~warmline.store.errors.StoreError` that
        in-process storing would raise; nothing of the call is then stored.
        """
        if not conversations:
            return ImportResult()
        future = self._ensure().submit(
            _store, self.database_url, list(conversations), options, job_id
        )
        result: ImportResult = future.result()
        return result

    def shutdown(self) -> None:
        """Stop the workers (an import in flight finishes first)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    def _ensure(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_watch_parent,
                    initargs=(os.getpid(),),
                )
            return self._executor


# ------------------------------------------------------------------ in the worker process


def _watch_parent(parent: int) -> None:
    """Run at idle CPU priority, and exit soon after the process that started this worker is
    gone (killed, crashed).

    Without the watch a worker would go on with imports its dead server had queued; a thread
    checks twice a second, and ``os._exit`` drops any open transaction, which the database
    then rolls back. Idle priority: the app's draft checks get the CPU first, and an import
    runs on what they leave (the kernel still gives it a core that nothing else wants).
    """
    if hasattr(os, "SCHED_IDLE"):  # Linux
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    else:  # macOS and other Unixes: the lowest ordinary priority
        os.nice(19)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="warmline-parent-watch", daemon=True).start()


def _store(
    database_url: str,
    conversations: list[EngineConversation],
    options: ImportOptions,
    job_id: int | None,
) -> ImportResult:
    from sqlalchemy.exc import DBAPIError

    from warmline.store.conversations import store_conversations
    from warmline.store.errors import database_error
    from warmline.store.jobs import count_progress

    try:
        with _database(database_url).session() as session:
            result = store_conversations(
                session, conversations, analyzer=_analyzer(), options=options
            )
            if job_id is not None:
                count_progress(session, job_id, result)
    except DBAPIError as exc:
        # SQLAlchemy's errors do not survive pickling; say it as the app's own error would.
        raise database_error(exc) from None
    return result


@cache
def _analyzer() -> Analyzer:
    """The worker's engine, built on its first import."""
    from warmline.engine.pipeline import Analyzer

    return Analyzer()


@cache
def _database(url: str) -> Database:
    """The worker's connections to the app's database, opened on its first import."""
    from warmline.store.db import Database

    return Database(url)
