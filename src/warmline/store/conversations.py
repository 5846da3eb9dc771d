"""Import conversations (redact, analyse, upsert by id) and read them back within one's scope."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import warmline
from warmline.engine.errors import WarmlineError
from warmline.engine.labels import ANTI_PATTERNS
from warmline.engine.model import Conversation as EngineConversation
from warmline.engine.model import conversation_from_dict
from warmline.engine.pipeline import Analyzer
from warmline.engine.serialize import analysis_to_dict
from warmline.formats.records import InputError
from warmline.redact import Redactor
from warmline.store import rubrics
from warmline.store.access import conversation_filter
from warmline.store.db import rows_by
from warmline.store.errors import ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.feedback_tables import FollowUp
from warmline.store.followups import consider as consider_followup
from warmline.store.retention import customer_ref_of
from warmline.store.tables import Conversation, Label, Team, User, utcnow
from warmline.store.users import get_or_create_team

if TYPE_CHECKING:
    from warmline.store.import_pool import ImportPool

#: How many errors an import reports in full; the rest are counted.
MAX_REPORTED_ERRORS = 50


@dataclass(frozen=True, slots=True)
class RecordError:
    """One record that could not be imported: where it was and what was wrong."""

    position: int
    line: int | None
    id: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "position": self.position,
            "line": self.line,
            "id": self.id,
            "message": self.message,
        }


@dataclass(slots=True)
class ImportResult:
    """What an import did: the ids stored, how many were new or updated, what was refused."""

    ids: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    redactions: int = 0
    errors: list[RecordError] = field(default_factory=list)

    def add(self, other: ImportResult) -> None:
        """Count *other* (a later part of the same import) into this result."""
        self.ids.extend(other.ids)
        self.created += other.created
        self.updated += other.updated
        self.redactions += other.redactions
        self.errors.extend(other.errors)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How records are stored: redaction, and the agent/team to stamp on them."""

    redactor: Redactor
    agent_id: str | None = None
    team: str | None = None
    source: str = ""


def validate_records(
    items: Iterable[EngineConversation | InputError | Any],
) -> tuple[list[EngineConversation], list[RecordError]]:
    """Turn reader records or raw dicts into conversations, collecting every error with its place."""
    good: list[EngineConversation] = []
    bad: list[RecordError] = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, InputError):
            bad.append(RecordError(position, item.line, item.id, item.message))
            continue
        try:
            conv = item if isinstance(item, EngineConversation) else conversation_from_dict(item)
        except WarmlineError as exc:
            ident = item.get("id") if isinstance(item, Mapping) else None
            where = f"conversation {position}"
            bad.append(
                RecordError(position, None, str(ident) if ident else None, f"{where}: {exc}")
            )
            continue
        if (too_long := over_column_limit(conv)) is not None:
            where = f"conversation {position}"
            bad.append(RecordError(position, None, conv.id[:200], f"{where}: {too_long}"))
            continue
        good.append(conv)
    ids = [c.id for c in good]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for position, conv_id in enumerate(ids, start=1):
            if conv_id in seen:
                bad.append(
                    RecordError(
                        position, None, conv_id, f"id {conv_id!r} appears twice in this import"
                    )
                )
            seen.add(conv_id)
    return good, bad


#: The longest value each stored field may have (the columns' sizes).
FIELD_LIMITS = {"id": 200, "agent_id": 120, "channel": 40, "customer_name": 200}
_TEAM_NAME_LIMIT = 120


def over_column_limit(conv: EngineConversation) -> str | None:
    """Say which field is too long to store, if any (PostgreSQL would refuse it)."""
    for name, limit in FIELD_LIMITS.items():
        value = getattr(conv, name)
        if value is not None and len(value) > limit:
            return f"{name}: at most {limit} characters (this one has {len(value)})"
    team = conv.metadata.get("team")
    if isinstance(team, str) and len(team.strip()) > _TEAM_NAME_LIMIT:
        return f"metadata.team: at most {_TEAM_NAME_LIMIT} characters (this one has {len(team)})"
    return None


def store_conversations(
    session: Session,
    conversations: Sequence[EngineConversation],
    *,
    analyzer: Analyzer,
    options: ImportOptions,
) -> ImportResult:
    """Redact, analyse and upsert *conversations* in the session's transaction.

    The rows are written together (one flush, so inserts go in batches), and what they need
    from the database (existing rows, teams, follow-ups) is read a batch at a time: storing
    a conversation row by row cost five statements and four times its analysis.
    """
    result = ImportResult()
    rubric_version, analyzer = rubrics.active_analyzer(session, analyzer)
    existing: dict[str, Conversation] = rows_by(
        session, Conversation.external_id, [conv.id for conv in conversations]
    )
    teams = _Teams(session, options)
    now = utcnow()
    rows: list[Conversation] = []
    with session.no_autoflush:  # one flush below, so that rows are inserted in batches
        for conv in conversations:
            record, count = options.redactor.redact_conversation(conv.to_dict())
            if options.agent_id:
                record["agent_id"] = options.agent_id
            redacted = conversation_from_dict(record)
            analysis = analysis_to_dict(analyzer.analyze(redacted), explain=True)
            row = existing.get(redacted.id)
            if row is None:
                row = Conversation(external_id=redacted.id, imported_at=now)
                result.created += 1
            else:
                result.updated += 1
            row.started_at = _started(redacted, row.imported_at)
            row.team_id = teams.of(redacted)
            row.agent_id = redacted.agent_id
            row.channel = redacted.channel
            row.customer_name = redacted.customer_name
            row.customer_ref = customer_ref_of(record)
            row.updated_at = now
            row.source = options.source[:255]
            row.turn_count = len(redacted.turns)
            row.redactions = count
            row.record = record
            replace_analysis(row, analysis)
            row.rubric_version = rubric_version
            session.add(row)  # complete: a team's creation flushes what the session holds
            rows.append(row)
            result.ids.append(redacted.id)
            result.redactions += count
    session.flush()
    # A task for the agent when a conversation started badly and ended well.
    tasks = rows_by(session, FollowUp.conversation_id, [row.id for row in existing.values()])
    for row in rows:
        consider_followup(session, row, tasks)
    return result


class _Teams:
    """The team each conversation of one import goes to, each name and agent looked up once."""

    def __init__(self, session: Session, options: ImportOptions) -> None:
        self.session = session
        self.options = options
        self.named: dict[str, int] = {}
        self.by_agent: dict[str, int | None] = {}

    def of(self, conv: EngineConversation) -> int | None:
        """The team named by the import or the record, else the agent's first team, else none."""
        named = self.options.team or conv.metadata.get("team")
        if isinstance(named, str) and named.strip():
            key = named.strip()
            if key not in self.named:
                self.named[key] = get_or_create_team(self.session, key).id
            return self.named[key]
        if not conv.agent_id:
            return None
        if conv.agent_id not in self.by_agent:
            agent = self.session.scalar(select(User).where(User.agent_id == conv.agent_id))
            first = agent.teams[0].id if agent is not None and agent.teams else None
            self.by_agent[conv.agent_id] = first
        return self.by_agent[conv.agent_id]


def replace_analysis(row: Conversation, analysis: dict[str, Any]) -> None:
    """Put a fresh machine analysis on a conversation row: score, flags, labels, engine version."""
    row.analysis = analysis
    row.score = analysis.get("score")
    row.deescalated = analysis.get("deescalated")
    row.escalated = analysis.get("escalated")
    staff_scores = [t["score"] for t in analysis["turns"] if t.get("score") is not None]
    row.lowest_turn_score = min(staff_scores) if staff_scores else None
    row.engine_version = warmline.__version__
    row.labels = list(_labels(analysis))


def _labels(analysis: Mapping[str, Any]) -> Iterator[Label]:
    for turn in analysis["turns"]:
        index = turn["index"]
        for emo in turn.get("emotions", []):
            yield Label(turn=index, kind="emotion", label=emo["label"], score=emo["score"])
        for beh in turn.get("behaviours", []):
            kind = "anti_pattern" if beh["id"] in _ANTI else "behaviour"
            yield Label(
                turn=index,
                kind=kind,
                label=beh["id"],
                start=beh["start"],
                end=beh["end"],
                score=beh["score"],
            )
    for miss in analysis.get("missed_opportunities", []):
        yield Label(turn=-1, kind="missed", label=miss["label"])


_ANTI = frozenset(ANTI_PATTERNS)


def _started(conv: EngineConversation, fallback: datetime) -> datetime:
    for turn in conv.turns:
        if turn.timestamp:
            try:
                when = datetime.fromisoformat(turn.timestamp.replace("Z", "+00:00"))
            except ValueError:
                continue
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return fallback


def import_conversations(
    session: Session,
    items: Iterable[EngineConversation | InputError | Any],
    *,
    analyzer: Analyzer,
    options: ImportOptions,
    pool: ImportPool | None = None,
) -> ImportResult:
    """Validate everything first; store all of it, or nothing when any record is bad.

    With a *pool* a worker process stores them, in a transaction of its own (the web app:
    draft checks then never wait behind an import).
    """
    good, bad = validate_records(items)
    if bad:
        result = ImportResult(errors=bad[:MAX_REPORTED_ERRORS])
        raise ImportRefused(result, total=len(good) + len(bad), bad=len(bad))
    if pool is not None:
        return pool.store(good, options)
    return store_conversations(session, good, analyzer=analyzer, options=options)


class ImportRefused(InvalidInputError):
    """An import with bad records; nothing was stored. ``result.errors`` says where."""

    def __init__(self, result: ImportResult, *, total: int, bad: int) -> None:
        self.result = result
        first = result.errors[0]
        where = f"line {first.line}" if first.line is not None else f"record {first.position}"
        super().__init__(
            f"{bad} of {total} records could not be read, so nothing was imported; "
            f"first: {where}: {first.message}"
        )


# ----------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    """Filters shared by lists, dashboards and exports."""

    team_id: int | None = None
    agent_id: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def apply_filter(stmt: Any, flt: ConversationFilter) -> Any:
    """Add *flt*'s conditions to a statement over :class:`Conversation`."""
    if flt.team_id is not None:
        stmt = stmt.where(Conversation.team_id == flt.team_id)
    if flt.agent_id:
        stmt = stmt.where(Conversation.agent_id == flt.agent_id)
    if flt.channel:
        stmt = stmt.where(Conversation.channel == flt.channel)
    if flt.since is not None:
        stmt = stmt.where(Conversation.started_at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(Conversation.started_at <= flt.until)
    return stmt


def get_conversation(session: Session, user: User, external_id: str) -> Conversation:
    """One conversation by its id, if *user* may see it; else :class:`NotFoundError`."""
    row = session.scalar(select(Conversation).where(Conversation.external_id == external_id))
    if row is None:
        raise NotFoundError(f"no conversation with id {external_id!r}")
    visible = session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.id == row.id, conversation_filter(session, user))
    )
    if not visible:
        raise ForbiddenError(f"conversation {external_id!r} is outside what your role may see")
    return row


def list_conversations(
    session: Session,
    user: User,
    flt: ConversationFilter,
    *,
    order: str = "recent",
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Conversation], int]:
    """Conversations *user* may see matching *flt*, newest first (or lowest score first), and the total."""
    base = apply_filter(select(Conversation).where(conversation_filter(session, user)), flt)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if order == "lowest":
        base = base.order_by(
            Conversation.score.is_(None), Conversation.score, Conversation.started_at.desc()
        )
    else:
        base = base.order_by(Conversation.started_at.desc(), Conversation.id.desc())
    rows = list(session.scalars(base.limit(limit).offset(offset)))
    return rows, total


def team_of(session: Session, team_id: int | None) -> Team | None:
    """The team with this id, or None."""
    return session.get(Team, team_id) if team_id is not None else None


__all__ = [
    "ConversationFilter",
    "ImportOptions",
    "ImportRefused",
    "ImportResult",
    "RecordError",
    "apply_filter",
    "get_conversation",
    "import_conversations",
    "list_conversations",
    "replace_analysis",
    "store_conversations",
    "team_of",
    "validate_records",
]
