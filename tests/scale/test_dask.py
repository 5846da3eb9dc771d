"""The Dask engine on a real two-worker local cluster: same rows as local, one Analyzer per worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dask.distributed import Client, LocalCluster

from tests.scale.conftest import demo_lines, read_rows
from warmline.cli import main
from warmline.engine.pipeline import Analyzer
from warmline.scale import Job, plan_partitions, run_partition
from warmline.scale.dask_engine import run_on_dask

#: How many times an Analyzer was unpickled in this process (read on each worker).
LOADS = 0


class CountingAnalyzer(Analyzer):
    """An Analyzer that counts its unpicklings, to see how often a worker loads one."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        global LOADS
        LOADS += 1
        self.__dict__.update(state)


def loads() -> int:
    return LOADS


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def test_the_dask_engine_writes_the_rows_of_the_local_engine(
    client: Client, inputs: Path, tmp_path: Path, analyzer: Analyzer
) -> None:
    plan = plan_partitions([str(inputs)], partition_size=2)
    assert len(plan) == 5
    local, distributed = tmp_path / "local", tmp_path / "dask"
    for partition in plan:
        run_partition(partition, analyzer, Job(str(local)))
    results = list(run_on_dask(client, plan, CountingAnalyzer(), Job(str(distributed))))
    assert sorted(r.partition.number for r in results) == [0, 1, 2, 3, 4]
    assert sum(r.errors for r in results) == 2
    for table in ("turns", "conversations"):
        assert read_rows(distributed, table) == read_rows(local, table)
    # Sent once: every worker unpickled the Analyzer exactly once for five tasks.
    per_worker = client.run(loads)
    assert sorted(per_worker.values()) == [1, 1]


def test_the_cli_runs_on_a_scheduler_address(client: Client, inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    address = client.scheduler.address
    args = ["analyze", str(inputs), "-o", str(out), "--scheduler", address]
    done = CliRunner().invoke(main, [*args, "--partition-size", "2"])
    assert done.exit_code == 1, done.output  # the two broken records
    ids = [c["conversation_id"] for c in read_rows(out, "conversations")]
    assert len(ids) == len(set(ids)) == len(demo_lines()) + 2
    assert len(list((out / "_progress").glob("part-*.json"))) == 5
