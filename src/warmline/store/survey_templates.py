"""Survey templates: a name and an ordered list of questions, checked with clear errors.

A question has a ``key`` (lower-case letters, digits and ``_``; unique in its template), a
``kind`` — ``scale`` (1–5 with five words), ``yes_no`` or ``text`` — the ``text`` the customer
reads, and optionally ``required`` and ``feeds``. ``feeds`` ties an answer to the results:
``csat`` (a scale question; every template has exactly one), ``fcr`` (a yes/no question whose
"yes" means solved on first contact; at most one) and ``comment`` (a text question the engine
reads like a customer turn; at most one). The built-in default ships as
``store/data/survey_default.yaml``; admins add more (templates are never edited, so a stored
answer always reads against the questions that were asked).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store.access import require_role
from warmline.store.errors import ConflictError, InvalidInputError, NotFoundError
from warmline.store.feedback_tables import SurveyTemplate
from warmline.store.tables import User

QUESTION_KINDS: Final = ("scale", "yes_no", "text")
#: What each ``feeds`` value needs as its question's kind.
FEEDS: Final = {"csat": "scale", "fcr": "yes_no", "comment": "text"}
MAX_QUESTIONS: Final = 12
MAX_TEXT: Final = 300
MAX_LABEL: Final = 40
MAX_NAME: Final = 120
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_FIELDS: Final = frozenset({"key", "kind", "text", "labels", "required", "feeds"})


@dataclass(frozen=True, slots=True)
class TemplateView:
    """A template as the app shows it; ``id`` is None for the built-in default."""

    id: int | None
    name: str
    questions: list[dict[str, Any]]
    builtin: bool
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "name": self.name,
            "builtin": self.builtin,
            "questions": self.questions,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


def check_name(raw: Any) -> str:
    """A template name: 1–120 characters once trimmed."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInputError("name: give the template a name, e.g. 'After a refund'")
    name = raw.strip()
    if len(name) > MAX_NAME:
        raise InvalidInputError(f"name: at most {MAX_NAME} characters (got {len(name)})")
    return name


def check_questions(raw: Any) -> list[dict[str, Any]]:
    """Check and normalise a list of questions; the error names the question and field."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInputError("questions: expected a non-empty list of questions")
    if len(raw) > MAX_QUESTIONS:
        raise InvalidInputError(f"questions: at most {MAX_QUESTIONS} (got {len(raw)})")
    out = [_question(i, q) for i, q in enumerate(raw)]
    keys = [q["key"] for q in out]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise InvalidInputError(f"questions[{i}].key: {key!r} is used twice; keys must differ")
    for feed in FEEDS:
        users = [i for i, q in enumerate(out) if q.get("feeds") == feed]
        if len(users) > 1:
            raise InvalidInputError(
                f"questions[{users[1]}].feeds: only one question may feed {feed!r}"
            )
        if feed == "csat" and not users:
            raise InvalidInputError(
                "questions: one scale question needs `feeds: csat` (every survey asks how it went)"
            )
    return out


def _question(i: int, raw: Any) -> dict[str, Any]:
    where = f"questions[{i}]"
    if not isinstance(raw, Mapping):
        raise InvalidInputError(f"{where}: expected an object with key, kind and text")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown field {unknown[0]!r}; expected {', '.join(sorted(_FIELDS))}"
        )
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidInputError(
            f"{where}.key: expected lower-case letters, digits and _ (a letter first), "
            f"at most 40, e.g. 'solved'; got {key!r}"
        )
    kind = raw.get("kind")
    if kind not in QUESTION_KINDS:
        raise InvalidInputError(f"{where}.kind: expected one of {', '.join(QUESTION_KINDS)}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > MAX_TEXT:
        raise InvalidInputError(f"{where}.text: the question, 1 to {MAX_TEXT} characters")
    required = raw.get("required", kind == "scale" and raw.get("feeds") == "csat")
    if not isinstance(required, bool):
        raise InvalidInputError(f"{where}.required: expected true or false")
    question: dict[str, Any] = {"key": key, "kind": kind, "text": text.strip()}
    question["required"] = required
    feeds = raw.get("feeds")
    if feeds is not None:
        if feeds not in FEEDS:
            raise InvalidInputError(f"{where}.feeds: expected one of {', '.join(FEEDS)}")
        if FEEDS[feeds] != kind:
            raise InvalidInputError(f"{where}.feeds: {feeds!r} needs a {FEEDS[feeds]} question")
        question["feeds"] = feeds
    if kind == "scale":
        question["labels"] = _labels(where, raw.get("labels"))
    elif "labels" in raw:
        raise InvalidInputError(f"{where}.labels: only scale questions have labels")
    return question


def _labels(where: str, raw: Any) -> list[str]:
    if raw is None:
        return list(default_scale_labels())
    if (
        not isinstance(raw, list)
        or len(raw) != 5
        or not all(isinstance(w, str) and w.strip() and len(w.strip()) <= MAX_LABEL for w in raw)
    ):
        raise InvalidInputError(
            f"{where}.labels: expected five words or short phrases for 1 to 5 "
            f"(at most {MAX_LABEL} characters each), e.g. Very unhappy … Very happy"
        )
    return [w.strip() for w in raw]


@cache
def _default() -> TemplateView:
    text = resources.files("warmline.store").joinpath("data/survey_default.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return TemplateView(None, check_name(data["name"]), check_questions(data["questions"]), True)


def default_template() -> TemplateView:
    """The built-in template (``store/data/survey_default.yaml``)."""
    return _default()


def default_scale_labels() -> tuple[str, ...]:
    """The five words of the default CSAT scale, 1 to 5."""
    csat = next(q for q in _default().questions if q.get("feeds") == "csat")
    return tuple(csat["labels"])


def _view(row: SurveyTemplate) -> TemplateView:
    return TemplateView(row.id, row.name, list(row.questions), False, row.created_at)


def list_templates(session: Session, user: User) -> list[TemplateView]:
    """The built-in template, then the stored ones by name (coaches and admins)."""
    require_role(user, "admin", "coach")
    rows = session.scalars(select(SurveyTemplate).order_by(SurveyTemplate.name))
    return [default_template(), *(_view(r) for r in rows)]


def create_template(session: Session, user: User, *, name: Any, questions: Any) -> TemplateView:
    """Store a new template (admins only); its name must be new."""
    require_role(user, "admin")
    checked_name = check_name(name)
    checked = check_questions(questions)
    taken = session.scalar(select(SurveyTemplate.id).where(SurveyTemplate.name == checked_name))
    if taken is not None or checked_name == default_template().name:
        raise ConflictError(f"a survey template called {checked_name!r} already exists")
    row = SurveyTemplate(name=checked_name, questions=checked, created_by=user.id)
    session.add(row)
    session.flush()
    return _view(row)


def get_template(session: Session, template_id: int | None) -> TemplateView:
    """The template with this id, or the built-in default for None."""
    if template_id is None:
        return default_template()
    row = session.get(SurveyTemplate, template_id)
    if row is None:
        raise NotFoundError(f"no survey template with id {template_id}")
    return _view(row)


__all__ = [
    "FEEDS",
    "MAX_QUESTIONS",
    "QUESTION_KINDS",
    "TemplateView",
    "check_name",
    "check_questions",
    "create_template",
    "default_scale_labels",
    "default_template",
    "get_template",
    "list_templates",
]
