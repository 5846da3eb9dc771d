"""Partitioned batch scoring: many input files in, Parquet or JSON Lines tables out, resumable.

``warmline analyze INPUT... -o DIR/`` runs here. Inputs (files, folders, glob patterns of JSON
Lines, Parquet, CSV or transcripts) are cut into partitions (:mod:`~warmline.scale.plan`), each
partition is analysed and written atomically with a progress marker (:mod:`~warmline.scale.run`,
:mod:`~warmline.scale.sink`), in this process or on a Dask cluster
(:mod:`~warmline.scale.dask_engine`, the optional ``warmline[dask]`` extra, imported only when
that engine is chosen). A rerun skips the partitions already marked done.
"""

from __future__ import annotations

from warmline.scale.plan import (
    BATCH_FORMATS,
    DEFAULT_PARTITION_SIZE,
    Partition,
    find_inputs,
    plan_partitions,
)
from warmline.scale.rows import CONVERSATION_COLUMNS, TURN_COLUMNS
from warmline.scale.run import ENGINES, Job, PartitionResult, analyze_partitions, run_partition
from warmline.scale.sink import OUTPUT_FORMATS, ResumeMismatchError

__all__ = [
    "BATCH_FORMATS",
    "CONVERSATION_COLUMNS",
    "DEFAULT_PARTITION_SIZE",
    "ENGINES",
    "OUTPUT_FORMATS",
    "TURN_COLUMNS",
    "Job",
    "Partition",
    "PartitionResult",
    "ResumeMismatchError",
    "analyze_partitions",
    "find_inputs",
    "plan_partitions",
    "run_partition",
]
