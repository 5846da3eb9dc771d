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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store.access import agent_ids_visible, conversation_filter, require_role
from warmline.store.conversations import MAX_REPORTED_ERRORS, ImportRefused, ImportResult
from warmline.store.errors import InvalidInputError
from warmline.store.kpi_records import (
    CONVERSATION_FIELDS,
    PERIOD_FIELDS,
    KpiFieldError,
    KpiRecord,
    KpiRowError,
    check_record,
    parse_kpi_text,
    records_from_json,
)
from warmline.store.kpi_tables import PERIOD_METRICS, AgentKpi, ConversationKpi
from warmline.store.tables import Conversation, User, utcnow
from warmline.store.users import get_or_create_team


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
            typed.append((item, check_record(item)))
        except KpiFieldError as exc:
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


def _store_period(session: Session, fields: dict[str, Any], *, source: str, now: datetime) -> bool:
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
