"""The ``warmline`` command line: each command wraps a library function and only formats.

``warmline analyze`` streams reader records through :func:`warmline.batch.analyze_records`
and writes one JSON line (or one report block) per input record as soon as it is ready, so
nothing already written is lost if the run dies later. Exit status: 0 when every record was
analysed, 1 when any record failed, 2 for usage errors (click's convention).
``warmline check`` wraps :func:`warmline.engine.assist.check_draft`: one draft reply checked
in the context of one conversation (exit 1 when that conversation cannot be read).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any

import click
from tqdm import tqdm

from warmline import __version__
from warmline.batch import Outcome, analyze_records
from warmline.cli_export import register as register_export_commands
from warmline.cli_kpi import register as register_kpi_commands
from warmline.cli_learn import register as register_learn_commands
from warmline.cli_privacy import register as register_privacy_commands
from warmline.cli_roleplay import register as register_roleplay_commands
from warmline.cli_rubric import register as register_rubric_commands
from warmline.cli_scale import analyze_to_folder, wants_folder
from warmline.cli_server import register as register_server_commands
from warmline.demo import demo
from warmline.engine.adapt import TeamModels
from warmline.engine.assist import DraftCheck, check_draft
from warmline.engine.errors import ConfigError, InvalidConversationError
from warmline.engine.model import Conversation
from warmline.engine.pipeline import Analyzer
from warmline.formats import (
    FORMATS,
    InputError,
    Record,
    RoleMappingError,
    UnsupportedFormatError,
    parse_role_mapping,
    read_conversations,
)
from warmline.report import (
    Style,
    Summary,
    humanise,
    quote,
    render_conversation,
    render_error,
    score_word,
)


class UsageFailure(click.ClickException):
    """A whole-run problem the user must fix (unreadable source, unknown format): exit 2."""

    exit_code = 2


def _input_options(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--format`` and ``--role`` options of a command that reads conversations."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--role",
            "roles",
            multiple=True,
            metavar="NAME=ROLE",
            help="Map a transcript speaker to customer, agent or bot (repeatable).",
        )(command)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=None,
            help=f"{what} (default: from the file extension).",
        )(command)

    return decorate


def _folder_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of ``analyze -o DIR/``: output format, engine, cluster, partition size."""
    options = [
        click.option(
            "--partition-size",
            type=click.IntRange(min=1),
            default=None,
            help="Conversations per partition of a big file (default 10000).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            help="Worker processes of a local Dask cluster (implies --engine dask; default: CPUs).",
        ),
        click.option(
            "--scheduler",
            default=None,
            metavar="ADDRESS",
            help="A Dask scheduler, e.g. tcp://host:8786 (implies --engine dask).",
        ),
        click.option(
            "--engine",
            type=click.Choice(["local", "dask"]),
            default=None,
            help="Run in this process (local) or on a Dask cluster.",
        ),
        click.option(
            "--output-format",
            type=click.Choice(["parquet", "jsonl"]),
            default=None,
            help="Table format of an output folder (default parquet).",
        ),
    ]
    for option in options:
        command = option(command)
    return command


class _Main(click.Group):
    """The ``warmline`` group: a database error from any command is one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Only a command that touched the database imported SQLAlchemy; the others (analyze,
            # check) start without it, so it is looked up rather than imported here.
            exc_module = sys.modules.get("sqlalchemy.exc")
            if exc_module is None or not isinstance(exc, exc_module.DBAPIError):
                raise
            from warmline.store.errors import database_error

            raise click.ClickException(str(database_error(exc))) from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="warmline")
def main() -> None:
    """Warmline: an offline empathy coach for customer-service conversations."""


@main.command()
@click.argument("sources", metavar="INPUT...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="OUTPUT",
    type=click.Path(allow_dash=True),
    help="Where to write; - is stdout; a folder (DIR/) gets partitioned tables.",
)
@_folder_options
@_input_options("Input format")
@click.option("--strict", is_flag=True, help="Stop at the first bad record.")
@click.option("--explain", is_flag=True, help="Add score breakdown and trajectory to each line.")
@click.option("--report", is_flag=True, help="Print a readable report instead of JSON lines.")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Use a team's own heads, written by `warmline train`.",
)
def analyze(
    sources: tuple[str, ...],
    output: str,
    fmt: str | None,
    roles: tuple[str, ...],
    strict: bool,
    explain: bool,
    report: bool,
    model_dir: str | None,
    **folder: Any,
) -> None:
    """Analyse the conversations in INPUT (- for stdin) and write one result per conversation.

    With an output folder (-o DIR/) INPUT may be several files, folders or glob patterns of
    JSONL, Parquet, CSV or transcripts; the results are written as partitioned tables, on
    this machine or a Dask cluster, and a rerun resumes after the last finished partition.
    """
    try:
        role_map = parse_role_mapping(list(roles))
    except RoleMappingError as exc:
        raise click.BadParameter(str(exc), param_hint="--role") from None
    if wants_folder(output, folder_options=any(v is not None for v in folder.values())):
        if strict or explain or report:
            raise UsageFailure("--strict, --explain and --report write to a file, not a folder")
        analyze_to_folder(sources, output, _analyzer(model_dir), fmt=fmt, roles=role_map, **folder)
        return
    if any(v is not None for v in folder.values()):
        raise UsageFailure("--engine, --workers, --scheduler and --output-format need -o DIR/")
    if len(sources) != 1:
        raise UsageFailure("give one INPUT, or write to a folder (-o DIR/) to read several")
    source = sources[0]
    if source != "-" and not Path(source).exists():
        raise UsageFailure(f"{source!r} does not exist; check the path")
    try:
        records = read_conversations(source, format=fmt, roles=role_map)
    except (UnsupportedFormatError, RoleMappingError) as exc:
        raise UsageFailure(str(exc)) from None
    name = "<stdin>" if source == "-" else source
    analyzer = _analyzer(model_dir)
    # The compiled lexicons and content are long-lived: keep the garbage collector from
    # re-scanning them on every collection during a long run.
    gc.freeze()
    with _open_output(output) as out:
        outcomes = analyze_records(
            _guarded(records), analyzer, explain=explain, strict=strict, source=name
        )
        counts = _emit(outcomes, out, report=report)
    _finish(*counts, strict=strict)


def _analyzer(model_dir: str | None) -> Analyzer:
    try:
        team = TeamModels.load(Path(model_dir)) if model_dir is not None else None
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--model") from None
    return Analyzer(team=team)


@main.command()
@click.argument("labelled", metavar="LABELLED.jsonl", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Folder to write the team's heads to (created if missing).",
)
@click.option("--no-evaluate", is_flag=True, help="Skip the cross-validated comparison.")
def train(labelled: str, folder: str, no_evaluate: bool) -> None:
    """Fit Warmline's learned heads to your team's reviewed conversations.

    LABELLED.jsonl uses the cs_cases record format (docs/training.md): conversations with
    emotions on customer turns and behaviours/anti_patterns on agent turns, and emotion
    messages. Use the result with `warmline analyze --model DIR`.
    """
    from warmline.labelled import LabelledDataError
    from warmline.training import train_team

    try:
        result = train_team(Path(labelled), Path(folder), evaluate=not no_evaluate)
    except LabelledDataError as exc:
        raise UsageFailure(str(exc)) from None
    for head, turns in result.heads.items():
        click.echo(f"trained {head} head on {turns} labelled turns")
    for line in result.skipped:
        click.echo(f"note: {line}")
    pairs = (
        ("emotion macro-F1", "emotion_macro_f1"),
        ("behaviour micro-F1", "behaviour_micro_f1"),
    )
    for title, key in pairs:
        if f"{key}_shipped" in result.figures:
            click.echo(
                f"{title} on your turns: shipped {result.figures[f'{key}_shipped']:.3f}, "
                f"team heads {result.figures[f'{key}_team_cv']:.3f} (5-fold cross-validated)"
            )
    click.echo(f"wrote {folder}; use it with: warmline analyze --model {folder} INPUT")


@main.command("check")
@click.argument("source", metavar="CONTEXT", type=click.Path(exists=True, allow_dash=True))
@click.option("--draft", default=None, metavar="TEXT", help="The draft reply to check.")
@click.option(
    "--draft-file",
    default=None,
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="Read the draft reply from FILE; - is stdin.",
)
@_input_options("Format of CONTEXT")
@click.option(
    "--speaker",
    type=click.Choice(["agent", "bot"]),
    default="agent",
    show_default=True,
    help="Who writes the draft.",
)
@click.option("--customer-name", default=None, metavar="NAME", help="The customer's name.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Use a team's own heads, written by `warmline train`.",
)
def check_command(
    source: str,
    draft: str | None,
    draft_file: str | None,
    fmt: str | None,
    roles: tuple[str, ...],
    speaker: str,
    customer_name: str | None,
    as_json: bool,
    model_dir: str | None,
) -> None:
    """Check a draft reply before sending it: score, what is missing, warnings, a rewrite.

    CONTEXT holds the conversation so far (one conversation, in any format `warmline
    analyze` reads; - for stdin); the draft is the next agent turn.
    """
    text = _draft_text(draft, draft_file, source)
    context = _one_conversation(source, fmt, roles)
    try:
        team = TeamModels.load(Path(model_dir)) if model_dir is not None else None
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--model") from None
    try:
        result = check_draft(
            context.turns,
            text,
            customer_name=customer_name or context.customer_name,
            analyzer=Analyzer(team=team),
            speaker=speaker,
        )
    except InvalidConversationError as exc:
        if exc.where == "draft":
            hint = "--draft" if draft is not None else "--draft-file"
            raise click.BadParameter(str(exc), param_hint=hint) from None
        raise click.ClickException(f"{source}: {exc}") from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_render_check(result, Style(color=_wants_color(sys.stdout.buffer))))


def _draft_text(draft: str | None, draft_file: str | None, source: str) -> str:
    """The draft from --draft or --draft-file (exactly one of them)."""
    if (draft is None) == (draft_file is None):
        raise click.UsageError("give the reply to check with --draft TEXT or --draft-file FILE")
    if draft is not None:
        return draft
    if draft_file == "-" and source == "-":
        raise click.UsageError("CONTEXT and --draft-file cannot both be read from stdin")
    with click.open_file(str(draft_file), encoding="utf-8", errors="replace") as handle:
        return str(handle.read())


def _one_conversation(source: str, fmt: str | None, roles: tuple[str, ...]) -> Conversation:
    """The single conversation of CONTEXT; several, none or an unreadable one is an error."""
    try:
        role_map = parse_role_mapping(list(roles))
    except RoleMappingError as exc:
        raise click.BadParameter(str(exc), param_hint="--role") from None
    try:
        records = list(islice(read_conversations(source, format=fmt, roles=role_map), 2))
    except (UnsupportedFormatError, RoleMappingError) as exc:
        raise UsageFailure(str(exc)) from None
    if len(records) != 1:
        found = "no conversation" if not records else "more than one conversation"
        raise UsageFailure(
            f"{source} holds {found}; `warmline check` needs exactly one, the conversation "
            "the draft replies to (save that one to its own file)"
        )
    record = records[0]
    if isinstance(record, InputError):
        raise click.ClickException(str(record))
    return record


def _render_check(result: DraftCheck, st: Style) -> str:
    """The readable block of a draft check."""
    colour = "green" if result.score >= 65 else "yellow" if result.score >= 45 else "red"
    score = st.paint(f"{result.score}/100 ({score_word(result.score)})", colour, "bold")
    lines = [f"Draft score: {score}"]
    moment = f"{result.need} empathy need, {result.mode} mode"
    if result.customer is not None:
        top = result.customer
        moment = f"customer feels {top.label} {top.intensity}/3  ·  " + moment
    lines.append(f"The moment: {moment}")
    lines.append(st.paint("Behaviours found", "bold"))
    for found in result.behaviours:
        name = st.paint(humanise(found.label), "green")
        lines += st.wrap(f"{name} {quote(found.text)}", indent="      ", first="  ✓ ")
    if not result.behaviours:
        lines.append("  none")
    lines.append(st.paint("Missing", "bold"))
    for missed in result.missing:
        lines += st.wrap(
            f"{humanise(missed.label)}: {missed.explanation}", indent="      ", first="  · "
        )
        lines += st.wrap(missed.message, indent="         ", first="    Tip: ")
    if not result.missing:
        lines.append("  nothing")
    lines.append(st.paint("Warnings", "bold"))
    for warning in result.warnings:
        name = st.paint(humanise(warning.label), "red")
        lines += st.wrap(f"{name} {quote(warning.text)}", indent="      ", first="  ✗ ")
        lines += st.wrap(warning.message, indent="         ", first="    Tip: ")
    if not result.warnings:
        lines.append("  none")
    lines.append(st.paint("Suggested rewrite", "bold"))
    lines += st.wrap(result.rewrite or "none needed", indent="  ")
    return "\n".join(lines)


@main.command("demo")
def demo_command() -> None:
    """Analyse the bundled example conversations and print the report."""
    with _open_output("-") as out:
        counts = _emit(demo(), out, report=True)
    _finish(*counts, strict=False)


def _guarded(records: Iterable[Record]) -> Iterator[Record]:
    """Pass records through; a whole-source failure met while reading is a usage error."""
    try:
        yield from records
    except UnsupportedFormatError as exc:
        raise UsageFailure(str(exc)) from None


@contextmanager
def _open_output(output: str) -> Iterator[IO[bytes]]:
    if output == "-":
        yield sys.stdout.buffer
        return
    try:
        handle = open(output, "wb")  # noqa: SIM115 - closed below, after a partial run too
    except OSError as exc:
        raise UsageFailure(f"cannot write {output}: {exc.strerror}") from None
    with handle:
        yield handle


def _emit(outcomes: Iterable[Outcome], out: IO[bytes], *, report: bool) -> tuple[int, int]:
    """Write each outcome as it comes, errors also to stderr; return (records, failed)."""
    style = Style(color=_wants_color(out))
    summary = Summary()
    total = failed = 0
    bar = tqdm(
        desc="analysing",
        unit=" conv",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        dynamic_ncols=True,
        mininterval=0.5,
    )
    try:
        for outcome in outcomes:
            total += 1
            bar.update()
            if outcome.error is not None:
                failed += 1
                tqdm.write(f"warmline: {outcome.error}", file=sys.stderr)
            if report:
                _write(out, _report_block(outcome, summary, style) + "\n\n")
            else:
                _write(out, _json_line(outcome.record))
        if report:
            _write(out, summary.render(style=style) + "\n")
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(1) from None
    finally:
        bar.close()
    return total, failed


def _report_block(outcome: Outcome, summary: Summary, style: Style) -> str:
    if outcome.analysis is not None:
        summary.add(outcome.analysis)
        return render_conversation(outcome.analysis, style=style)
    summary.add_error()
    error = outcome.record["error"]
    return render_error(outcome.record["id"], error["line"], error["message"], style=style)


def _json_line(record: dict[str, Any]) -> str:
    try:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        line.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate that slipped through: escape everything
        line = json.dumps(record, separators=(",", ":"))
    return line + "\n"


def _write(out: IO[bytes], text: str) -> None:
    out.write(text.encode("utf-8", errors="replace"))
    out.flush()


def _wants_color(out: IO[bytes]) -> bool:
    return out.isatty() and not os.environ.get("NO_COLOR")


def _silence_stdout() -> None:
    # The reader went away (`warmline analyze big.jsonl | head`): stop quietly, and point
    # stdout at /dev/null so the interpreter's final flush does not complain again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _finish(total: int, failed: int, *, strict: bool) -> None:
    """Exit 1 after saying so when any record failed; 0 otherwise."""
    if not failed:
        return
    if strict:
        what = "stopped at the first bad record (--strict)"
    else:
        what = f"{failed} of {total} record{'s' if total != 1 else ''} could not be analysed"
    click.echo(f"warmline: {what}; see the messages above", err=True)
    raise SystemExit(1)


# The web app's commands (serve, db, users, import) live in their own module.
register_server_commands(main)
# The role-play simulator's commands (roleplay list, roleplay play).
register_roleplay_commands(main)
# The training curriculum's commands (learn modules, lesson, exercise, assess).
register_learn_commands(main)
# KPIs and before/after reports (kpi import, report before-after).
register_kpi_commands(main)
# Data protection (retention purge, forget a customer, audit list/verify).
register_privacy_commands(main)
# Score exports as CSV or Parquet (export scores).
register_export_commands(main)
# Versioned scoring rubrics (rubric show, import, rescore).
register_rubric_commands(main)

if __name__ == "__main__":  # pragma: no cover
    main(prog_name="warmline")
