"""Turns per second of the Dask engine with 1 and 2 local workers on TWCS, and the scaling efficiency.

Reads ../shared/data/twcs/conversations.jsonl (override the data folder with WARMLINE_DATA),
writes it REPEAT times into one JSONL file, cuts it into partitions and runs the whole batch
(read, analyse, write Parquet, mark done) on a local cluster of N one-thread worker processes.
Cluster start-up is timed apart from the run. Prints figures; asserts nothing about speed.

    python benchmarks/dask_scaling.py [--repeat 2] [--partition-size 200]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from warmline.engine.pipeline import Analyzer
from warmline.scale import Job, analyze_partitions, plan_partitions
from warmline.scale.dask_engine import open_client, run_on_dask

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("WARMLINE_DATA", HERE.parent.parent / "shared" / "data"))
TWCS = DATA / "twcs" / "conversations.jsonl"


def write_input(folder: Path, repeat: int) -> tuple[Path, int]:
    """TWCS *repeat* times over (ids made unique) as one JSONL file; return it and its turns."""
    rows = [json.loads(x) for x in TWCS.read_text("utf-8").splitlines() if x.strip()]
    path = folder / "twcs.jsonl"
    turns = 0
    with path.open("w", encoding="utf-8") as out:
        for r in range(repeat):
            for conv in rows:
                turns_of = [{"speaker": t["speaker"], "text": t["text"]} for t in conv["turns"]]
                out.write(json.dumps({"id": f"{conv['id']}-{r}", "turns": turns_of}) + "\n")
                turns += len(turns_of)
    return path, turns


def measure(source: Path, out: Path, workers: int, size: int) -> tuple[float, float]:
    """Return (start-up seconds, run seconds) of the whole batch on *workers* local workers."""
    plan = plan_partitions([str(source)], partition_size=size)
    analyzer = Analyzer()
    began = time.perf_counter()
    with open_client(workers=workers) as client:
        client.wait_for_workers(workers)
        started = time.perf_counter()
        results = list(run_on_dask(client, plan, analyzer, Job(str(out))))
        finished = time.perf_counter()
    assert len(results) == len(plan)
    return started - began, finished - started


def measure_local(source: Path, out: Path, size: int) -> float:
    """Seconds of the whole batch on the local engine (this process, no Dask) as a reference."""
    plan = plan_partitions([str(source)], partition_size=size)
    analyzer = Analyzer()
    started = time.perf_counter()
    results = list(analyze_partitions(plan, analyzer, Job(str(out))))
    assert len(results) == len(plan)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="copies of TWCS in the input")
    parser.add_argument("--partition-size", type=int, default=200, help="conversations each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source, turns = write_input(Path(tmp), args.repeat)
        convs = sum(1 for _ in source.open("rb"))
        print(
            f"== Dask engine on TWCS: {convs} conversations, {turns} turns, "
            f"{args.partition_size} conversations a partition, {os.cpu_count()} CPUs =="
        )
        local = turns / measure_local(source, Path(tmp) / "out-local", args.partition_size)
        print(f"local engine, no Dask: {local:8.0f} turns/s (reference)")
        speed: dict[int, float] = {}
        for workers in (1, 2):
            startup, seconds = measure(
                source, Path(tmp) / f"out-{workers}", workers, args.partition_size
            )
            speed[workers] = turns / seconds
            print(
                f"{workers} worker{'s' if workers > 1 else ' '}: {speed[workers]:8.0f} turns/s "
                f"({seconds:.1f} s; cluster start-up {startup:.1f} s, not counted)"
            )
        efficiency = speed[2] / (2 * speed[1])
        print(
            f"scaling efficiency (2 workers): {efficiency:.0%} "
            f"(speed-up {speed[2] / speed[1]:.2f}x of an ideal 2x)"
        )


if __name__ == "__main__":
    main()
