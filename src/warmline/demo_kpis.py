"""Synthetic KPIs for the Northwind demo team, so a new user sees the results page working.

THESE FIGURES ARE MADE UP. They are generated here, deterministically (a fixed seed), from
each demo conversation's empathy score: a customer satisfaction (CSAT) answer drawn around a
plausible rising curve of the score plus noise, for about four conversations in five (not
everyone answers a survey), first-contact resolution and repeat contact likewise, and an
employee engagement figure per agent and fortnight around a level of its own per agent. No
change is built in around the demo training day: whatever a before/after report shows on this
data comes from the conversations and the noise. Every row is stored with the source
:data:`DEMO_SOURCE`, so it can be told apart (and deleted) later.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Final

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.store.kpis import KpiImportResult, KpiRecord, import_kpis
from warmline.store.tables import Conversation

DEMO_SOURCE: Final = "synthetic demo data"
#: The demo's training event: the day the Northwind Care team had its empathy workshop.
DEMO_TRAINING_DAY: Final = date(2026, 11, 2)
DEMO_TRAINING_NAME: Final = "Northwind empathy workshop (demo)"
#: The fortnights the demo's engagement figures cover (two before the workshop, two after).
DEMO_PERIODS: Final = tuple(
    (DEMO_TRAINING_DAY + timedelta(days=14 * k), DEMO_TRAINING_DAY + timedelta(days=14 * k + 13))
    for k in (-2, -1, 0, 1)
)
SEED: Final = 20261102
#: Share of conversations whose customer answered the survey.
RESPONSE_RATE: Final = 0.8


def _csat(score: float, rng: np.random.Generator) -> int:
    # A rising S-curve from about 2 (score 0) to about 4.7 (score 100), plus noise.
    centre = 2.0 + 2.7 / (1.0 + math.exp(-(score - 55.0) / 12.0))
    return int(min(5, max(1, round(centre + rng.normal(0.0, 0.75)))))


def demo_kpi_records(session: Session) -> list[KpiRecord]:
    """The synthetic KPI records for the demo conversations stored (ids starting ``nw-``)."""
    rng = np.random.default_rng(SEED)
    rows = session.execute(
        select(Conversation.external_id, Conversation.score, Conversation.agent_id)
        .where(Conversation.external_id.like("nw-%"))
        .order_by(Conversation.external_id)
    ).all()
    records: list[KpiRecord] = []
    for ext, score, _ in rows:
        answered = rng.random() < RESPONSE_RATE
        if score is None or not answered:
            continue
        csat = _csat(float(score), rng)
        fcr = bool(rng.random() < 0.35 + 0.5 * score / 100)
        repeat = bool(not fcr and rng.random() < 0.6)
        nps = int(min(10, max(0, round(csat * 2 + rng.normal(0.0, 1.2)))))
        fields = {
            "conversation_id": ext,
            "csat": csat,
            "fcr": fcr,
            "repeat_contact": repeat,
            "nps": nps,
        }
        records.append(KpiRecord(len(records) + 1, None, fields))
    for agent in sorted({a for _, _, a in rows if a}):
        level = 55.0 + rng.normal(0.0, 8.0)
        for start, end in DEMO_PERIODS:
            value = round(float(min(100.0, max(0.0, level + rng.normal(0.0, 4.0)))), 1)
            fields = {"agent_id": agent, "period_start": start.isoformat(), "period_end": end.isoformat(),
                      "metric": "engagement", "value": value}  # fmt: skip
            records.append(KpiRecord(len(records) + 1, None, fields))
    return records


def install_demo_kpis(session: Session) -> KpiImportResult:
    """Store the synthetic demo KPIs (as the operator), labelled with :data:`DEMO_SOURCE`."""
    records = demo_kpi_records(session)
    if not records:
        return KpiImportResult()
    return import_kpis(session, None, records, source=DEMO_SOURCE)


__all__ = [
    "DEMO_PERIODS",
    "DEMO_SOURCE",
    "DEMO_TRAINING_DAY",
    "DEMO_TRAINING_NAME",
    "demo_kpi_records",
    "install_demo_kpis",
]
