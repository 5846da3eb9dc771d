"""The app's retention schedule: with ``WARMLINE_RETENTION_DAYS`` set, purge at start and daily.

Runs in one daemon thread per app; each run is an ordinary audited purge by the actor
``retention schedule``. A failed run (database briefly unreachable) is logged and retried at
the next interval; it never stops the app.
"""

from __future__ import annotations

import logging
import threading

from warmline.engine.errors import WarmlineError
from warmline.store.db import Database
from warmline.store.retention import Deletion, purge_older_than

__all__ = ["ACTOR", "RetentionSchedule"]

#: The actor every scheduled purge is recorded under.
ACTOR = "retention schedule"
_log = logging.getLogger(__name__)


class RetentionSchedule:
    """Purges conversations older than *days* now and then every *interval_s* seconds."""

    def __init__(self, db: Database, key: str, *, days: int, interval_s: float = 24 * 3600) -> None:
        self.db = db
        self.key = key
        self.days = days
        self.interval_s = interval_s
        self.runs: list[Deletion] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="warmline-retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self) -> Deletion:
        with self.db.session() as session:
            done = purge_older_than(session, self.key, days=self.days, actor=ACTOR)
        self.runs.append(done)
        if done.conversations:
            _log.info("retention: deleted %d conversations older than %d days", done.conversations, self.days)
        return done

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except (WarmlineError, OSError, RuntimeError) as exc:
                _log.warning("retention purge failed, will retry: %s", exc)
            except Exception as exc:  # a database error must not kill the schedule silently
                _log.warning("retention purge failed, will retry: %s", type(exc).__name__)
            self._stop.wait(self.interval_s)
