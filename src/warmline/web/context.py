"""What every request handler shares: settings, database, analyzer, redactor, import runner."""

from __future__ import annotations

from dataclasses import dataclass, field

from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.import_pool import ImportPool
from warmline.store.jobs import ImportRunner
from warmline.web.throttle import LoginThrottle, SlidingWindow, survey_window


@dataclass(frozen=True, slots=True)
class AppContext:
    """Built once by :func:`warmline.web.app.create_app` and kept on ``app.state.ctx``."""

    settings: Settings
    db: Database
    analyzer: Analyzer
    redactor: Redactor
    runner: ImportRunner
    secret: str
    #: Worker processes that run imports (None: import in this process).
    pool: ImportPool | None = None
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    survey_throttle: SlidingWindow = field(default_factory=survey_window)

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.settings.max_upload_mb * 1024 * 1024
