"""Versioned rubrics: the scoring weights as numbered versions, so old scores keep theirs.

Version 1 is the shipped ``scoring.yaml`` (recorded by migration 0006, or here on first use
if the table is empty). An admin publishes a new version; the highest version is the active
one and scores every import from then on. Each conversation records the version it was
scored with; :func:`rescore` re-analyses older ones on an admin's explicit request.

A new version must have exactly the shipped structure (same sections and keys, a number at
every leaf); :class:`RubricError` lists every problem as ``path: expected ...``.
"""

from __future__ import annotations

import copy
import json
import math
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warmline.engine.pipeline import Analyzer
from warmline.engine.scoring import Scorer, load_weights
from warmline.engine.serialize import analysis_to_dict
from warmline.store.access import require_role
from warmline.store.calibration_tables import Rubric
from warmline.store.errors import ConflictError, InvalidInputError, NotFoundError
from warmline.store.tables import Conversation, User

#: Longest note kept with a version.
MAX_NOTE = 2000
#: Leaves that are points on the 0-100 scale rather than free weights.
_BOUNDED = {"base": (0.0, 100.0)}


class RubricError(InvalidInputError):
    """Weights that do not fit the rubric's structure; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"the rubric was not published: {'; '.join(problems)}")


# ----------------------------------------------------------------- validation


def parse_rubric_text(text: str) -> Any:
    """The data of a YAML or JSON text (JSON is YAML too); a syntax error says where."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInputError(f"the rubric is not valid YAML or JSON: {where}{problem}") from exc


def validate_weights(raw: Any) -> dict[str, Any]:
    """*raw* checked against the shipped structure; raises :class:`RubricError` listing problems."""
    problems: list[str] = []
    _check(raw, load_weights(), "", problems)
    if problems:
        raise RubricError(problems)
    # A plain JSON copy: what is stored is exactly what is checked.
    checked: dict[str, Any] = json.loads(json.dumps(raw))
    return checked


def _check(value: Any, shipped: Any, path: str, problems: list[str]) -> None:
    where = path or "the rubric"
    if isinstance(shipped, Mapping):
        if not isinstance(value, Mapping):
            keys = ", ".join(shipped)
            problems.append(f"{where}: expected a mapping with {keys}, got {_kind(value)}")
            return
        for key in shipped:
            if key not in value:
                problems.append(f"{_join(path, key)}: expected a value, it is missing")
        for key in value:
            if key not in shipped:
                known = ", ".join(str(k) for k in shipped)
                problems.append(f"{_join(path, str(key))}: unknown key; expected one of {known}")
        for key in shipped:
            if key in value:
                _check(value[key], shipped[key], _join(path, key), problems)
        return
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or (isinstance(value, float) and not math.isfinite(value)):
        problems.append(f"{where}: expected a number, got {_kind(value)}")
        return
    low, high = _BOUNDED.get(path, (0.0, 1000.0))
    if not low <= value <= high:
        shown = repr(value) if len(repr(value)) <= 20 else repr(value)[:12] + "..."
        problems.append(f"{where}: expected a number from {low:g} to {high:g}, got {shown}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return repr(value)


# ----------------------------------------------------------------- versions


def list_rubrics(session: Session) -> list[Rubric]:
    """Every version, newest first (version 1 is recorded if the table is empty)."""
    active_rubric(session)
    return list(session.scalars(select(Rubric).order_by(Rubric.version.desc())))


def active_rubric(session: Session) -> Rubric:
    """The highest version; records version 1 (the shipped weights) if there is none."""
    row = session.scalars(select(Rubric).order_by(Rubric.version.desc()).limit(1)).first()
    if row is None:
        row = Rubric(version=1, weights=load_weights(), note="the shipped scoring.yaml")
        session.add(row)
        session.flush()
    return row


def active_version(session: Session) -> int:
    """The number of the active version."""
    return active_rubric(session).version


def get_rubric(session: Session, version: int) -> Rubric:
    """One version, or :class:`NotFoundError`."""
    if version == 1:
        active_rubric(session)  # records version 1 if the table is still empty
    row = session.scalars(select(Rubric).where(Rubric.version == version)).first()
    if row is None:
        raise NotFoundError(f"no rubric version {version}; GET /api/v1/rubrics lists them")
    return row


def publish_rubric(session: Session, user: User | None, raw: Any, *, note: str = "") -> Rubric:
    """Store *raw* weights as the next version (admins; None is the operator at the command
    line); it scores imports from now on."""
    if user is not None:
        require_role(user, "admin")
    weights = validate_weights(raw)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInputError(f"note: at most {MAX_NOTE} characters, got {len(note)}")
    current = active_rubric(session)
    if weights == current.weights:
        raise ConflictError(
            f"these weights are the same as the active version {current.version}; "
            "nothing was published"
        )
    author = user.id if user is not None else None
    row = Rubric(version=current.version + 1, weights=weights, note=note, author_id=author)
    session.add(row)
    session.flush()
    return row


def conversations_per_version(session: Session) -> dict[int, int]:
    """How many stored conversations were scored with each version."""
    rows = session.execute(
        select(Conversation.rubric_version, func.count()).group_by(Conversation.rubric_version)
    )
    return {int(version): int(count) for version, count in rows}


class _RubricDumper(yaml.SafeDumper):
    """Small mappings of numbers (need levels, mode factors) on one line, the rest in blocks."""

    def represent_dict(self, data: Any) -> yaml.Node:  # type: ignore[override]
        node = super().represent_dict(data)
        small = len(data) <= 3 and not any(isinstance(v, Mapping) for v in data.values())
        node.flow_style = small
        return node


_RubricDumper.add_representer(dict, _RubricDumper.represent_dict)


def rubric_yaml(rubric: Rubric) -> str:
    """A version's weights as YAML, in the shipped order, to copy and edit."""
    return yaml.dump(rubric.weights, Dumper=_RubricDumper, sort_keys=False, width=100)


# ----------------------------------------------------------------- scoring with a version

_lock = threading.Lock()
_analyzers: weakref.WeakKeyDictionary[Analyzer, dict[str, Analyzer]] = weakref.WeakKeyDictionary()


def analyzer_for(base: Analyzer, rubric: Rubric) -> Analyzer:
    """*base* scoring with *rubric*'s weights: *base* itself when they match, else a cached copy.

    The copy shares the detectors, coach and calibrator (built once); only the scorer differs.
    Copies are kept by the weights themselves, not the version number: two databases (or a
    rubric table started again) can give one number different weights.
    """
    if base.scorer.w == rubric.weights:
        return base
    key = json.dumps(rubric.weights)  # key order kept: the scorer spends caps in that order
    with _lock:
        per_weights = _analyzers.setdefault(base, {})
        found = per_weights.get(key)
        if found is None:
            found = copy.copy(base)
            found.scorer = Scorer(copy.deepcopy(rubric.weights))
            per_weights[key] = found
        return found


def active_analyzer(session: Session, base: Analyzer) -> tuple[int, Analyzer]:
    """The active version and an analyzer that scores with it."""
    rubric = active_rubric(session)
    return rubric.version, analyzer_for(base, rubric)


# ----------------------------------------------------------------- re-scoring


@dataclass(frozen=True, slots=True)
class RescoreResult:
    """What a re-score did: the version now on the rescored rows, how many, how many remain."""

    version: int
    rescored: int
    remaining: int

    def to_dict(self) -> dict[str, int]:
        """JSON-ready form."""
        return {"version": self.version, "rescored": self.rescored, "remaining": self.remaining}


def rescore(
    session: Session, user: User | None, base: Analyzer, *, limit: int | None = None
) -> RescoreResult:
    """Re-analyse conversations scored with an older version (oldest first) with the active one.

    An explicit admin action (None is the operator): their stored (already redacted) record is
    analysed again, and the score, labels and versions replaced; the record is unchanged.
    """
    if user is not None:
        require_role(user, "admin")
    if limit is not None and limit < 1:
        raise InvalidInputError(f"limit: expected 1 or more, got {limit}")
    # Imported here: the import path imports this module.
    from warmline.store.conversations import replace_analysis

    version, analyzer = active_analyzer(session, base)
    stale = select(Conversation).where(Conversation.rubric_version != version)
    rows = list(session.scalars(stale.order_by(Conversation.id).limit(limit)))
    for row in rows:
        analysis = analysis_to_dict(analyzer.analyze(row.record), explain=True)
        replace_analysis(row, analysis)
        row.rubric_version = version
    session.flush()
    left = session.scalar(select(func.count()).select_from(stale.subquery())) or 0
    return RescoreResult(version, len(rows), left)


__all__ = [
    "MAX_NOTE",
    "RescoreResult",
    "RubricError",
    "active_analyzer",
    "active_rubric",
    "active_version",
    "analyzer_for",
    "conversations_per_version",
    "get_rubric",
    "list_rubrics",
    "parse_rubric_text",
    "publish_rubric",
    "rescore",
    "rubric_yaml",
    "validate_weights",
]
