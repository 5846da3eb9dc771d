"""`make bench`: print Warmline's accuracy and speed figures on the shared data.

Reads ../shared/data (beside the checkout; override with WARMLINE_DATA) and the project's own
held-out set in benchmarks/data. Prints a table and writes benchmarks/out/results.json.
Figures are printed, never asserted: the machine is noisy, so compare runs on one machine.

Usage: python benchmarks/run.py [--quick] [--only cs,goemotions,epitome,esconv,speed]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cs_cases import CsResult, evaluate  # noqa: E402
from public import epitome, esconv, goemotions  # noqa: E402
from warmline.engine.pipeline import Analyzer  # noqa: E402

DATA = Path(os.environ.get("WARMLINE_DATA", HERE.parent.parent / "shared" / "data"))
CS_SETS = (
    ("cs_cases dev (shared; the engine was developed on it)", DATA / "cs_cases" / "dev.jsonl"),
    (
        "holdout.jsonl (project-written; used as a second development set)",
        HERE / "data" / "holdout.jsonl",
    ),
    ("test.jsonl (project-written; untouched: nobody tunes on it)", HERE / "data" / "test.jsonl"),
)
TARGETS = {
    "pair_accuracy": 0.85,
    "behaviour_micro_f1": 0.60,
    "emotion_macro_f1": 0.55,
    "turns_per_s": 2000,
}
PUBLISHED = {
    "goemotions_28_bert": ("GoEmotions BERT-base, 28 labels (Demszky et al. 2020)", 0.46),
    "goemotions_ekman_bert": ("GoEmotions BERT-base, Ekman (Demszky et al. 2020)", 0.64),
    "epitome_er": ("EPITOME RoBERTa reruns, emotional reactions", "0.74-0.77"),
    "epitome_ip": ("EPITOME RoBERTa reruns, interpretations", "0.62-0.70"),
    "epitome_ex": ("EPITOME RoBERTa reruns, explorations", "0.64-0.72"),
    "esconv": ("ESConv utterance strategy, community RoBERTa", 0.50),
}


def cs_figures(res: CsResult) -> dict[str, float]:
    """The three cs_cases metrics of one file."""
    return {
        "pair_accuracy": res.pair_accuracy,
        "behaviour_micro_f1": res.behaviour_f1,
        "emotion_macro_f1": res.emotion_f1,
        "pairs": res.pairs,
        "agent_turns": len(res.behaviour_gold),
        "customer_messages": len(res.emotion_gold),
    }


def print_cs(name: str, res: CsResult) -> None:
    """Print one cs_cases-format result with its per-label tables."""
    fig = cs_figures(res)
    print(
        f"\n{name}: {fig['pairs']} pairs, {fig['agent_turns']} agent/bot turns, "
        f"{fig['customer_messages']} customer messages"
    )
    for key in ("pair_accuracy", "behaviour_micro_f1", "emotion_macro_f1"):
        mark = "ok " if fig[key] >= TARGETS[key] else "LOW"
        print(f"  {key:<22} {fig[key]:.3f}   target >= {TARGETS[key]:.2f}  {mark}")
    print(
        f"  pair ties (counted wrong): {res.pair_ties};  de-escalation agreement: "
        f"{res.deesc_correct}/{res.deesc_total}"
    )
    beh = res.behaviour_table()
    print("  behaviour F1: " + ", ".join(f"{k} {v:.2f}" for k, v in beh.items()))
    print("  emotion F1:   " + ", ".join(f"{k} {v:.2f}" for k, v in res.emotion_table().items()))


def engine_speed(analyzer: Analyzer, convs: list[dict[str, object]], rounds: int = 3) -> float:
    """In-process turns per CPU-second for Analyzer.analyze on *convs* (best of *rounds*)."""
    turns = sum(len(c["turns"]) for c in convs)  # type: ignore[arg-type]
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for conv in convs:
            analyzer.analyze(conv)
        best = min(best, time.process_time() - start)
    return turns / best


def cli_speed(convs: list[dict[str, object]], repeat: int) -> tuple[float, int]:
    """Wall-clock turns/s of `warmline analyze` on one core over *repeat* copies of *convs*.

    The better of two runs: start-up, reading, analysis and writing all included.
    """
    exe = shutil.which("warmline") or str(Path(sys.executable).parent / "warmline")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "twcs.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for r in range(repeat):
                for conv in convs:
                    fh.write(json.dumps({**conv, "id": f"{conv['id']}-{r}"}) + "\n")
        turns = repeat * sum(len(c["turns"]) for c in convs)  # type: ignore[arg-type]
        cmd = [exe, "analyze", str(src), "-o", str(Path(tmp) / "out.jsonl")]
        if shutil.which("taskset"):
            cmd = ["taskset", "-c", "0", *cmd]
        best = float("inf")
        for _ in range(2):  # the machine is noisy; the better of two runs is the steadier figure
            start = time.perf_counter()
            subprocess.run(cmd, check=False, stderr=subprocess.DEVNULL)
            best = min(best, time.perf_counter() - start)
        return turns / best, turns


def speed(results: dict[str, float], quick: bool) -> None:
    """Throughput on the TWCS sample: in-process and through the CLI on one core."""
    rows = [
        json.loads(x)
        for x in (DATA / "twcs" / "conversations.jsonl").read_text("utf-8").splitlines()
        if x
    ]
    convs = [
        {"id": c["id"], "turns": [{"speaker": t["speaker"], "text": t["text"]} for t in c["turns"]]}
        for c in rows
    ]
    analyzer = Analyzer()
    analyzer.analyze(convs[0])
    results["engine_turns_per_cpu_s"] = engine_speed(analyzer, convs)
    rate, turns = cli_speed(convs, 2 if quick else 8)
    results["cli_turns_per_s"] = rate
    print(f"\nThroughput on TWCS ({len(convs)} real support threads):")
    print(
        f"  engine, in process:           {results['engine_turns_per_cpu_s']:>8.0f} turns/CPU-second"
    )
    mark = "ok " if rate >= TARGETS["turns_per_s"] else "LOW"
    print(
        f"  `warmline analyze`, one core: {rate:>8.0f} turns/s over {turns} turns "
        f"(start-up and JSON I/O included)  target >= {TARGETS['turns_per_s']}  {mark}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="subsample the big public sets")
    parser.add_argument("--only", default="cs,goemotions,epitome,esconv,speed")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if not DATA.is_dir():
        print(f"benchmark data not found at {DATA}; set WARMLINE_DATA to the shared data folder")
        return 2
    analyzer = Analyzer()
    results: dict[str, float] = {}
    print(f"Warmline benchmarks — data: {DATA}")
    if "cs" in only:
        for name, path in CS_SETS:
            if path.exists():
                res = evaluate(path, analyzer)
                print_cs(name, res)
                results.update({f"{path.stem}_{k}": v for k, v in cs_figures(res).items()})
    public(results, analyzer, only, args.quick)
    if "speed" in only:
        speed(results, args.quick)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nfigures written to {out / 'results.json'}")
    return 0


def public(results: dict[str, float], analyzer: Analyzer, only: set[str], quick: bool) -> None:
    """The research sets, each beside its published yardstick (never trained on)."""
    if not only & {"goemotions", "epitome", "esconv"}:
        return
    print(
        "\nPublic research sets (Warmline never trains on them; published figures for reference):"
    )
    if "goemotions" in only:
        results.update(
            goemotions(DATA / "goemotions" / "goemotions.jsonl", analyzer, 5000 if quick else None)
        )
        print(
            f"  GoEmotions 9-label macro-F1   {results['goemotions_9_macro_f1']:.3f}   "
            f"({int(results['goemotions_rows'])} rows; issue target >= 0.58 in the learned-model issue)"
        )
        print(
            f"  GoEmotions Ekman macro-F1     {results['goemotions_ekman_macro_f1']:.3f}   "
            f"published {PUBLISHED['goemotions_ekman_bert'][0]}: {PUBLISHED['goemotions_ekman_bert'][1]}"
        )
    if "epitome" in only:
        results.update(epitome(DATA / "epitome" / "combined.jsonl", analyzer))
        for key, short in (
            ("emotional_reactions", "er"),
            ("interpretations", "ip"),
            ("explorations", "ex"),
        ):
            label, value = PUBLISHED[f"epitome_{short}"]
            print(
                f"  EPITOME {key:<20} {results[f'epitome_{key}_macro_f1']:.3f}   published {label}: {value}"
            )
    if "esconv" in only:
        results.update(esconv(DATA / "esconv" / "conversations.jsonl", analyzer))
        print(
            f"  ESConv 6-class macro-F1       {results['esconv_6_macro_f1']:.3f}   "
            f"({int(results['esconv_turns'])} supporter turns) published {PUBLISHED['esconv'][0]}: "
            f"{PUBLISHED['esconv'][1]}"
        )


if __name__ == "__main__":
    sys.exit(main())
