"""KPI records as read from CSV, JSON Lines or JSON, and the checks of every field.

Pure: no database. :func:`check_record` types one record or raises :class:`KpiFieldError`
naming the column and what was expected; :mod:`warmline.store.kpis` collects those per
record, resolves ids against the database and stores the lot (see there for the two kinds).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from warmline.store.conversations import ImportRefused, ImportResult, RecordError
from warmline.store.errors import InvalidInputError
from warmline.store.kpi_tables import PERIOD_METRICS

CONVERSATION_FIELDS = ("conversation_id", "csat", "fcr", "repeat_contact", "nps", "source")
PERIOD_FIELDS = ("agent_id", "team", "period_start", "period_end", "metric", "value", "source")
_ALL_FIELDS = tuple(dict.fromkeys(CONVERSATION_FIELDS + PERIOD_FIELDS))
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


@dataclass(frozen=True, slots=True)
class KpiRowError(RecordError):
    """One bad record: where it is, which column, and what was expected there."""

    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the column."""
        data = RecordError.to_dict(self)
        data["column"] = self.column
        return data


@dataclass(frozen=True, slots=True)
class KpiRecord:
    """One record as read from a file or a request, with where it came from."""

    position: int
    line: int | None
    #: The record's fields (CSV cells or a JSON object); anything else is reported as bad.
    fields: Any


class KpiFieldError(ValueError):
    """A field that is missing or malformed: its column (None: the record) and what was expected."""

    def __init__(self, column: str | None, expected: str) -> None:
        super().__init__(expected)
        self.column = column


# ----------------------------------------------------------------- reading files


def parse_kpi_text(text: str, *, filename: str = "upload.csv") -> list[KpiRecord]:
    """Records of a CSV, JSON Lines or JSON (a list of objects) text; the name picks the format."""
    name = filename.lower()
    if name.endswith((".jsonl", ".ndjson")):
        return _from_jsonl(text)
    if name.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f"{filename}: not JSON ({exc}); send a list of objects"
            ) from exc
        return records_from_json(data)
    if name.endswith((".csv", ".txt")):
        return _from_csv(text)
    raise InvalidInputError(
        f"{filename}: KPIs are read from .csv, .jsonl (one object a line) or .json files"
    )


def records_from_json(data: Any) -> list[KpiRecord]:
    """Records of a JSON body: one object or a list of them."""
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InvalidInputError("no KPI records: send one object or a list of them")
    return [KpiRecord(i, None, item) for i, item in enumerate(items, start=1)]


def _from_jsonl(text: str) -> list[KpiRecord]:
    out: list[KpiRecord] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            item = _Unreadable(f"not a JSON object: {exc.msg}")
        out.append(KpiRecord(len(out) + 1, line_no, item))
    return out


@dataclass(frozen=True, slots=True)
class _Unreadable:
    message: str


def _from_csv(text: str) -> list[KpiRecord]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in _ALL_FIELDS]
    if not header or unknown:
        what = f"unknown column {unknown[0]!r}" if unknown else "no header row"
        message = f"{what}: expected columns from {', '.join(_ALL_FIELDS)}"
        error = KpiRowError(1, 1, None, message, unknown[0] if unknown else None)
        raise ImportRefused(ImportResult(errors=[error]), total=1, bad=1)
    reader.fieldnames = header
    out: list[KpiRecord] = []
    for row in reader:
        extra = row.pop(None, None)
        fields: dict[str, Any] = {k: v for k, v in row.items() if v not in (None, "")}
        if extra:
            fields["__extra__"] = extra
        out.append(KpiRecord(len(out) + 1, reader.line_num, fields))
    return out


# ----------------------------------------------------------------- field checks


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_float(value: Any, column: str, expected: str) -> float:
    """*value* read as a number (text or number, never a bool), else the field's error."""
    if isinstance(value, bool):
        raise KpiFieldError(column, expected)
    try:
        return float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise KpiFieldError(column, expected) from None


def _whole(value: Any, column: str, low: int, high: int) -> int:
    expected = f"expected a whole number from {low} to {high}, got {value!r}"
    number = _as_float(value, column, expected)
    if not number.is_integer() or not low <= number <= high:
        raise KpiFieldError(column, expected)
    return int(number)


def _flag(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise KpiFieldError(column, f"expected true or false (or yes/no, 1/0), got {value!r}")


def _day(value: Any, column: str) -> date:
    try:
        if isinstance(value, str) and len(value.strip()) == 10:
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise KpiFieldError(column, f"expected a date as YYYY-MM-DD, got {value!r}")


def _number(value: Any, column: str, low: float, high: float) -> float:
    expected = f"expected a number from {low:g} to {high:g}, got {value!r}"
    number = _as_float(value, column, expected)
    if not math.isfinite(number) or not low <= number <= high:
        raise KpiFieldError(column, expected)
    return number


def _text(value: Any, column: str, limit: int) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > limit:
        raise KpiFieldError(column, f"expected text of at most {limit} characters, got {value!r}")
    return str(value).strip()


def _check_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The record's values, typed; raises :class:`KpiFieldError` at the first fault."""
    if "__extra__" in fields:
        raise KpiFieldError(None, "this row has more cells than the header has columns")
    given = {k: v for k, v in fields.items() if not _empty(v)}
    if not _empty(given.get("conversation_id")):
        return _conversation_fields(given)
    if any(k in given for k in ("agent_id", "metric", "period_start", "period_end", "value")):
        return _period_fields(given)
    raise KpiFieldError(
        None,
        "expected conversation_id (the KPIs of one conversation) or agent_id, period_start, "
        "period_end, metric and value (an agent's figure for a period)",
    )


def _unknown(given: Mapping[str, Any], allowed: Sequence[str], kind: str) -> None:
    for key in given:
        if key not in allowed:
            raise KpiFieldError(key, f"not a field of {kind}; expected {', '.join(allowed)}")


def _conversation_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    _unknown(given, CONVERSATION_FIELDS, "a conversation's KPIs")
    out: dict[str, Any] = {
        "conversation_id": _text(given["conversation_id"], "conversation_id", 200)
    }
    if "csat" in given:
        out["csat"] = _whole(given["csat"], "csat", 1, 5)
    for column in ("fcr", "repeat_contact"):
        if column in given:
            out[column] = _flag(given[column], column)
    if "nps" in given:
        out["nps"] = _whole(given["nps"], "nps", 0, 10)
    if len(out) == 1:
        raise KpiFieldError("csat", "expected at least one of csat, fcr, repeat_contact, nps")
    if "source" in given:
        out["source"] = _text(given["source"], "source", 100)
    return out


def _period_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    _unknown(given, PERIOD_FIELDS, "an agent's figure for a period")
    for column in ("agent_id", "period_start", "period_end", "metric", "value"):
        if column not in given:
            raise KpiFieldError(column, "missing: an agent's figure needs agent_id, period_start, "
                               "period_end, metric and value")  # fmt: skip
    metric = str(given["metric"]).strip()
    if metric not in PERIOD_METRICS:
        raise KpiFieldError(
            "metric", f"expected one of {', '.join(PERIOD_METRICS)}, got {metric!r}"
        )
    low, high = PERIOD_METRICS[metric]
    out: dict[str, Any] = {
        "agent_id": _text(given["agent_id"], "agent_id", 120),
        "period_start": _day(given["period_start"], "period_start"),
        "period_end": _day(given["period_end"], "period_end"),
        "metric": metric,
        "value": _number(given["value"], "value", low, high),
    }
    if out["period_end"] < out["period_start"]:
        raise KpiFieldError("period_end", "expected a day on or after period_start")
    for column, limit in (("team", 120), ("source", 100)):
        if column in given:
            out[column] = _text(given[column], column, limit)
    return out


def check_record(item: KpiRecord) -> dict[str, Any]:
    """The record's fields, typed; raises :class:`KpiFieldError` at its first fault."""
    if isinstance(item.fields, _Unreadable):
        raise KpiFieldError(None, item.fields.message)
    if not isinstance(item.fields, Mapping):
        raise KpiFieldError(None, f"expected an object with named fields, got {item.fields!r}")
    return _check_fields(item.fields)


__all__ = [
    "CONVERSATION_FIELDS",
    "PERIOD_FIELDS",
    "KpiFieldError",
    "KpiRecord",
    "KpiRowError",
    "check_record",
    "parse_kpi_text",
    "records_from_json",
]
