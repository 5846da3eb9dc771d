"""Run a plan of partitions on an engine (in process, or on Dask), skipping finished ones.

:func:`run_partition` is the whole of one unit of work (read, analyse, write, mark done); the
local engine calls it in a loop and the Dask engine on its workers, so both write the same
files. :func:`analyze_partitions` yields one :class:`PartitionResult` per partition as each
finishes, prints nothing, and leaves progress display to the caller.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warmline.batch import analyze_records
from warmline.engine.pipeline import Analyzer
from warmline.scale.inputs import read_partition
from warmline.scale.plan import Partition
from warmline.scale.rows import conversation_row, turn_rows
from warmline.scale.sink import (
    OUTPUT_FORMATS,
    completed,
    remove_partial,
    write_marker,
    write_table,
)

#: Where a plan runs: ``local`` in this process, ``dask`` on a Dask cluster.
ENGINES = ("local", "dask")


@dataclass(frozen=True, slots=True)
class PartitionResult:
    """What one partition held; ``skipped`` when an earlier run had already written it."""

    partition: Partition
    conversations: int
    turns: int
    errors: int
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs besides the analyzer, small enough to send with each task."""

    output: str
    output_format: str = "parquet"
    roles: Mapping[str, str] | None = None


def run_partition(partition: Partition, analyzer: Analyzer, job: Job) -> PartitionResult:
    """Read, analyse and write one partition, then mark it done; bad records become error rows."""
    conversations: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    errors = 0
    records = read_partition(partition, roles=job.roles)
    for outcome in analyze_records(records, analyzer, source=partition.path):
        conversations.append(conversation_row(outcome, source=partition.path))
        if outcome.analysis is not None:
            turns += turn_rows(outcome.analysis)
        else:
            errors += 1
    output = Path(job.output)
    write_table(output, "turns", partition, turns, job.output_format)
    write_table(output, "conversations", partition, conversations, job.output_format)
    counts = {"conversations": len(conversations), "turns": len(turns), "errors": errors}
    write_marker(output, partition, job.output_format, counts)
    return PartitionResult(partition, len(conversations), len(turns), errors)


def analyze_partitions(
    plan: Sequence[Partition],
    analyzer: Analyzer,
    job: Job,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
) -> Iterator[PartitionResult]:
    """Run every partition of *plan* not already marked done in ``job.output``.

    Finished partitions are yielded first (``skipped=True``), then the others as they
    complete — in plan order locally, in completion order on Dask.
    Raises :class:`~warmline.scale.sink.ResumeMismatchError` when the output folder holds
    another run, and ValueError for an unknown engine or output format.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if job.output_format not in OUTPUT_FORMATS:
        raise ValueError(f"unknown output format {job.output_format!r}")
    done = completed(Path(job.output), plan, job.output_format)
    for number, marker in sorted(done.items()):
        conversations, turns, errors = (
            int(marker.get(k, 0)) for k in ("conversations", "turns", "errors")
        )
        yield PartitionResult(plan[number], conversations, turns, errors, skipped=True)
    todo = [p for p in plan if p.number not in done]
    if not todo:
        return
    remove_partial(Path(job.output))
    if engine == "local":
        for partition in todo:
            yield run_partition(partition, analyzer, job)
        return
    # Imported here so that the local engine, and the engine package, never need Dask.
    from warmline.scale.dask_engine import open_client, run_on_dask

    with open_client(scheduler=scheduler, workers=workers) as client:
        yield from run_on_dask(client, todo, analyzer, job)
