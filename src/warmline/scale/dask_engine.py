"""The Dask engine: partitions run as tasks on a cluster, the Analyzer sent once per worker.

The Analyzer is scattered with ``broadcast=True``: each worker holds one deserialised copy in
memory and every task on that worker reuses it, so patterns and data files are loaded once per
worker rather than once per task. Workers read the inputs and write the outputs themselves, so
those paths must be visible to every worker (a shared filesystem; see docs/scale.md).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dask.distributed import Client, LocalCluster, as_completed

from warmline.engine.pipeline import Analyzer
from warmline.scale.plan import Partition
from warmline.scale.run import Job, PartitionResult, run_partition


@contextmanager
def open_client(*, scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """Connect to *scheduler*, or start a local cluster of *workers* one-thread processes.

    Without *workers* the local cluster has one worker per CPU.
    """
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_on_dask(
    client: Any, partitions: Sequence[Partition], analyzer: Analyzer, job: Job
) -> Iterator[PartitionResult]:
    """Submit one task per partition; yield each result as its task completes."""
    shared = client.scatter(analyzer, broadcast=True, hash=False)
    futures = [
        client.submit(run_partition, partition, shared, job, pure=False, retries=1)
        for partition in partitions
    ]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.cancel(futures)
