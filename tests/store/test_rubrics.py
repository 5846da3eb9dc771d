"""Versioned rubrics on a real SQLite file and a real PostgreSQL server: version 1 is the
shipped weights, publishing checks the structure, imports record the version, old scores stay."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete

from tests.calibration_data import calibration_conversation
from tests.store.people import add_people, user_by_email
from warmline.engine.pipeline import Analyzer
from warmline.engine.scoring import load_weights
from warmline.redact import Redactor
from warmline.store import rubrics
from warmline.store.calibration_tables import Rubric
from warmline.store.conversations import ImportOptions, get_conversation, import_conversations
from warmline.store.db import Database, upgrade
from warmline.store.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    with database.session() as s:
        add_people(s)
    yield database
    database.dispose()


def _import(db: Database, analyzer: Analyzer, cid: str) -> None:
    with db.session() as s:
        import_conversations(
            s, [calibration_conversation(cid, "a1")], analyzer=analyzer,
            options=ImportOptions(redactor=Redactor()),
        )  # fmt: skip


def _changed(**changes: Any) -> dict[str, Any]:
    weights = copy.deepcopy(load_weights())
    weights.update(changes)
    return weights


def test_version_one_is_the_shipped_weights(db: Database) -> None:
    with db.session() as s:
        assert [r.version for r in rubrics.list_rubrics(s)] == [1]
        assert rubrics.active_rubric(s).weights == load_weights()
        assert rubrics.get_rubric(s, 1).note == "the shipped scoring.yaml"
        with pytest.raises(NotFoundError, match="no rubric version 7"):
            rubrics.get_rubric(s, 7)


def test_version_one_is_recorded_again_if_the_table_was_emptied(db: Database) -> None:
    with db.session() as s:
        s.execute(delete(Rubric))
    with db.session() as s:
        assert rubrics.active_version(s) == 1
        assert rubrics.get_rubric(s, 1).weights == load_weights()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a mapping", "the rubric: expected a mapping with base, emotional"),
        (_changed(base="lots"), "base: expected a number, got the text 'lots'"),
        (_changed(base=150), "base: expected a number from 0 to 100, got 150"),
        (_changed(base=10**400), "base: expected a number from 0 to 100, got 100000000000..."),
        (_changed(specific_cap=float("nan")), "specific_cap: expected a number, got nan"),
        (_changed(bonus=3), "bonus: unknown key; expected one of base"),
        ({k: v for k, v in load_weights().items() if k != "abuse"}, "abuse: expected a value, it is missing"),
        (_changed(action={**load_weights()["action"], "solution": True}), "action.solution: expected a number, got true"),
        (_changed(emotional={**load_weights()["emotional"], "apology": 3}), "emotional.apology: expected a mapping with none, some, high, got 3"),
        (_changed(anti_patterns={**load_weights()["anti_patterns"], "blame": -5}), "anti_patterns.blame: expected a number from 0 to 1000, got -5"),
    ],
)  # fmt: skip
def test_publishing_checks_the_structure_and_says_where(db: Database, raw: Any, message: str) -> None:
    with db.session() as s, pytest.raises(rubrics.RubricError) as caught:
        rubrics.publish_rubric(s, user_by_email(s, "admin@x.io"), raw)
    assert message in str(caught.value)
    with db.session() as s:
        assert rubrics.active_version(s) == 1  # nothing was stored


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(rubrics.RubricError) as caught:
        rubrics.validate_weights(_changed(base=None, specific_cap="x", extra=1))
    assert len(caught.value.problems) == 3


def test_only_admins_publish_and_a_copy_of_the_active_is_refused(db: Database) -> None:
    with db.session() as s, pytest.raises(ForbiddenError):
        rubrics.publish_rubric(s, user_by_email(s, "coach@x.io"), _changed(base=40))
    with db.session() as s, pytest.raises(ConflictError, match="same as the active version 1"):
        rubrics.publish_rubric(s, user_by_email(s, "admin@x.io"), load_weights())
    with db.session() as s, pytest.raises(InvalidInputError, match="note: at most"):
        rubrics.publish_rubric(s, user_by_email(s, "admin@x.io"), _changed(base=40), note="x" * 3000)


def test_yaml_errors_say_where() -> None:
    with pytest.raises(InvalidInputError, match="line 2, column 9"):
        rubrics.parse_rubric_text("base: 50\naction: : 3\n")
    assert rubrics.parse_rubric_text(rubrics.rubric_yaml(Rubric(version=1, weights=load_weights()))) == load_weights()


def test_imports_record_the_active_version_and_old_scores_keep_theirs(db: Database, analyzer: Analyzer) -> None:
    _import(db, analyzer, "old")
    with db.session() as s:
        admin = user_by_email(s, "admin@x.io")
        before = get_conversation(s, admin, "old")
        assert before.rubric_version == 1
        old_score = before.score
        row = rubrics.publish_rubric(s, admin, _changed(base=10), note="stricter start")
        assert (row.version, row.author_id, row.note) == (2, admin.id, "stricter start")
    _import(db, analyzer, "new")
    with db.session() as s:
        admin = user_by_email(s, "admin@x.io")
        old, new = get_conversation(s, admin, "old"), get_conversation(s, admin, "new")
        assert (old.rubric_version, old.score) == (1, old_score)
        assert new.rubric_version == 2
        assert new.score is not None and old_score is not None and new.score < old_score
        assert [r.version for r in rubrics.list_rubrics(s)] == [2, 1]


def test_an_analyzer_per_version_is_built_once_and_shares_the_detectors(db: Database, analyzer: Analyzer) -> None:
    with db.session() as s:
        assert rubrics.analyzer_for(analyzer, rubrics.active_rubric(s)) is analyzer
        v2 = rubrics.publish_rubric(s, user_by_email(s, "admin@x.io"), _changed(base=10))
        scored = rubrics.analyzer_for(analyzer, v2)
        assert scored is not analyzer and scored is rubrics.analyzer_for(analyzer, v2)
        assert scored.detectors is analyzer.detectors and scored.scorer.w["base"] == 10
        assert analyzer.scorer.w["base"] == 50  # the shared analyzer is untouched


def test_rescoring_moves_old_conversations_to_the_active_version(db: Database, analyzer: Analyzer) -> None:
    _import(db, analyzer, "old")
    _import(db, analyzer, "older")
    with db.session() as s:
        admin = user_by_email(s, "admin@x.io")
        before = get_conversation(s, admin, "old")
        old_score, record, labels = before.score, dict(before.record), len(before.labels)
        rubrics.publish_rubric(s, admin, _changed(base=10))
    with db.session() as s, pytest.raises(ForbiddenError):
        rubrics.rescore(s, user_by_email(s, "coach@x.io"), analyzer)
    with db.session() as s:
        first = rubrics.rescore(s, user_by_email(s, "admin@x.io"), analyzer, limit=1)
        assert (first.version, first.rescored, first.remaining) == (2, 1, 1)
        rest = rubrics.rescore(s, None, analyzer)  # the operator, at the command line
        assert (rest.rescored, rest.remaining) == (1, 0)
    with db.session() as s:
        after = get_conversation(s, user_by_email(s, "admin@x.io"), "old")
        assert after.rubric_version == 2 and after.record == record and len(after.labels) == labels
        assert after.score is not None and old_score is not None and after.score < old_score
        assert rubrics.conversations_per_version(s) == {2: 2}


def test_one_version_number_with_other_weights_gets_its_own_analyzer(analyzer: Analyzer) -> None:
    """Two databases (or a rubric table started again) can give version 2 different weights."""
    here = Rubric(version=2, weights=_changed(base=10))
    there = Rubric(version=2, weights=_changed(base=30))
    assert rubrics.analyzer_for(analyzer, here).scorer.w["base"] == 10
    assert rubrics.analyzer_for(analyzer, there).scorer.w["base"] == 30
    assert rubrics.analyzer_for(analyzer, here).scorer.w["base"] == 10
