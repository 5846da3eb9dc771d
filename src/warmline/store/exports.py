"""Score exports: one row per conversation, per turn, or per annotation, as CSV or Parquet.

Rows come from what the caller may see (``user=None``: the operator on the command line, who
sees everything) narrowed by the dashboards' :class:`ConversationFilter`, oldest first. The
turn and annotation levels read each conversation's stored analysis, so every point of a turn
score can be traced to its row (``points``). CSV cells that a spreadsheet would run as a
formula are kept as text (:func:`spreadsheet_safe`); Parquet needs pyarrow, a dependency of
the default install, and says so plainly when it is missing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import IO, Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.engine.errors import WarmlineError
from warmline.engine.labels import ANTI_PATTERNS
from warmline.store.access import conversation_filter
from warmline.store.conversations import ConversationFilter, apply_filter
from warmline.store.errors import InvalidInputError
from warmline.store.kpi_tables import ConversationKpi
from warmline.store.tables import Conversation, Team, User

FORMATS: Final = ("csv", "parquet")
#: Rows per Parquet row group (and per batch held in memory while writing).
BATCH_ROWS: Final = 5000


class ParquetUnavailable(WarmlineError):
    """pyarrow is not installed, so Parquet cannot be written."""


@dataclass(frozen=True, slots=True)
class ExportTable:
    """One export level: its columns in order, each with its type (int, float, str, bool, time)."""

    level: str
    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> list[str]:
        """The column names in order."""
        return [name for name, _ in self.columns]


_WHERE: Final = (
    ("conversation_id", "str"),
    ("started_at", "time"),
    ("team", "str"),
    ("agent_id", "str"),
    ("channel", "str"),
)
TABLES: Final[dict[str, ExportTable]] = {
    "conversation": ExportTable(
        "conversation",
        (
            *_WHERE,
            ("turns", "int"),
            ("score", "int"),
            ("lowest_turn_score", "int"),
            ("escalated", "bool"),
            ("deescalated", "bool"),
            ("behaviours", "int"),
            ("anti_patterns", "int"),
            ("missed_opportunities", "int"),
            ("csat", "int"),
            ("fcr", "bool"),
            ("repeat_contact", "bool"),
            ("nps", "int"),
            ("engine_version", "str"),
        ),
    ),
    "turn": ExportTable(
        "turn",
        (
            *_WHERE,
            ("turn", "int"),
            ("speaker", "str"),
            ("timestamp", "str"),
            ("score", "int"),
            ("need", "str"),
            ("mode", "str"),
            ("emotion", "str"),
            ("emotion_intensity", "int"),
            ("behaviours", "str"),
            ("anti_patterns", "str"),
            ("text", "str"),
        ),
    ),
    "behaviour": ExportTable(
        "behaviour",
        (
            *_WHERE,
            ("turn", "int"),
            ("speaker", "str"),
            ("kind", "str"),
            ("label", "str"),
            ("start", "int"),
            ("end", "int"),
            ("confidence", "float"),
            ("intensity", "int"),
            ("points", "float"),
            ("evidence", "str"),
        ),
    ),
}
LEVELS: Final = tuple(TABLES)
_ANTI: Final = frozenset(ANTI_PATTERNS)


def table(level: str) -> ExportTable:
    """The export level called *level*; InvalidInputError naming the choices otherwise."""
    try:
        return TABLES[level]
    except KeyError:
        raise InvalidInputError(
            f"level: {level!r} is not an export level; expected {', '.join(LEVELS)}"
        ) from None


def check_format(fmt: str) -> str:
    """*fmt* if it is ``csv`` or ``parquet``; InvalidInputError otherwise."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"format: {fmt!r} is not an export format; expected csv or parquet")
    return fmt


# ----------------------------------------------------------------- rows


def score_rows(
    session: Session, user: User | None, flt: ConversationFilter, *, level: str
) -> Iterator[dict[str, Any]]:
    """The rows of *level* for the conversations *user* may see matching *flt*, oldest first."""
    wanted = table(level)
    c = Conversation
    stmt = (
        select(c, Team.name, ConversationKpi)
        .outerjoin(Team, Team.id == c.team_id)
        .outerjoin(ConversationKpi, ConversationKpi.conversation_id == c.id)
        .order_by(c.started_at, c.id)
        .execution_options(yield_per=200)
    )
    if user is not None:
        stmt = stmt.where(conversation_filter(session, user))
    for conv, team_name, kpi in session.execute(apply_filter(stmt, flt)):
        where = {
            "conversation_id": conv.external_id,
            "started_at": conv.started_at.astimezone(UTC),
            "team": team_name,
            "agent_id": conv.agent_id,
            "channel": conv.channel,
        }
        if wanted.level == "conversation":
            yield {**where, **_conversation_cells(conv, kpi)}
        elif wanted.level == "turn":
            yield from ({**where, **cells} for cells in _turn_cells(conv))
        else:
            yield from ({**where, **cells} for cells in _annotation_cells(conv))
        # A long export should not keep every record it has read in the session.
        session.expunge(conv)
        if kpi is not None:
            session.expunge(kpi)


def _conversation_cells(conv: Conversation, kpi: ConversationKpi | None) -> dict[str, Any]:
    kinds = [
        _kind(b["id"]) for t in conv.analysis.get("turns", []) for b in t.get("behaviours", [])
    ]
    return {
        "turns": conv.turn_count,
        "score": conv.score,
        "lowest_turn_score": conv.lowest_turn_score,
        "escalated": conv.escalated,
        "deescalated": conv.deescalated,
        "behaviours": kinds.count("behaviour"),
        "anti_patterns": kinds.count("anti_pattern"),
        "missed_opportunities": len(conv.analysis.get("missed_opportunities", [])),
        "csat": kpi.csat if kpi else None,
        "fcr": kpi.fcr if kpi else None,
        "repeat_contact": kpi.repeat_contact if kpi else None,
        "nps": kpi.nps if kpi else None,
        "engine_version": conv.engine_version,
    }


def _kind(label: str) -> str:
    return "anti_pattern" if label in _ANTI else "behaviour"


def _timestamps(conv: Conversation) -> dict[int, str]:
    turns = conv.record.get("turns", []) if isinstance(conv.record, Mapping) else []
    return {i: str(t.get("timestamp") or "") for i, t in enumerate(turns) if isinstance(t, Mapping)}


def _turn_cells(conv: Conversation) -> Iterator[dict[str, Any]]:
    stamps = _timestamps(conv)
    for t in conv.analysis.get("turns", []):
        emotions = t.get("emotions") or []
        found = [(b["id"], _kind(b["id"])) for b in t.get("behaviours", [])]
        yield {
            "turn": t["index"],
            "speaker": t.get("speaker"),
            "timestamp": stamps.get(t["index"], ""),
            "score": t.get("score"),
            "need": t.get("need"),
            "mode": t.get("mode"),
            "emotion": emotions[0]["label"] if emotions else None,
            "emotion_intensity": emotions[0].get("intensity") if emotions else None,
            "behaviours": ";".join(label for label, kind in found if kind == "behaviour"),
            "anti_patterns": ";".join(label for label, kind in found if kind == "anti_pattern"),
            "text": t.get("text", ""),
        }


def _annotation_cells(conv: Conversation) -> Iterator[dict[str, Any]]:
    for t in conv.analysis.get("turns", []):
        text = t.get("text", "")
        base = {"turn": t["index"], "speaker": t.get("speaker")}
        for emo in t.get("emotions", []):
            yield {
                **base, "kind": "emotion", "label": emo["label"], "start": None, "end": None,
                "confidence": emo.get("score"), "intensity": emo.get("intensity"),
                "points": None, "evidence": None,
            }  # fmt: skip
        points = _points(t)
        for b in t.get("behaviours", []):
            start, end = b.get("start"), b.get("end")
            yield {
                **base, "kind": _kind(b["id"]), "label": b["id"], "start": start, "end": end,
                "confidence": b.get("score"), "intensity": None,
                "points": points.get((b["id"], start, end)),
                "evidence": text[start:end] if start is not None and end is not None else None,
            }  # fmt: skip


def _points(turn: Mapping[str, Any]) -> dict[tuple[str, int | None, int | None], float]:
    """The turn score's points per annotation (its breakdown items that carry evidence)."""
    out: dict[tuple[str, int | None, int | None], float] = {}
    for item in turn.get("breakdown") or []:
        ev = item.get("evidence")
        if isinstance(ev, Mapping) and ev.get("id"):
            key = (str(ev["id"]), ev.get("start"), ev.get("end"))
            out[key] = round(out.get(key, 0.0) + float(item.get("points", 0.0)), 3)
    return out


# ----------------------------------------------------------------- CSV


def spreadsheet_safe(value: str | None) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula (a leading ' added)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value or ""


def csv_line(cells: Iterable[object]) -> str:
    """One CSV line (RFC 4180 quoting, CRLF)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(list(cells))
    return out.getvalue()


def _csv_cell(value: Any, kind: str) -> object:
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "time":
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if kind == "str":
        return spreadsheet_safe(str(value))
    return value


def csv_lines(rows: Iterable[Mapping[str, Any]], level: str) -> Iterator[str]:
    """The header and then one CSV line per row, formula-safe."""
    wanted = table(level)
    yield csv_line(wanted.names)
    for row in rows:
        yield csv_line(_csv_cell(row.get(name), kind) for name, kind in wanted.columns)


# ----------------------------------------------------------------- Parquet


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ParquetUnavailable(
            "Parquet export needs pyarrow, which is missing from this install: "
            "pip install pyarrow (or reinstall warmline), or export CSV instead"
        ) from None
    return pa, pq


def write_parquet(rows: Iterable[Mapping[str, Any]], level: str, sink: str | IO[bytes]) -> int:
    """Write *rows* of *level* as one Parquet file to *sink* (a path or binary file); row count."""
    pa, pq = _pyarrow()
    wanted = table(level)
    types = {
        "int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_(),
        "time": pa.timestamp("us", tz="UTC"),
    }  # fmt: skip
    schema = pa.schema([(name, types[kind]) for name, kind in wanted.columns])
    count = 0
    with pq.ParquetWriter(sink, schema) as writer:
        batch: list[Mapping[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or count == 0:  # an empty export is still a file with the columns
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def parquet_bytes(rows: Iterable[Mapping[str, Any]], level: str) -> bytes:
    """*rows* of *level* as the bytes of a Parquet file."""
    buffer = io.BytesIO()
    write_parquet(rows, level, buffer)
    return buffer.getvalue()


def export_name(level: str, fmt: str, *, since: str = "", until: str = "") -> str:
    """The download's file name: ``scores_turn_2026-11-01_2026-11-30.parquet``."""
    stamp = "".join(f"_{v}" for v in (since, until) if v)
    return f"scores_{level}{stamp}.{fmt}"


__all__ = [
    "FORMATS",
    "LEVELS",
    "TABLES",
    "ExportTable",
    "ParquetUnavailable",
    "check_format",
    "csv_line",
    "csv_lines",
    "export_name",
    "parquet_bytes",
    "score_rows",
    "spreadsheet_safe",
    "table",
    "write_parquet",
]
