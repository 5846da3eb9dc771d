"""The results page on a real database: scope per role, the before/after report and its chart,
the correlation and trends, empty states, the KPI upload with errors by row and column, and
the score downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ACCOUNTS, PASSWORD
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.kpi_tables import ConversationKpi
from warmline.store.tables import Conversation, Label
from warmline.store.users import get_or_create_team

HTML = {"Accept": "text/html"}
EVENT = "2026-11-15"


@pytest.fixture
def data(seeded: Settings) -> Settings:
    """agent-1 (Team A): 12 conversations before EVENT (scores 50..61, CSAT 3), 12 after
    (70..81, CSAT 4); agent-2 (Team A): 2 and 2; agent-3 (Team B): 2 (score 90)."""
    db = Database(seeded.resolved_database_url())
    start, event = datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 15, 9, tzinfo=UTC)
    rows: list[tuple[str, str, str, datetime, int, int | None]] = []
    for i in range(12):
        rows.append((f"b{i}", "Team A", "agent-1", start + timedelta(days=i), 50 + i, 3))
        rows.append((f"a{i}", "Team A", "agent-1", event + timedelta(days=i), 70 + i, 4))
    for i in range(2):
        rows.append((f"x{i}", "Team A", "agent-2", start + timedelta(days=i), 40, None))
        rows.append((f"y{i}", "Team A", "agent-2", event + timedelta(days=i), 60, None))
        rows.append((f"z{i}", "Team B", "agent-3", start + timedelta(days=i), 90, 5))
    with db.session() as s:
        for ext, team, agent, when, score, csat in rows:
            labels = (
                [Label(turn=1, kind="behaviour", label="apology")] if ext.startswith("a") else []
            )
            conv = Conversation(
                external_id=ext, team_id=get_or_create_team(s, team).id, agent_id=agent,
                started_at=when, score=score, channel="chat",
                record={"id": ext, "turns": [{"speaker": "customer", "text": "=SUM(A1) hi"}]},
                analysis={"id": ext, "turns": [{"index": 0, "speaker": "customer", "text": "=SUM(A1) hi", "emotions": []}]},
                labels=labels, turn_count=1,
            )  # fmt: skip
            s.add(conv)
            s.flush()
            if csat is not None:
                s.add(ConversationKpi(conversation_id=conv.id, csat=csat, source="test"))
    db.dispose()
    return seeded


def _login(client: TestClient, who: str) -> str:
    resp = client.post(
        "/login", data={"email": ACCOUNTS[who].email, "password": PASSWORD}, follow_redirects=False
    )
    assert resp.status_code == 303
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/reply", headers=HTML).text)
    assert match
    return match.group(1)


def test_a_coach_sees_the_team_before_and_after_with_intervals(
    client: TestClient, data: Settings
) -> None:
    _login(client, "coach_a")
    page = client.get("/results", headers=HTML)
    assert page.status_code == 200
    assert "Pick the day of a training event" in page.text  # no event yet: says what to do
    assert "Team Team A and each of its agents" in page.text
    page = client.get(f"/results?event={EVENT}&metric=empathy&metric=csat", headers=HTML).text
    assert f"Before vs after {EVENT}" in page
    groups = re.findall(r"<summary><strong>([^<]+)</strong>", page)
    assert groups == ["Team A", "agent1", "agent2"]  # team first, then its agents (display names)
    assert page.count('class="irow ') == 6  # two metrics per group
    assert 'class="ci"' in page and 'class="zero"' in page
    # agent-1's empathy: +20 with 12 a side, the interval above zero: "improved".
    assert "+20.0" in page and 'class="verdict improved"' in page
    assert "too little data to conclude" in page  # agent-2: 2 a side
    assert "Correlation is not causation" in page and "no control group" in page


def test_an_agent_sees_only_their_own_figures(client: TestClient, data: Settings) -> None:
    _login(client, "agent_2")
    page = client.get(f"/results?event={EVENT}", headers=HTML).text
    assert re.findall(r"<summary><strong>([^<]+)</strong>", page) == ["agent2"]
    assert 'name="team"' not in page and "Import KPIs" not in page
    assert "No conversations with both a score and a CSAT yet" in page  # theirs have no CSAT
    assert client.get("/results?agent=agent-1", headers=HTML).status_code == 403
    coach_b = TestClient(client.app)
    _login(coach_b, "coach_b")
    assert coach_b.get("/results?agent=agent-1", headers=HTML).status_code == 403
    team_a = re.search(
        r'<option value="(\d+)"[^>]*>Team A<', client.get("/results", headers=HTML).text
    )
    assert team_a is None  # an agent gets no team picker


def test_correlation_scatter_and_trends(client: TestClient, data: Settings) -> None:
    _login(client, "admin")
    page = client.get("/results", headers=HTML).text
    assert page.count('class="pt"') == 24  # agent-1's 24 rated conversations (Team A first)
    assert "higher goes with higher" in page
    assert "Which behaviours go with higher CSAT" in page and "Apology" in page
    assert page.count('svg class="chart"') == 2  # weekly empathy and CSAT


def test_bad_filters_say_what_to_type(client: TestClient, data: Settings) -> None:
    _login(client, "coach_a")
    resp = client.get("/results?event=next-week", headers=HTML)
    assert resp.status_code == 422 and "YYYY-MM-DD" in resp.text
    assert client.get("/results?days=0", headers=HTML).status_code == 422
    assert "is unknown" in client.get("/results?metric=happiness", headers=HTML).text
    both = client.get(f"/results?event={EVENT}&module=nope", headers=HTML)
    assert both.status_code == 200 and 'role="alert"' in both.text  # the report says why


def test_empty_states_tell_a_new_user_what_to_do(client: TestClient, seeded: Settings) -> None:
    _login(client, "coach_a")
    page = client.get("/results", headers=HTML).text
    assert "warmline kpi import" in page and 'href="/import"' in page


def test_kpi_upload_imports_or_lists_the_bad_rows(client: TestClient, data: Settings) -> None:
    csrf = _login(client, "coach_a")
    good = "conversation_id,csat\nx0,2\nx1,5\n"
    resp = client.post("/results/kpis", data={"csrf": csrf, "kpis": good}, headers=HTML)
    assert resp.status_code == 200 and "conversations 2 new, 0 updated" in resp.text
    bad = "conversation_id,csat\nx0,9\nz0,4\nnope,3\n"
    resp = client.post("/results/kpis", data={"csrf": csrf, "kpis": bad}, headers=HTML)
    assert resp.status_code == 422
    cells = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", resp.text
    )
    assert [(c[1], c[2]) for c in cells] == [
        ("2", "csat"),
        ("3", "conversation_id"),
        ("4", "conversation_id"),
    ]
    assert "outside" in cells[1][3] and "Nothing was stored" in resp.text
    upload = client.post(
        "/results/kpis", data={"csrf": csrf}, files={"file": ("k.csv", b"conversation_id,csat\nx0,4\n", "text/csv")},
        headers=HTML,
    )  # fmt: skip
    assert "conversations 0 new, 1 updated" in upload.text
    agent = TestClient(client.app)
    agent_csrf = _login(agent, "agent_1")
    assert (
        agent.post(
            "/results/kpis", data={"csrf": agent_csrf, "kpis": good}, headers=HTML
        ).status_code
        == 403
    )


def test_score_downloads_follow_scope_and_filters(client: TestClient, data: Settings) -> None:
    _login(client, "agent_2")
    resp = client.get("/export/scores.csv?level=conversation")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert {r["agent_id"] for r in rows} == {"agent-2"} and len(rows) == 4
    assert client.get("/export/scores.csv?agent=agent-1").status_code == 403
    _login(client, "coach_a")
    turns = client.get("/export/scores.csv?level=turn&since=2026-11-15")
    texts = {r["text"] for r in csv.DictReader(io.StringIO(turns.text))}
    assert texts == {"'=SUM(A1) hi"}  # kept as text, not a formula
    parquet = client.get("/export/scores.parquet?level=conversation")
    assert parquet.status_code == 200
    assert 'filename="scores_conversation.parquet"' in parquet.headers["content-disposition"]
    table = pq.read_table(io.BytesIO(parquet.content))
    assert set(table.column("agent_id").to_pylist()) == {"agent-1", "agent-2"}
    team_page = client.get("/dashboard/team", headers=HTML).text
    assert "/export/scores.parquet?level=turn&amp;since=" in team_page  # linked, with its filter
    assert client.get("/export/scores.xlsx").status_code == 422
    assert (
        "expected conversation, turn, behaviour" in client.get("/export/scores.csv?level=word").text
    )


def test_a_module_as_the_event_lists_who_has_not_completed_it(
    client: TestClient, data: Settings
) -> None:
    _login(client, "coach_a")
    page = client.get("/results?module=active-listening", headers=HTML).text
    assert "Before vs after completing “active-listening”" in page
    assert '<option value="active-listening" selected>' in page
    assert "Left out (module not completed): agent1, agent2." in page
    assert client.get("/results?module=juggling", headers=HTML).text.count('role="alert"') == 1
