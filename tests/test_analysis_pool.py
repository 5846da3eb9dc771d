"""Imports analysed in a worker process give exactly what the app's own analyzer gives."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from tests.web.conftest import conversation
from warmline.analysis_pool import AnalysisPool
from warmline.engine.model import conversation_from_dict
from warmline.engine.pipeline import Analyzer
from warmline.engine.scoring import Scorer, load_weights
from warmline.engine.serialize import analysis_to_dict

RECORDS = [conversation(f"c{i}", "agent-1", angry=i % 2 == 0) for i in range(5)]


@pytest.fixture(scope="module")
def pool() -> Iterator[AnalysisPool]:
    found = AnalysisPool(2)
    yield found
    found.shutdown()


def test_the_workers_analyse_like_this_process(pool: AnalysisPool, analyzer: Analyzer) -> None:
    here = [analysis_to_dict(analyzer.analyze(conversation_from_dict(r)), explain=True) for r in RECORDS]
    assert pool.analyze(RECORDS, analyzer.scorer.w) == here
    assert pool.analyze([]) == []


def test_a_rubric_reaches_the_workers(pool: AnalysisPool, analyzer: Analyzer) -> None:
    weights = copy.deepcopy(load_weights())  # load_weights() may hand out a shared dict
    weights["base"] = 20
    other = copy.copy(analyzer)
    other.scorer = Scorer(weights)
    here = [analysis_to_dict(other.analyze(conversation_from_dict(r)), explain=True) for r in RECORDS]
    there = pool.analyze(RECORDS, weights)
    assert there == here
    shipped = pool.analyze(RECORDS, load_weights())
    turn_scores = [[t.get("score") for t in a["turns"]] for a in there]
    assert turn_scores != [[t.get("score") for t in a["turns"]] for a in shipped]


def test_at_least_one_worker() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AnalysisPool(0)
