"""Human reviews of machine annotations: agree or disagree, with a comment, stored apart."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store.access import require_role
from warmline.store.errors import InvalidInputError
from warmline.store.tables import Conversation, Review, User

VERDICTS = ("agree", "disagree")
MAX_COMMENT = 4000


def add_review(
    session: Session,
    reviewer: User,
    conversation: Conversation,
    *,
    turn: int | None = None,
    label: str | None = None,
    start: int | None = None,
    end: int | None = None,
    verdict: str | None = None,
    comment: str = "",
) -> Review:
    """Record a coach's verdict on one annotation (or a comment on a turn or the conversation)."""
    require_role(reviewer, "admin", "coach")
    comment = comment.strip()
    if verdict is not None and verdict not in VERDICTS:
        raise InvalidInputError(f"verdict {verdict!r}: expected agree or disagree")
    if verdict is None and not comment:
        raise InvalidInputError("a review needs a verdict (agree/disagree) or a comment")
    if len(comment) > MAX_COMMENT:
        raise InvalidInputError(f"comment: at most {MAX_COMMENT} characters")
    if label is not None:
        _check_annotation(conversation, turn, label, start, end)
    elif turn is not None and not 0 <= turn < conversation.turn_count:
        raise InvalidInputError(
            f"turn {turn}: the conversation has {conversation.turn_count} turns"
        )
    review = Review(
        conversation_id=conversation.id,
        reviewer_id=reviewer.id,
        turn=turn,
        label=label,
        start=start,
        end=end,
        verdict=verdict,
        comment=comment,
    )
    session.add(review)
    session.flush()
    return review


def _check_annotation(
    conversation: Conversation, turn: int | None, label: str, start: int | None, end: int | None
) -> None:
    turns: list[dict[str, Any]] = conversation.analysis["turns"]
    if turn is None or not 0 <= turn < len(turns):
        raise InvalidInputError(f"turn {turn}: the conversation has {len(turns)} turns")
    found = turns[turn].get("behaviours", []) + [
        {"id": e["label"], "start": None, "end": None} for e in turns[turn].get("emotions", [])
    ]
    for ann in found:
        if (
            ann["id"] == label
            and (start is None or ann["start"] == start)
            and (end is None or ann["end"] == end)
        ):
            return
    raise InvalidInputError(f"turn {turn} has no annotation {label!r} at {start}-{end}")


def list_reviews(session: Session, conversation: Conversation) -> list[Review]:
    """Every review of *conversation*, oldest first."""
    return list(
        session.scalars(
            select(Review)
            .where(Review.conversation_id == conversation.id)
            .order_by(Review.created_at, Review.id)
        )
    )


__all__ = ["VERDICTS", "add_review", "list_reviews"]
