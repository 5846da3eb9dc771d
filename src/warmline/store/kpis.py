"""Import business results (KPIs): per conversation or per agent and period, all or nothing.

Two kinds of record, told apart by their fields (a CSV may mix them, one per row):

- **per conversation**: ``conversation_id`` (the id the conversation was imported with) and
  any of ``csat`` (1–5), ``fcr`` and ``repeat_contact`` (true/false), ``nps`` (the customer's
  0–10 answer), plus an optional ``source``. Re-importing a conversation updates its row:
  the figures given replace the stored ones, figures left empty are kept.
- **per agent and period**: ``agent_id``, ``period_start`` and ``period_end`` (YYYY-MM-DD,
  both included), ``metric`` (one of :data:`PERIOD_METRICS`) and ``value``, plus optional
  ``team`` and ``source``. The same agent, metric and period updates the stored value.

Every record is checked first; when any is bad nothing is stored and every fault is reported
with its line (or position), column and what was expected. Coaches import for their teams,
admins for everyone, agents not at all; the command line (``user=None``) may import anything.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store.access import agent_ids_visible, conversation_filter, require_role
from warmline.store.conversations import (
    MAX_REPORTED_ERRORS,
    ImportRefused,
    ImportResult,
    RecordError,
)
from warmline.store.errors import InvalidInputError
from warmline.store.kpi_tables import PERIOD_METRICS, AgentKpi, ConversationKpi
from warmline.store.tables import Conversation, User, utcnow
from warmline.store.users import get_or_create_team

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


@dataclass(slots=True)
class KpiImportResult:
    """What an import stored: conversation rows and agent-period rows, new and updated."""

    conversations_created: int = 0
    conversations_updated: int = 0
    periods_created: int = 0
    periods_updated: int = 0

    def to_dict(self) -> dict[str, int]:
        """JSON-ready form."""
        return {
            "conversations_created": self.conversations_created,
            "conversations_updated": self.conversations_updated,
            "periods_created": self.periods_created,
            "periods_updated": self.periods_updated,
        }


@dataclass(slots=True)
class _Checked:
    conversations: dict[int, tuple[Conversation, dict[str, Any]]] = field(default_factory=dict)
    periods: list[dict[str, Any]] = field(default_factory=list)
    errors: list[KpiRowError] = field(default_factory=list)


class _Bad(ValueError):
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


def _whole(value: Any, column: str, low: int, high: int) -> int:
    expected = f"expected a whole number from {low} to {high}, got {value!r}"
    if isinstance(value, bool):
        raise _Bad(column, expected)
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _Bad(column, expected) from None
    if not number.is_integer() or not low <= number <= high:
        raise _Bad(column, expected)
    return int(number)


def _flag(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad(column, f"expected true or false (or yes/no, 1/0), got {value!r}")


def _day(value: Any, column: str) -> date:
    try:
        if isinstance(value, str) and len(value.strip()) == 10:
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise _Bad(column, f"expected a date as YYYY-MM-DD, got {value!r}")


def _number(value: Any, column: str, low: float, high: float) -> float:
    expected = f"expected a number from {low:g} to {high:g}, got {value!r}"
    if isinstance(value, bool):
        raise _Bad(column, expected)
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _Bad(column, expected) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise _Bad(column, expected)
    return number


def _text(value: Any, column: str, limit: int) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > limit:
        raise _Bad(column, f"expected text of at most {limit} characters, got {value!r}")
    return str(value).strip()


def _check_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The record's values, typed; raises :class:`_Bad` at the first fault."""
    if "__extra__" in fields:
        raise _Bad(None, "this row has more cells than the header has columns")
    given = {k: v for k, v in fields.items() if not _empty(v)}
    if not _empty(given.get("conversation_id")):
        return _conversation_fields(given)
    if any(k in given for k in ("agent_id", "metric", "period_start", "period_end", "value")):
        return _period_fields(given)
    raise _Bad(
        None,
        "expected conversation_id (the KPIs of one conversation) or agent_id, period_start, "
        "period_end, metric and value (an agent's figure for a period)",
    )


def _unknown(given: Mapping[str, Any], allowed: Sequence[str], kind: str) -> None:
    for key in given:
        if key not in allowed:
            raise _Bad(key, f"not a field of {kind}; expected {', '.join(allowed)}")


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
        raise _Bad("csat", "expected at least one of csat, fcr, repeat_contact, nps")
    if "source" in given:
        out["source"] = _text(given["source"], "source", 100)
    return out


def _period_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    _unknown(given, PERIOD_FIELDS, "an agent's figure for a period")
    for column in ("agent_id", "period_start", "period_end", "metric", "value"):
        if column not in given:
            raise _Bad(column, "missing: an agent's figure needs agent_id, period_start, "
                               "period_end, metric and value")  # fmt: skip
    metric = str(given["metric"]).strip()
    if metric not in PERIOD_METRICS:
        raise _Bad("metric", f"expected one of {', '.join(PERIOD_METRICS)}, got {metric!r}")
    low, high = PERIOD_METRICS[metric]
    out: dict[str, Any] = {
        "agent_id": _text(given["agent_id"], "agent_id", 120),
        "period_start": _day(given["period_start"], "period_start"),
        "period_end": _day(given["period_end"], "period_end"),
        "metric": metric,
        "value": _number(given["value"], "value", low, high),
    }
    if out["period_end"] < out["period_start"]:
        raise _Bad("period_end", "expected a day on or after period_start")
    for column, limit in (("team", 120), ("source", 100)):
        if column in given:
            out[column] = _text(given[column], column, limit)
    return out


# ----------------------------------------------------------------- import


def import_kpis(
    session: Session, user: User | None, records: Iterable[KpiRecord], *, source: str = ""
) -> KpiImportResult:
    """Check every record, then store all of them (or raise ImportRefused and store nothing)."""
    if user is not None:
        require_role(user, "admin", "coach")
    items = list(records)
    if not items:
        raise InvalidInputError("no KPI records to import")
    checked = _check_all(session, user, items)
    if checked.errors:
        result = ImportResult(errors=list(checked.errors[:MAX_REPORTED_ERRORS]))
        bad = len({(e.position, e.line) for e in checked.errors})
        raise ImportRefused(result, total=len(items), bad=bad)
    return _store(session, user, checked, source=source)


def _check_all(session: Session, user: User | None, items: Sequence[KpiRecord]) -> _Checked:
    checked = _Checked()
    typed: list[tuple[KpiRecord, dict[str, Any]]] = []
    for item in items:
        try:
            if isinstance(item.fields, _Unreadable):
                raise _Bad(None, item.fields.message)
            if not isinstance(item.fields, Mapping):
                raise _Bad(None, f"expected an object with named fields, got {item.fields!r}")
            typed.append((item, _check_fields(item.fields)))
        except _Bad as exc:
            checked.errors.append(_error(item, exc.column, str(exc)))
    conv_ids = [f["conversation_id"] for _, f in typed if "conversation_id" in f]
    found = _conversations(session, user, conv_ids)
    visible_agents = agent_ids_visible(session, user) if user is not None else None
    own_teams = {t.name for t in user.teams} if user is not None and user.role == "coach" else None
    seen_periods: set[tuple[str, str, date, date]] = set()
    for item, fields in typed:
        if "conversation_id" in fields:
            _resolve_conversation(checked, item, fields, found)
            continue
        key = (fields["agent_id"], fields["metric"], fields["period_start"], fields["period_end"])
        if key in seen_periods:
            checked.errors.append(_error(item, "agent_id", "this agent, metric and period "
                                                           "appear twice in this import"))  # fmt: skip
        elif visible_agents is not None and fields["agent_id"] not in visible_agents:
            checked.errors.append(_error(item, "agent_id", f"agent {fields['agent_id']!r} is not "
                                                           "in your teams"))  # fmt: skip
        elif own_teams is not None and "team" in fields and fields["team"] not in own_teams:
            checked.errors.append(_error(item, "team", f"expected one of your teams "
                                                       f"({', '.join(sorted(own_teams))})"))  # fmt: skip
        else:
            checked.periods.append(fields)
        seen_periods.add(key)
    return checked


def _resolve_conversation(
    checked: _Checked,
    item: KpiRecord,
    fields: dict[str, Any],
    found: Mapping[str, tuple[Conversation, bool]],
) -> None:
    ext = fields["conversation_id"]
    hit = found.get(ext)
    if hit is None:
        checked.errors.append(_error(item, "conversation_id", f"no conversation with id {ext!r}: "
                                                              "import the conversation first"))  # fmt: skip
    elif not hit[1]:
        checked.errors.append(_error(item, "conversation_id", f"conversation {ext!r} is outside "
                                                              "your teams"))  # fmt: skip
    elif hit[0].id in checked.conversations:
        checked.errors.append(_error(item, "conversation_id", f"conversation {ext!r} appears twice "
                                                              "in this import"))  # fmt: skip
    else:
        checked.conversations[hit[0].id] = (hit[0], fields)


def _error(item: KpiRecord, column: str | None, expected: str) -> KpiRowError:
    where = f"column {column}: " if column else ""
    return KpiRowError(item.position, item.line, None, f"{where}{expected}", column)


def _conversations(
    session: Session, user: User | None, external_ids: Sequence[str]
) -> dict[str, tuple[Conversation, bool]]:
    """Conversation rows by external id, each with whether *user* may see it."""
    out: dict[str, tuple[Conversation, bool]] = {}
    unique = sorted(set(external_ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = session.scalars(select(Conversation).where(Conversation.external_id.in_(chunk)))
        for row in rows:
            out[row.external_id] = (row, True)
        if user is not None and user.role != "admin":
            visible = set(
                session.scalars(
                    select(Conversation.external_id).where(
                        Conversation.external_id.in_(chunk), conversation_filter(session, user)
                    )
                )
            )
            for ext, (row, _) in list(out.items()):
                if ext in chunk and ext not in visible:
                    out[ext] = (row, False)
    return out


def _store(
    session: Session, user: User | None, checked: _Checked, *, source: str
) -> KpiImportResult:
    result = KpiImportResult()
    now = utcnow()
    ids = list(checked.conversations)
    existing = {
        k.conversation_id: k
        for start in range(0, len(ids), 500)
        for k in session.scalars(
            select(ConversationKpi).where(
                ConversationKpi.conversation_id.in_(ids[start : start + 500])
            )
        )
    }
    for conv_id, (_, fields) in checked.conversations.items():
        row = existing.get(conv_id)
        if row is None:
            row = ConversationKpi(conversation_id=conv_id, created_at=now, source=source[:100])
            session.add(row)
            result.conversations_created += 1
        else:
            result.conversations_updated += 1
        for column in ("csat", "fcr", "repeat_contact", "nps", "source"):
            if column in fields:
                setattr(row, column, fields[column])
        row.updated_at = now
    for fields in checked.periods:
        created = _store_period(session, fields, source=source, now=now)
        result.periods_created += created
        result.periods_updated += not created
    session.flush()
    return result


def _store_period(session: Session, fields: dict[str, Any], *, source: str, now: Any) -> bool:
    row = session.scalar(
        select(AgentKpi).where(
            AgentKpi.agent_id == fields["agent_id"],
            AgentKpi.metric == fields["metric"],
            AgentKpi.period_start == fields["period_start"],
            AgentKpi.period_end == fields["period_end"],
        )
    )
    created = row is None
    if row is None:
        row = AgentKpi(
            agent_id=fields["agent_id"],
            metric=fields["metric"],
            period_start=fields["period_start"],
            period_end=fields["period_end"],
            created_at=now,
        )
        session.add(row)
    row.value = fields["value"]
    row.source = fields.get("source", source)[:100]
    row.team_id = _team_id(session, fields)
    row.updated_at = now
    return created


def _team_id(session: Session, fields: Mapping[str, Any]) -> int | None:
    if fields.get("team"):
        return get_or_create_team(session, fields["team"]).id
    agent = session.scalar(select(User).where(User.agent_id == fields["agent_id"]))
    return agent.teams[0].id if agent is not None and agent.teams else None


__all__ = [
    "CONVERSATION_FIELDS",
    "PERIOD_FIELDS",
    "PERIOD_METRICS",
    "KpiImportResult",
    "KpiRecord",
    "KpiRowError",
    "import_kpis",
    "parse_kpi_text",
    "records_from_json",
]
