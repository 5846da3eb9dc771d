"""Turns per second of the MiniLM peer on one core (run.py starts this in a subprocess).

run.py runs it under `taskset -c 0` with OMP/OPENBLAS/MKL thread counts set to 1 in the
environment; the same variables are forced here too, before numpy is imported, so the BLAS
library starts with one thread whatever the caller did.

Untimed: loading the weights and fitting the peer's emotion and behaviour heads (on the
cs_cases training files given). Timed (wall clock): tokenizing and embedding every TWCS turn
(duplicates included, as `warmline analyze` analyses every turn), then the emotion head on
customer turns and the behaviour head on agent turns (with the previous customer turn's
embedding as context). Prints one JSON line.

Usage: python benchmarks/minilm_speed.py TWCS_JSONL TRAIN_JSONL... [--limit TURNS]
"""

from __future__ import annotations

import os

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from threadpoolctl import threadpool_info  # noqa: E402

from cs_peers import CsRows, read_rows  # noqa: E402
from minilm import MiniLM  # noqa: E402
from peers import Embedder, MultiLabelModel, minilm_peer  # noqa: E402
from warmline.engine.labels import ALL_BEHAVIOURS, EMOTIONS  # noqa: E402


def twcs_turns(path: Path, limit: int) -> list[tuple[str, str]]:
    """(speaker, text) of TWCS turns in file order, the first *limit* (0: all)."""
    turns = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            turns.extend((t["speaker"], t["text"]) for t in json.loads(line)["turns"])
    return turns[:limit] if limit else turns


def timed_run(
    model: MiniLM,
    emotion: MultiLabelModel,
    behaviour: MultiLabelModel,
    turns: list[tuple[str, str]],
) -> float:
    """Seconds to embed and label *turns*."""
    start = time.perf_counter()
    emb = model.encode([text for _, text in turns])
    empty = model.encode([""])[0]
    customers = [i for i, (speaker, _) in enumerate(turns) if speaker == "customer"]
    agents, contexts = [], []
    last: np.ndarray = empty
    for i, (speaker, _) in enumerate(turns):
        if speaker == "customer":
            last = emb[i]
        else:
            agents.append(i)
            contexts.append(last)
    emotion.proba_of_features(emb[customers])
    if agents:
        behaviour.proba_of_features(np.hstack([emb[agents], np.stack(contexts)]))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("twcs", type=Path)
    parser.add_argument("train", type=Path, nargs="+")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    model = MiniLM()
    peer = minilm_peer(Embedder(model.encode))
    train = CsRows()
    for path in args.train:
        train.extend(read_rows(path))
    emotion = MultiLabelModel(peer, EMOTIONS).fit(train.emotions, train.emotion_gold)
    behaviour = MultiLabelModel(peer, ALL_BEHAVIOURS).fit(train.turns, train.behaviour_gold)
    turns = twcs_turns(args.twcs, args.limit)
    seconds = timed_run(model, emotion, behaviour, turns)
    threads = sorted({int(p["num_threads"]) for p in threadpool_info()})
    print(
        json.dumps(
            {
                "turns": len(turns),
                "seconds": seconds,
                "turns_per_s": len(turns) / seconds,
                "blas_threads": threads,
                "cpus": sorted(os.sched_getaffinity(0)),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
