"""Follow-up tasks: check back with customers whose conversation started badly but ended well.

The rule, applied whenever a conversation is stored (:func:`consider`, called by the import):
the engine found the conversation **de-escalated**, and the **first customer turn** carried a
negative emotion at the engine's top intensity (:data:`STRONG_INTENSITY`, 3 of 3) with a score
of at least :data:`STRONG_SCORE`. Then the conversation's agent gets one task, due
:data:`DUE_AFTER` after the conversation's last timestamp, with a reason saying why.

There is at most one task per conversation: a re-import never adds another. A re-import moves
an *open* task to the conversation's current agent; it never touches a closed one, nor removes
a task whose conversation no longer matches (someone may already be working on it).
Agents close their own tasks: done (a note is optional) or skipped (a reason is required).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warmline.engine.labels import NEGATIVE_EMOTIONS
from warmline.store.access import conversation_filter
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from warmline.store.feedback_tables import FOLLOWUP_STATES, FollowUp
from warmline.store.tables import Conversation, User, utcnow

#: "Strong" negative emotion: the engine's intensity runs 1–3; 3 is its strongest reading.
STRONG_INTENSITY: Final = 3
#: ...and the emotion detector is fairly sure of it.
STRONG_SCORE: Final = 0.6
#: A task is due this long after the conversation's last timestamp (or its start).
DUE_AFTER: Final = timedelta(days=2)
#: Open tasks due within this window count as "due soon" (the nav's badge counts them too).
DUE_SOON: Final = timedelta(days=2)
MAX_NOTE: Final = 2000


@dataclass(frozen=True, slots=True)
class Trigger:
    """Why a conversation needs a follow-up: its first and last customer feelings."""

    emotion: str
    score: float
    intensity: int
    ended: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored as the task's evidence)."""
        return {
            "emotion": self.emotion,
            "score": self.score,
            "intensity": self.intensity,
            "ended": self.ended,
        }


def trigger(analysis: Mapping[str, Any]) -> Trigger | None:
    """The reason *analysis* (``analysis_to_dict`` output) calls for a follow-up, or None."""
    if analysis.get("deescalated") is not True:
        return None
    customers = [t for t in analysis.get("turns", []) if t.get("speaker") == "customer"]
    if not customers:
        return None
    negative = [e for e in customers[0].get("emotions", []) if e["label"] in NEGATIVE_EMOTIONS]
    strong = [
        e for e in negative if e["intensity"] >= STRONG_INTENSITY and e["score"] >= STRONG_SCORE
    ]
    if not strong:
        return None
    first = max(strong, key=lambda e: (e["score"], e["label"]))
    last = customers[-1].get("emotions", [])
    ended = last[0]["label"] if last and len(customers) > 1 else None
    return Trigger(first["label"], float(first["score"]), int(first["intensity"]), ended)


@cache
def _wording() -> dict[str, dict[str, str]]:
    path = resources.files("warmline.store").joinpath("data/followups.yaml")
    data: dict[str, dict[str, str]] = yaml.safe_load(path.read_text("utf-8"))
    return data


def reason(found: Trigger, topic: str | None) -> str:
    """The task's reason in plain words, e.g. "Started very frustrated (frustration 0.97)..."."""
    words = _wording()
    feeling = words["feelings"].get(found.emotion, found.emotion)
    ending = words["endings"].get(found.ended or "", words["endings"]["default"])
    check = words["checks"].get((topic or "").strip().lower(), words["checks"]["default"])
    return f"Started very {feeling} ({found.emotion} {found.score:.2f}), ended {ending}: {check}."


def _ended_at(conv: Conversation) -> datetime:
    for turn in reversed(conv.record.get("turns") or []):
        stamp = turn.get("timestamp") if isinstance(turn, Mapping) else None
        if isinstance(stamp, str):
            try:
                when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            except ValueError:
                continue
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return conv.started_at


def consider(
    session: Session, conv: Conversation, known: Mapping[int, FollowUp]
) -> FollowUp | None:
    """Create (or re-assign) the follow-up *conv* calls for; idempotent over re-imports.

    *known*: the existing follow-ups of a batch of conversations that includes this one, by
    conversation id (read once per batch, not once per conversation).
    """
    existing = known.get(conv.id)
    if existing is not None:
        if existing.status == "open" and conv.agent_id:
            existing.agent_id = conv.agent_id
            existing.team_id = conv.team_id
        return existing
    found = trigger(conv.analysis)
    if found is None or not conv.agent_id:
        return None
    topic = (conv.record.get("metadata") or {}).get("topic")
    task = FollowUp(
        conversation_id=conv.id,
        agent_id=conv.agent_id,
        team_id=conv.team_id,
        reason=reason(found, topic if isinstance(topic, str) else None),
        evidence=found.to_dict(),
        due_at=_ended_at(conv) + DUE_AFTER,
        status="open",
    )
    session.add(task)
    session.flush()
    return task


# ----------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class FollowUpView:
    """One task as pages and the API show it."""

    id: int
    conversation: str
    agent_id: str | None
    customer_name: str | None
    reason: str
    due_at: datetime
    status: str
    overdue: bool
    #: Open, not overdue, and due within :data:`DUE_SOON`.
    due_soon: bool
    note: str
    closed_at: datetime | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "conversation_id": self.conversation,
            "agent_id": self.agent_id,
            "customer_name": self.customer_name,
            "reason": self.reason,
            "due_at": self.due_at.isoformat(),
            "status": self.status,
            "overdue": self.overdue,
            "due_soon": self.due_soon,
            "note": self.note,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class AgentStats:
    """One agent's tasks by state."""

    agent_id: str
    open: int = 0
    overdue: int = 0
    done: int = 0
    skipped: int = 0


@dataclass(slots=True)
class FollowUpList:
    """Tasks in scope: open ones (overdue first, then by due date), closed ones, stats."""

    open: list[FollowUpView] = field(default_factory=list)
    closed: list[FollowUpView] = field(default_factory=list)
    stats: list[AgentStats] = field(default_factory=list)


def _view(task: FollowUp, conv: Conversation, now: datetime) -> FollowUpView:
    is_open = task.status == "open"
    return FollowUpView(
        id=task.id,
        conversation=conv.external_id,
        agent_id=task.agent_id,
        customer_name=conv.customer_name,
        reason=task.reason,
        due_at=task.due_at,
        status=task.status,
        overdue=is_open and task.due_at < now,
        due_soon=is_open and now <= task.due_at <= now + DUE_SOON,
        note=task.note,
        closed_at=task.closed_at,
        created_at=task.created_at,
    )


def _scoped(session: Session, user: User) -> Any:
    stmt = select(FollowUp, Conversation).join(
        Conversation, Conversation.id == FollowUp.conversation_id
    )
    if user.role == "agent":  # an agent's tasks are theirs by agent id
        return stmt.where(FollowUp.agent_id == (user.agent_id or "\x00"))
    return stmt.where(conversation_filter(session, user))


def list_followups(
    session: Session,
    user: User,
    *,
    agent_id: str | None = None,
    status: str | None = None,
    limit: int = 500,
) -> FollowUpList:
    """Tasks *user* may see (agents: theirs; coaches: their teams'; admins: all)."""
    if status is not None and status not in FOLLOWUP_STATES:
        raise InvalidInputError(f"status: expected one of {', '.join(FOLLOWUP_STATES)}")
    stmt = _scoped(session, user)
    if agent_id:
        stmt = stmt.where(FollowUp.agent_id == agent_id)
    if status is not None:
        stmt = stmt.where(FollowUp.status == status)
    now = utcnow()
    out = FollowUpList()
    stats: dict[str, dict[str, int]] = {}
    rows = session.execute(stmt.order_by(FollowUp.due_at, FollowUp.id).limit(limit))
    for task, conv in rows:
        view = _view(task, conv, now)
        (out.open if task.status == "open" else out.closed).append(view)
        counts = stats.setdefault(task.agent_id or "", {})
        key = "overdue" if view.overdue else task.status
        counts[key] = counts.get(key, 0) + 1
    out.closed.sort(key=lambda v: v.closed_at or v.created_at, reverse=True)
    out.stats = [
        AgentStats(
            agent,
            open=c.get("open", 0) + c.get("overdue", 0),
            overdue=c.get("overdue", 0),
            done=c.get("done", 0),
            skipped=c.get("skipped", 0),
        )
        for agent, c in sorted(stats.items())
    ]
    return out


def get_followup(session: Session, user: User, task_id: int) -> FollowUpView:
    """One task *user* may see, else :class:`NotFoundError`."""
    row = session.execute(_scoped(session, user).where(FollowUp.id == task_id)).first()
    if row is None:
        raise NotFoundError(f"no follow-up with id {task_id}")
    task, conv = row
    return _view(task, conv, utcnow())


def due_count(session: Session, user: User) -> int:
    """Open tasks of *user*'s that are overdue or due soon (for the nav's badge)."""
    stmt = _scoped(session, user).where(
        FollowUp.status == "open", FollowUp.due_at <= utcnow() + DUE_SOON
    )
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


# ----------------------------------------------------------------- closing


def _own_open_task(session: Session, user: User, task_id: int) -> FollowUp:
    task = session.get(FollowUp, task_id)
    visible = (
        task is not None
        and session.execute(_scoped(session, user).where(FollowUp.id == task_id)).first()
    )
    if task is None or not visible:
        raise NotFoundError(f"no follow-up with id {task_id}")
    if user.role != "agent" or task.agent_id != user.agent_id:
        raise ForbiddenError("only the agent a follow-up belongs to can close it")
    if task.status != "open":
        when = f" on {task.closed_at:%Y-%m-%d}" if task.closed_at else ""
        raise ConflictError(f"follow-up {task_id} was already {task.status}{when}")
    return task


def complete(session: Session, user: User, task_id: int, *, note: str = "") -> FollowUp:
    """Mark one of the caller's tasks done, with an optional note."""
    task = _own_open_task(session, user, task_id)
    if len(note.strip()) > MAX_NOTE:
        raise InvalidInputError(f"note: at most {MAX_NOTE} characters")
    return _close(session, user, task, "done", note.strip())


def skip(session: Session, user: User, task_id: int, *, reason_text: str) -> FollowUp:
    """Skip one of the caller's tasks; saying why is required."""
    task = _own_open_task(session, user, task_id)
    text = reason_text.strip()
    if not text:
        raise InvalidInputError("reason: say why you are skipping this follow-up")
    if len(text) > MAX_NOTE:
        raise InvalidInputError(f"reason: at most {MAX_NOTE} characters")
    return _close(session, user, task, "skipped", text)


def _close(session: Session, user: User, task: FollowUp, status: str, note: str) -> FollowUp:
    task.status = status
    task.note = note
    task.closed_at = utcnow()
    task.closed_by = user.id
    session.flush()
    return task


__all__ = [
    "DUE_AFTER",
    "DUE_SOON",
    "STRONG_INTENSITY",
    "STRONG_SCORE",
    "AgentStats",
    "FollowUpList",
    "FollowUpView",
    "Trigger",
    "complete",
    "consider",
    "due_count",
    "get_followup",
    "list_followups",
    "reason",
    "skip",
    "trigger",
]
