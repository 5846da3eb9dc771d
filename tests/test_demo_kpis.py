"""The synthetic demo KPIs: labelled as such, deterministic, and CSAT rising with the score."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from warmline import stats
from warmline.admin import install_demo, upgrade_database
from warmline.demo_kpis import DEMO_SOURCE, demo_kpi_records
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.kpi_tables import AgentKpi, ConversationKpi
from warmline.store.tables import Conversation


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_installs_labelled_synthetic_kpis(
    database_url: str, tmp_path: Path, analyzer: Analyzer
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    upgrade_database(settings)
    install_demo(settings, analyzer=analyzer)
    db = Database(database_url)
    with db.session() as s:
        rows = s.execute(
            select(Conversation.score, ConversationKpi.csat, ConversationKpi.source).join(
                ConversationKpi, ConversationKpi.conversation_id == Conversation.id
            )
        ).all()
        assert 150 <= len(rows) <= 225  # about four in five of the 240 answered the survey
        assert {r.source for r in rows} == {DEMO_SOURCE}
        pearson = stats.pearson([float(r.score) for r in rows], [float(r.csat) for r in rows])
        assert pearson.ci_low is not None and pearson.ci_low > 0.3
        periods = s.scalar(
            select(func.count()).select_from(AgentKpi).where(AgentKpi.source == DEMO_SOURCE)
        )
        assert periods == 8 * 4  # eight agents, four fortnights of engagement
        # Deterministic: the same conversations give the same records.
        first = [r.fields for r in demo_kpi_records(s)]
        assert first == [r.fields for r in demo_kpi_records(s)]
    db.dispose()
