"""The bundled example conversations that ``warmline demo`` (and ``make run``) analyses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from warmline.batch import Outcome, analyze_records
from warmline.engine.pipeline import Analyzer
from warmline.formats import read_conversations

#: The example file inside the package.
DEMO_FILE = "examples/demo.jsonl"


@contextmanager
def demo_path() -> Iterator[Path]:
    """Yield a filesystem path to the bundled demo conversations (JSONL)."""
    with resources.as_file(resources.files("warmline").joinpath(DEMO_FILE)) as path:
        yield path


def demo(analyzer: Analyzer | None = None) -> Iterator[Outcome]:
    """Analyse the bundled example conversations, yielding one outcome per conversation."""
    with demo_path() as path:
        records = read_conversations(path)
        yield from analyze_records(records, analyzer or Analyzer(), source=path.name)


__all__ = ["DEMO_FILE", "demo", "demo_path"]
