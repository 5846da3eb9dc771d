"""The follow-up pages on a real app: an agent's due list with done and skip, a coach's view
with figures per agent, and the nav entry with its count."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import conversation, log_in, token
from tests.web.test_feedback_api import turned_around

HTML = {"Accept": "text/html"}


def _seed(client: TestClient) -> None:
    records = [
        turned_around("c-1", "agent-1"),
        turned_around("c-2", "agent-1"),
        turned_around("c-3", "agent-2"),
        turned_around("c-4", "agent-3"),
        conversation("calm", "agent-1", angry=False),
    ]
    assert client.post("/api/v1/conversations", json=records, headers=token(client, "admin")).status_code == 201


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'action="/followups/(\d+)/done"', html)]


def test_an_agent_closes_tasks_from_the_due_list(client: TestClient) -> None:
    _seed(client)
    csrf = log_in(client, "agent_1")
    page = client.get("/followups", headers=HTML).text
    assert "Follow-ups (2)</a>" in page  # the nav counts what is due
    assert page.count("Overdue Nov 04") == 2 and "Started very frustrated" in page
    assert "conversation calm" not in page and "conversation c-1" in page
    first, second = _ids(page)
    refused = client.post(f"/followups/{first}/skip", data={"csrf": csrf, "reason": "  "}, headers=HTML)
    assert refused.status_code == 422 and "say why you are skipping" in refused.text
    done = client.post(f"/followups/{first}/done", data={"csrf": csrf, "note": "Refund arrived"}, headers=HTML, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/followups?saved=done"
    skipped = client.post(f"/followups/{second}/skip", data={"csrf": csrf, "reason": "Customer asked for no calls"}, headers=HTML, follow_redirects=False)
    assert skipped.status_code == 303
    page = client.get("/followups?saved=skipped", headers=HTML).text
    assert _ids(page) == [] and "Nothing due. Well done." in page
    assert "Refund arrived" in page and "Customer asked for no calls" in page
    assert ">Follow-ups</a>" in page  # nothing due: no count
    assert client.post(f"/followups/{first}/done", data={}, headers=HTML).status_code == 403  # CSRF


def test_a_coach_sees_their_teams_tasks_with_figures(client: TestClient) -> None:
    _seed(client)
    log_in(client, "coach_a")
    page = client.get("/followups", headers=HTML).text
    assert "By agent" in page and _ids(page) == []  # coaches read, agents close
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td><td class=\"num bad\">(\d+)</td>", page)
    assert rows == [("agent1", "2", "2"), ("agent2", "1", "1")]
    assert "c-4" not in page  # team B's
    log_in(client, "coach_b")
    assert "conversation c-4" in client.get("/followups", headers=HTML).text
    log_in(client, "admin")
    admin = client.get("/followups", headers=HTML).text
    assert all(f"conversation c-{i}" in admin for i in range(1, 5))
