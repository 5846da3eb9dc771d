"""The Dask engine: partitions run as tasks on a cluster, the Analyzer sent once per worker.

The Analyzer travels inside a worker plugin: the scheduler hands the plugin to each worker once
(and to workers that join later), the worker keeps that one deserialised copy, and every task
on it reuses it, so patterns and data files are loaded once per worker rather than once per
task. (A scattered future could be copied again between workers when a task is placed before
the broadcast settles; a plugin cannot.) Workers read the inputs and write the outputs themselves, so
those paths must be visible to every worker (a shared filesystem; see docs/scale.md).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dask.distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker

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
    plugin = AnalyzerPlugin(analyzer)
    client.register_plugin(plugin)
    futures = [
        client.submit(_run_with_worker_analyzer, partition, plugin.name, job, pure=False, retries=1)
        for partition in partitions
    ]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.cancel(futures)
        client.unregister_worker_plugin(plugin.name)


class AnalyzerPlugin(WorkerPlugin):
    """Carries one Analyzer to each worker; tasks find it by the plugin's unique name."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.name = f"warmline-analyzer-{uuid.uuid4().hex}"


def _run_with_worker_analyzer(partition: Partition, plugin_name: str, job: Job) -> PartitionResult:
    plugin = get_worker().plugins[plugin_name]
    assert isinstance(plugin, AnalyzerPlugin)
    return run_partition(partition, plugin.analyzer, job)
