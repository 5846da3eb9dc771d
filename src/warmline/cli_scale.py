"""``warmline analyze ... -o DIR/``: partitioned, resumable batch scoring into a folder of tables.

Wraps :func:`warmline.scale.analyze_partitions`; this module only parses, shows progress and
sums up. Exit status as for ``analyze``: 0 when every record was analysed, 1 when any record
became an error row, 2 for usage errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import click
from tqdm import tqdm

from warmline.engine.pipeline import Analyzer
from warmline.formats import UnsupportedFormatError
from warmline.scale import (
    DEFAULT_PARTITION_SIZE,
    Job,
    ResumeMismatchError,
    analyze_partitions,
    plan_partitions,
)


class FolderUsageError(click.ClickException):
    """A problem with the inputs or the output folder that the user must fix: exit 2."""

    exit_code = 2


def wants_folder(output: str, *, folder_options: bool) -> bool:
    """True when OUTPUT names a folder: ends in a separator, is one, or folder options are set."""
    if output == "-":
        return False
    return output.endswith(("/", os.sep)) or Path(output).is_dir() or folder_options


def analyze_to_folder(
    sources: Sequence[str],
    output: str,
    analyzer: Analyzer,
    *,
    fmt: str | None,
    roles: Mapping[str, str],
    output_format: str | None,
    engine: str | None,
    scheduler: str | None,
    workers: int | None,
    partition_size: int | None,
) -> None:
    """Run the partitioned batch and exit like ``analyze``: 1 when any record failed."""
    try:
        plan = plan_partitions(
            sources, format=fmt, partition_size=partition_size or DEFAULT_PARTITION_SIZE
        )
    except UnsupportedFormatError as exc:
        raise FolderUsageError(str(exc)) from None
    except ImportError as exc:
        raise FolderUsageError(_missing_extra(exc)) from None
    job = Job(output=output, output_format=output_format or "parquet", roles=dict(roles) or None)
    chosen = engine or ("dask" if scheduler or workers else "local")
    totals = {"conversations": 0, "turns": 0, "errors": 0, "skipped": 0}
    bar = tqdm(
        total=len(plan),
        desc="partitions",
        unit=" part",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        dynamic_ncols=True,
    )
    try:
        results = analyze_partitions(
            plan, analyzer, job, engine=chosen, scheduler=scheduler, workers=workers
        )
        for result in results:
            totals["conversations"] += result.conversations
            totals["turns"] += result.turns
            totals["errors"] += result.errors
            totals["skipped"] += result.skipped
            bar.update()
            bar.set_postfix(turns=totals["turns"], errors=totals["errors"], refresh=False)
    except ResumeMismatchError as exc:
        raise FolderUsageError(str(exc)) from None
    except ImportError as exc:
        raise FolderUsageError(_missing_extra(exc)) from None
    except OSError as exc:  # the scheduler cannot be reached, the folder cannot be written
        raise FolderUsageError(f"cannot run the batch: {exc}") from None
    finally:
        bar.close()
    _summarise(output, len(plan), totals)


def _summarise(output: str, partitions: int, totals: dict[str, int]) -> None:
    skipped = f", {totals['skipped']} already done" if totals["skipped"] else ""
    click.echo(
        f"warmline: {totals['conversations']} conversations, {totals['turns']} turns in "
        f"{partitions} partitions{skipped}; wrote {output}",
        err=True,
    )
    if totals["errors"]:
        click.echo(
            f"warmline: {totals['errors']} records could not be analysed; see the error "
            f"column of {Path(output) / 'conversations'}",
            err=True,
        )
        raise SystemExit(1)


def _missing_extra(exc: ImportError) -> str:
    return (
        f"{exc.name or 'a module'} is not installed; install the batch extra: "
        "pip install 'warmline[dask]'"
    )
