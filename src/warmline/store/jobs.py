"""Background imports: a file is validated whole, then analysed and stored in chunks with progress."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from warmline.engine.errors import WarmlineError
from warmline.engine.pipeline import Analyzer
from warmline.formats import read_conversations
from warmline.store.conversations import (
    MAX_REPORTED_ERRORS,
    ImportOptions,
    ImportResult,
    store_conversations,
    validate_records,
)
from warmline.store.db import Database
from warmline.store.errors import NotFoundError, database_error
from warmline.store.tables import ImportJob, User, utcnow

if TYPE_CHECKING:
    from warmline.store.import_pool import ImportPool

log = logging.getLogger(__name__)
CHUNK = 25


class ImportRunner:
    """Runs imports one at a time on a worker thread; each job's row records its progress."""

    def __init__(self, db: Database, analyzer: Analyzer, pool: ImportPool | None = None) -> None:
        self.db = db
        self.analyzer = analyzer
        self.import_pool = pool
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warmline-import")
        #: Jobs a previous process left queued or running, now marked failed (see below).
        self.interrupted = mark_interrupted(db)

    def submit(self, user: User, path: Path, *, fmt: str | None, options: ImportOptions) -> int:
        """Queue the import of *path*; returns the job id to poll."""
        with self.db.session() as session:
            job = ImportJob(user_id=user.id, filename=options.source or path.name)
            session.add(job)
            session.flush()
            job_id = job.id
        self._pool.submit(self._run, job_id, path, fmt, options)
        return job_id

    def _run(self, job_id: int, path: Path, fmt: str | None, options: ImportOptions) -> None:
        try:
            self._import(job_id, path, fmt, options)
        except (WarmlineError, OSError) as exc:
            self._finish(job_id, "failed", str(exc))
        except DBAPIError as exc:  # a full disk, a read-only database: the chunk rolled back
            self._finish(job_id, "failed", str(database_error(exc)))
        except Exception as exc:  # the outermost boundary of a worker thread
            log.exception("import job %s crashed", job_id)
            self._finish(job_id, "failed", f"internal error: {exc}")
        finally:
            discard_upload(path)

    def _import(self, job_id: int, path: Path, fmt: str | None, options: ImportOptions) -> None:
        self._update(job_id, status="running", message="reading the file")
        good, bad = validate_records(read_conversations(path, format=fmt))
        if bad:
            errors = {"items": [e.to_dict() for e in bad[:MAX_REPORTED_ERRORS]], "count": len(bad)}
            self._update(job_id, total=len(good) + len(bad), failed=len(bad), errors=errors)
            first = bad[0]
            where = f"line {first.line}" if first.line is not None else f"record {first.position}"
            raise _Refused(
                f"{len(bad)} of {len(good) + len(bad)} records could not be read, so nothing was "
                f"imported; first: {where}: {first.message}"
            )
        if not good:
            raise _Refused("the file holds no conversations")
        self._update(job_id, total=len(good), message="analysing")
        result = ImportResult()
        for begin in range(0, len(good), CHUNK):
            chunk = good[begin : begin + CHUNK]
            if self.import_pool is not None:
                result.add(self.import_pool.store(chunk, options, job_id=job_id))
                continue
            with self.db.session() as session:
                part = store_conversations(session, chunk, analyzer=self.analyzer, options=options)
                count_progress(session, job_id, part)
            result.add(part)
        self._finish(
            job_id,
            "done",
            f"{result.created} new, {result.updated} updated, {result.redactions} PII redactions",
        )

    def _update(self, job_id: int, **values: object) -> None:
        with self.db.session() as session:
            job = session.get(ImportJob, job_id)
            assert job is not None
            for key, value in values.items():
                setattr(job, key, value)

    def _finish(self, job_id: int, status: str, message: str) -> None:
        try:
            self._update(job_id, status=status, message=message, finished_at=utcnow())
        except DBAPIError as exc:  # refused even this: the next start marks the job failed
            # Not log.exception: the driver's message carries the statement's values (PII).
            log.error("import job %s could not record its end: %s", job_id, database_error(exc))

    def wait(self, timeout: float | None = None) -> None:
        """Block until every queued job has finished (for the CLI and tests)."""
        marker: Future[None] = self._pool.submit(lambda: None)
        marker.result(timeout=timeout)

    def shutdown(self) -> None:
        """Stop accepting jobs and let the running one finish."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def count_progress(session: Session, job_id: int, part: ImportResult) -> None:
    """Add a stored chunk to its job's progress, in the transaction that stored it."""
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFoundError(f"import job {job_id} does not exist")
    job.done += len(part.ids)
    job.created += part.created
    job.updated += part.updated


class _Refused(WarmlineError):
    """An import the worker gave up on; its message goes to the job row."""


def discard_upload(path: Path) -> None:
    """Delete an uploaded file and the folder of its own it was saved in."""
    path.unlink(missing_ok=True)
    with suppress(OSError):  # not empty, or already gone: leave it
        path.parent.rmdir()


def mark_interrupted(db: Database) -> int:
    """Mark jobs left queued or running by a stopped process as failed; returns how many.

    A job runs on a thread of the process that accepted it, so when a new runner starts, an
    unfinished job has lost its worker (the server was killed or crashed). Its chunks of
    conversations that were committed stay, each with its analysis and labels; uploading the
    file again finishes the import, because re-importing updates by id.
    """
    with db.session() as session:
        jobs = session.scalars(select(ImportJob).where(ImportJob.status.in_(("queued", "running"))))
        count = 0
        for job in jobs:
            job.status, job.finished_at, count = "failed", utcnow(), count + 1
            stored = f"after storing {job.done} of {job.total}" if job.total else "before storing"
            job.message = (
                f"interrupted: the server stopped {stored} conversations; upload the file "
                f"again to finish (conversations already stored are updated, not duplicated)"
            )
        return count


def get_job(db: Database, user: User, job_id: int) -> ImportJob:
    """A job row, if *user* started it (admins see all)."""
    with db.session() as session:
        job = session.get(ImportJob, job_id)
        if job is None or (user.role != "admin" and job.user_id != user.id):
            raise NotFoundError(f"no import job {job_id}")
        return job


__all__ = ["CHUNK", "ImportRunner", "get_job", "mark_interrupted"]
