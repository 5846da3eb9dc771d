"""The curriculum's content as frozen dataclasses: Module → Lesson, Exercise, assessment items.

Everything here is read from the YAML files in ``modules/`` by
:mod:`warmline.practice.curriculum.loader`; no prose lives in code. An assessment item is an
:class:`Exercise` like any other, listed under a module's ``assessment.pre`` or ``.post``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from warmline.practice.curriculum.errors import UnknownModuleError

#: The kinds of exercise the graders know (see :mod:`warmline.practice.curriculum.grading`).
KINDS: Final[tuple[str, ...]] = (
    "paraphrase",
    "name_emotion",
    "reflect_feeling",
    "clarifying_question",
    "rewrite_macro",
    "graceful_no",
    "spot_bias",
    "free_reply",
)
#: Kinds whose answer is a reply written to the customer (graded with the draft check).
REPLY_KINDS: Final[frozenset[str]] = frozenset(KINDS) - {"name_emotion", "spot_bias"}

#: The skills exercises train; progress reports mastery per skill.
SKILLS: Final[tuple[str, ...]] = (
    "recognising_emotion",
    "acknowledging",
    "paraphrasing",
    "reflecting_feelings",
    "clarifying_questions",
    "self_regulation",
    "personalisation",
    "graceful_no",
    "problem_solving",
    "follow_up",
    "bias_awareness",
)

PHASES: Final[tuple[str, ...]] = ("pre", "post")


@dataclass(frozen=True, slots=True)
class ContextTurn:
    """One turn of the conversation an exercise is set in."""

    speaker: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """Interchange-format turn data."""
        return {"speaker": self.speaker, "text": self.text}


@dataclass(frozen=True, slots=True)
class Lesson:
    """A short lesson: a few markdown paragraphs and the points to remember."""

    id: str
    title: str
    body: str
    key_points: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "key_points": list(self.key_points),
        }


@dataclass(frozen=True, slots=True)
class Exercise:
    """One gradable exercise (or assessment item); which fields matter depends on ``kind``.

    ``key_facts`` are groups of alternative words: an answer covers a fact when it contains
    any word of its group. ``biased`` holds the 1-based numbers of the ``sentences`` that
    show bias (``spot_bias``); ``answer`` and ``accept`` the emotion and extra accepted words
    (``name_emotion``, ``reflect_feeling``); ``original`` the macro or the bare no to rewrite.
    """

    id: str
    kind: str
    skill: str
    prompt: str
    model_answer: str
    poor_example: str
    context: tuple[ContextTurn, ...] = ()
    customer_name: str | None = None
    original: str | None = None
    threshold: int | None = None
    requires: tuple[str, ...] = ()
    key_facts: tuple[tuple[str, ...], ...] = ()
    min_facts: int | None = None
    use_name: bool = False
    answer: str | None = None
    accept: tuple[str, ...] = ()
    sentences: tuple[str, ...] = ()
    biased: tuple[int, ...] = ()
    notes: dict[int, str] = field(default_factory=dict, hash=False)

    @property
    def facts_needed(self) -> int:
        """How many key facts an answer must cover (all of them unless ``min_facts`` says)."""
        return len(self.key_facts) if self.min_facts is None else self.min_facts

    def to_dict(self, *, with_answers: bool = True) -> dict[str, Any]:
        """JSON-ready data; ``with_answers=False`` leaves out what would give the answer away."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "skill": self.skill,
            "prompt": self.prompt,
            "context": [t.to_dict() for t in self.context],
            "customer_name": self.customer_name,
            "original": self.original,
            "sentences": list(self.sentences),
        }
        if with_answers:
            data.update(
                model_answer=self.model_answer,
                poor_example=self.poor_example,
                threshold=self.threshold,
                requires=list(self.requires),
                key_facts=[list(f) for f in self.key_facts],
                facts_needed=self.facts_needed,
                use_name=self.use_name,
                answer=self.answer,
                accept=list(self.accept),
                biased=list(self.biased),
                notes={str(k): v for k, v in self.notes.items()},
            )
        return data


@dataclass(frozen=True, slots=True)
class Module:
    """A training module: lessons, exercises and its share of the pre- and post-assessment."""

    id: str
    title: str
    summary: str
    order: int
    lessons: tuple[Lesson, ...]
    exercises: tuple[Exercise, ...]
    pre: tuple[Exercise, ...] = ()
    post: tuple[Exercise, ...] = ()

    @property
    def skills(self) -> tuple[str, ...]:
        """The skills this module's exercises train, in the order they first appear."""
        return tuple(dict.fromkeys(e.skill for e in self.exercises))

    def lesson(self, lesson_id: str) -> Lesson:
        """The lesson with this id; UnknownModuleError lists the module's lesson ids."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise UnknownModuleError(f"lesson of {self.id}", lesson_id, (x.id for x in self.lessons))

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise or assessment item with this id; UnknownModuleError lists them."""
        for item in self.items():
            if item.id == exercise_id:
                return item
        raise UnknownModuleError(
            f"exercise of {self.id}", exercise_id, (x.id for x in self.items())
        )

    def items(self) -> Iterator[Exercise]:
        """Every gradable item: the exercises, then the pre- and post-assessment items."""
        yield from self.exercises
        yield from self.pre
        yield from self.post

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """JSON-ready summary; ``full=True`` adds the lessons and exercises (with answers)."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "order": self.order,
            "skills": list(self.skills),
            "lessons": [{"id": lesson.id, "title": lesson.title} for lesson in self.lessons],
            "exercises": [{"id": e.id, "kind": e.kind, "skill": e.skill} for e in self.exercises],
        }
        if full:
            data["lessons"] = [lesson.to_dict() for lesson in self.lessons]
            data["exercises"] = [e.to_dict() for e in self.exercises]
            data["assessment"] = {
                "pre": [e.to_dict() for e in self.pre],
                "post": [e.to_dict() for e in self.post],
            }
        return data


__all__ = [
    "KINDS",
    "PHASES",
    "REPLY_KINDS",
    "SKILLS",
    "ContextTurn",
    "Exercise",
    "Lesson",
    "Module",
]
