"""Dashboard pages and the CSV export: who may see what, filters, bad values, empty states."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import conversation, log_in, token

HTML = {"Accept": "text/html"}


def _at(
    record: dict[str, Any], when: str, *, channel: str = "chat", name: str | None = None
) -> dict[str, Any]:
    record["turns"][0]["timestamp"] = when
    record["channel"] = channel
    if name is not None:
        record["customer_name"] = name
    return record


@pytest.fixture
def loaded(client: TestClient) -> TestClient:
    """Five conversations: agent-1 on two days (one by email), agent-2, agent-3 in Team B."""
    items = [
        _at(conversation("a1-oct", "agent-1", team="Team A"), "2026-10-20T09:00:00Z"),
        _at(conversation("a1-nov", "agent-1", team="Team A"), "2026-11-02T10:00:00Z", channel="email",
            name='Reyes, Dana "DJ"'),
        _at(_curt(conversation("a2-nov", "agent-2", team="Team A")), "2026-11-01T08:00:00Z"),
        _at(conversation("a3-nov", "agent-3", team="Team B"), "2026-11-02T12:00:00Z"),
        _at(conversation("a3-old", "agent-3", team="Team B"), "2026-09-01T12:00:00Z"),
    ]  # fmt: skip
    resp = client.post("/api/v1/conversations", json=items, headers=token(client, "admin"))
    assert resp.status_code == 201, resp.text
    return client


def _curt(record: dict[str, Any]) -> dict[str, Any]:
    record["turns"][1]["text"] = "You should have read the policy. Closing this ticket now."
    return record


def _team_id(client: TestClient, name: str) -> str:
    page = client.get("/dashboard/team", headers=HTML).text
    match = re.search(rf'<option value="(\d+)"[^>]*>{name}</option>', page)
    assert match, page
    return match.group(1)


def _rows(resp: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(resp.text)))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_login_required_and_home_goes_to_the_roles_dashboard(client: TestClient) -> None:
    resp = client.get("/dashboard/team", headers=HTML, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
    log_in(client, "agent_1")
    assert client.get("/", follow_redirects=False).headers["location"] == "/dashboard/agent"
    log_in(client, "coach_a")
    assert client.get("/", follow_redirects=False).headers["location"] == "/dashboard/team"


def test_coach_team_dashboard_shows_their_teams_only(loaded: TestClient) -> None:
    log_in(loaded, "coach_a")
    page = loaded.get("/dashboard/team", headers=HTML)
    assert page.status_code == 200
    text = page.text
    # Default range: the 30 days ending on the newest conversation in scope (2 November).
    assert "2026-10-04 to 2026-11-02" in text
    assert "agent-1" in text and "agent-2" in text and "a3-nov" not in text
    assert "<svg" in text and "Needing review" in text and "Recognition" in text
    assert 'href="/conversations/a2-nov"' in text  # blame and a rushed close: needs review
    assert loaded.get("/conversations/a2-nov", headers=HTML).status_code == 200
    export = re.search(r'href="(/export/conversations\.csv\?[^"]+)"', text)
    assert (
        export and "since=2026-10-04" in export.group(1) and "until=2026-11-02" in export.group(1)
    )


def test_filters_narrow_and_carry_into_the_export_link(loaded: TestClient) -> None:
    log_in(loaded, "coach_a")
    page = loaded.get(
        "/dashboard/team?channel=email&since=2026-11-01&until=2026-11-30", headers=HTML
    ).text
    assert "2026-11-01 to 2026-11-30" in page
    assert re.search(r'<span class="value">1</span><span class="name">conversations', page)
    link = re.search(r'href="(/export/conversations\.csv\?[^"]+)"', page)
    assert link is not None
    rows = _rows(loaded.get(link.group(1).replace("&amp;", "&")))
    assert [r["external_id"] for r in rows] == ["a1-nov"]


def test_team_dashboard_roles(loaded: TestClient) -> None:
    log_in(loaded, "agent_1")
    assert loaded.get("/dashboard/team", headers=HTML).status_code == 403
    log_in(loaded, "coach_a")
    team_b = str(int(_team_id(loaded, "Team A")) + 1000)
    assert loaded.get(f"/dashboard/team?team={team_b}", headers=HTML).status_code == 403
    assert loaded.get("/dashboard/team?agent=agent-3", headers=HTML).status_code == 403
    log_in(loaded, "admin")
    b = _team_id(loaded, "Team B")
    page = loaded.get(f"/dashboard/team?team={b}&since=2026-01-01", headers=HTML).text
    table = page.split('<table class="agents">')[1].split("</table>")[0]
    assert "agent-3" in table and "agent-1" not in table
    log_in(loaded, "coach_a")
    assert loaded.get(f"/dashboard/team?team={b}", headers=HTML).status_code == 403


def test_agent_dashboard_own_and_within_scope(loaded: TestClient) -> None:
    log_in(loaded, "agent_1")
    page = loaded.get("/dashboard/agent", headers=HTML)
    assert page.status_code == 200
    assert "My dashboard" in page.text and "Strengths" in page.text and "Best moments" in page.text
    assert re.search(r'<span class="value">2</span><span class="name">conversations', page.text)
    link = re.search(r'href="(/export/conversations\.csv\?[^"]+)"', page.text)
    assert link and "agent=agent-1" in link.group(1)
    assert len(_rows(loaded.get(link.group(1).replace("&amp;", "&")))) == 2
    assert loaded.get("/dashboard/agent?agent_id=agent-2", headers=HTML).status_code == 403
    assert loaded.get("/dashboard/agent?agent_id=agent-1", headers=HTML).status_code == 200
    log_in(loaded, "coach_a")
    chooser = loaded.get("/dashboard/agent", headers=HTML).text
    assert "Choose an agent" in chooser
    assert loaded.get("/dashboard/agent?agent_id=agent-2", headers=HTML).status_code == 200
    denied = loaded.get("/dashboard/agent?agent_id=agent-3", headers=HTML)
    assert denied.status_code == 403 and "outside what your role may see" in denied.text


def test_bad_filter_values_are_422_with_a_clear_message(loaded: TestClient) -> None:
    log_in(loaded, "coach_a")
    resp = loaded.get("/dashboard/team?since=notadate", headers=HTML)
    assert (
        resp.status_code == 422
        and "since: &#39;notadate&#39; is not a date; use YYYY-MM-DD" in resp.text
    )
    resp = loaded.get("/dashboard/team?since=2026-11-05&until=2026-11-01", headers=HTML)
    assert resp.status_code == 422 and "is after until" in resp.text
    resp = loaded.get("/dashboard/team?team=abc", headers=HTML)
    assert resp.status_code == 422 and "not a team id" in resp.text
    api = loaded.get("/export/conversations.csv?until=31/12/2026")
    assert api.status_code == 422 and api.json()["error"]["code"] == "invalid_input"


def test_a_start_after_the_data_shows_an_empty_window_and_long_ranges_stay_small(
    loaded: TestClient,
) -> None:
    log_in(loaded, "coach_a")
    page = loaded.get("/dashboard/team?since=2027-03-01", headers=HTML)
    assert page.status_code == 200 and "2027-03-01 to 2027-03-30" in page.text
    assert "No conversations in this range" in page.text
    # Ten years of range: the chart has a slot per day with data, not 3,650 slots.
    page = loaded.get("/dashboard/team?since=2017-01-01&until=2026-12-31", headers=HTML).text
    chart = page.split('<svg class="chart trend"')[1].split("</svg>")[0]
    assert chart.count('class="xlabel"') == 3  # 20 Oct, 1 Nov, 2 Nov


def test_empty_range_says_what_to_do(loaded: TestClient) -> None:
    log_in(loaded, "coach_a")
    page = loaded.get("/dashboard/team?since=2025-01-01&until=2025-01-31", headers=HTML).text
    assert "No conversations in this range" in page and "widen the dates" in page.lower()
    assert "import conversations" in page
    log_in(loaded, "agent_2")
    page = loaded.get("/dashboard/agent?channel=phone", headers=HTML).text
    assert "No conversations in this range" in page


def test_csv_export_scope_quoting_and_attachment(loaded: TestClient) -> None:
    log_in(loaded, "coach_a")
    resp = loaded.get("/export/conversations.csv")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"].startswith("attachment;")
    rows = _rows(resp)
    assert [r["external_id"] for r in rows] == [
        "a1-oct",
        "a2-nov",
        "a1-nov",
    ]  # oldest first, Team A only
    header = resp.text.splitlines()[0].split(",")
    assert header[:4] == ["id", "external_id", "started_at", "team"] and header[-3:] == [
        "behaviours",
        "missed_opportunities",
        "anti_patterns",
    ]
    nov = rows[2]
    assert nov["customer_name"] == 'Reyes, Dana "DJ"' and '"Reyes, Dana ""DJ"""' in resp.text
    assert (nov["team"], nov["agent_id"], nov["channel"], nov["started_at"]) == (
        "Team A",
        "agent-1",
        "email",
        "2026-11-02T10:00:00Z",
    )
    assert (
        nov["escalated"] in ("true", "false")
        and int(nov["behaviours"]) >= 1
        and nov["score"].isdigit()
    )
    ranged = _rows(loaded.get("/export/conversations.csv?since=2026-11-01&until=2026-11-01"))
    assert [r["external_id"] for r in ranged] == ["a2-nov"]


def test_agents_export_only_their_own(loaded: TestClient) -> None:
    log_in(loaded, "agent_3")
    rows = _rows(loaded.get("/export/conversations.csv"))
    assert sorted(r["external_id"] for r in rows) == ["a3-nov", "a3-old"]
    assert loaded.get("/export/conversations.csv?agent=agent-1").status_code == 403
    resp = loaded.get("/export/conversations.csv", headers=token(loaded, "agent_1"))
    assert resp.status_code == 200


def test_formula_like_cells_are_neutralised(client: TestClient) -> None:
    record = _at(
        conversation("=HYPERLINK(1)", "agent-1", team="Team A"),
        "2026-11-02T10:00:00Z",
        name="@Dana",
    )
    assert (
        client.post(
            "/api/v1/conversations", json=record, headers=token(client, "admin")
        ).status_code
        == 201
    )
    log_in(client, "admin")
    row = _rows(client.get("/export/conversations.csv"))[0]
    assert (row["external_id"], row["customer_name"]) == ("'=HYPERLINK(1)", "'@Dana")
