"""Tables of the training curriculum: graded attempts and module assignments.

Only records live here; the curriculum itself (modules, lessons, exercises) is data shipped
with :mod:`warmline.practice.curriculum`, and progress and assignment status are derived
from the attempts (see :mod:`warmline.store.curriculum`), never stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warmline.store.tables import Base, User, utcnow

#: Where an attempt was made: a module's exercise, or the pre- or post-assessment.
ATTEMPT_PHASES: Final[tuple[str, ...]] = ("exercise", "pre", "post")


class CurriculumAttempt(Base):
    """One graded answer by a user to an Exercise or an assessment item of a Module."""

    __tablename__ = "curriculum_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(120))
    #: The exercise id, or the assessment item id when ``phase`` is pre or post.
    exercise_id: Mapped[str] = mapped_column(String(120))
    phase: Mapped[str] = mapped_column(String(8), default="exercise")
    answer: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[int] = mapped_column(Integer)
    #: ``Grade.to_dict()``: feedback, evidence and the model answer, as shown after grading.
    grade: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_curriculum_attempts_user_module", "user_id", "module_id"),)


class CurriculumAssignment(Base):
    """A Module a coach or admin asked an Agent to complete by a due date."""

    __tablename__ = "curriculum_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    module_id: Mapped[str] = mapped_column(String(120))
    due: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    agent: Mapped[User] = relationship(foreign_keys=[agent_id], lazy="joined")
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id], lazy="joined")


__all__ = ["ATTEMPT_PHASES", "CurriculumAssignment", "CurriculumAttempt"]
