"""Print PII redaction recall and precision per kind on the project's own labelled set.

The set is tests/data/pii_set.jsonl (tools/make_pii_set.py writes it). Two batches: "first"
guided the IBAN and continental street rules; "fresh" was written after the rules were last
changed and never used to change them, so it is the honest estimate for new text.

Usage: python benchmarks/redaction.py [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from warmline.redact import KINDS, Redactor
from warmline.redact_eval import KindScore, evaluate, load_set

SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "pii_set.jsonl"


def _pct(value: float | None) -> str:
    return "   –  " if value is None else f"{value:6.3f}"


def _row(name: str, s: KindScore) -> str:
    return (
        f"{name:<9} {s.marked:>6} {_pct(s.recall)} {_pct(s.leak_free_recall)} "
        f"{s.redacted:>6} {_pct(s.precision)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show-errors", action="store_true", help="list every miss and wrong redaction"
    )
    args = parser.parse_args(argv)
    items = load_set(SET)
    batch = {json.loads(line)["id"]: json.loads(line).get("batch", "first") for line in SET.open()}
    for name in ("first", "fresh", "all"):
        part = [i for i in items if name == "all" or batch[i.id] == name]
        scores = evaluate(Redactor(), part)
        print(f"\nPII redaction, batch {name!r}: {scores.sentences} sentences")
        print(f"{'kind':<9} {'marked':>6} {'recall':>6} {'no-leak':>7} {'redact':>6} {'precis':>6}")
        for kind in KINDS:
            print(_row(kind, scores.kinds[kind]))
        print(_row("all", scores.total()))
        if args.show_errors:
            for line in scores.missed:
                print(f"  missed  {line}")
            for line in scores.wrong:
                print(f"  wrong   {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
