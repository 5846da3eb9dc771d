"""Calibration and rubric pages through the app (SQLite and PostgreSQL): the Calibrate button,
opening a session, the blind review form, drafts and bad input, closing, and the rubric page."""

from __future__ import annotations

import re

import yaml
from fastapi.testclient import TestClient

from tests.calibration_data import calibration_conversation
from tests.web.conftest import ACCOUNTS, log_in, token
from warmline.engine.scoring import load_weights

HTML = {"Accept": "text/html"}


def _seed(client: TestClient) -> None:
    body = [calibration_conversation("c1", "agent-1", team="Team A")]
    resp = client.post("/api/v1/conversations", json=body, headers=token(client, "coach_a"))
    assert resp.status_code == 201


def _open(client: TestClient, csrf: str) -> int:
    resp = client.post(
        "/calibration",
        data={"csrf": csrf, "conversation": "c1", "reviewers": [ACCOUNTS["coach_a"].email, ACCOUNTS["agent_2"].email], "note": "Q4"},
        headers=HTML, follow_redirects=False,
    )  # fmt: skip
    assert resp.status_code == 303, resp.text
    return int(resp.headers["location"].rsplit("/", 1)[1])


def _answer(client: TestClient, csrf: str, sid: int, action: str, **fields: object) -> object:
    data: dict[str, object] = {"csrf": csrf, "action": action, **fields}
    return client.post(f"/calibration/{sid}/answers", data=data, headers=HTML, follow_redirects=False)


def test_the_conversation_page_offers_calibration_and_names_its_rubric(client: TestClient) -> None:
    _seed(client)
    log_in(client, "coach_a")
    page = client.get("/conversations/c1", headers=HTML).text
    assert 'href="/calibration/new?conversation=c1"' in page and "Scored with rubric v1" in page
    assert "the active rubric" not in page
    assert 'href="/calibration"' in page  # nav entry
    log_in(client, "agent_1")
    assert "/calibration/new" not in client.get("/conversations/c1", headers=HTML).text


def test_opening_a_session_needs_two_reviewers_from_the_team(client: TestClient) -> None:
    _seed(client)
    csrf = log_in(client, "coach_a")
    form = client.get("/calibration/new?conversation=c1", headers=HTML).text
    assert ACCOUNTS["agent_2"].email in form and ACCOUNTS["agent_1"].email not in form
    assert ACCOUNTS["coach_b"].email not in form
    one = client.post("/calibration", data={"csrf": csrf, "conversation": "c1", "reviewers": [ACCOUNTS["coach_a"].email]}, headers=HTML)
    assert one.status_code == 422 and "invite at least 2 people" in one.text
    log_in(client, "coach_b")
    assert client.get("/calibration/new?conversation=c1", headers=HTML).status_code == 403


def test_a_reviewer_saves_a_draft_fixes_a_mistake_and_submits_blind(client: TestClient) -> None:
    _seed(client)
    sid = _open(client, log_in(client, "coach_a"))
    csrf = log_in(client, "agent_2")
    listing = client.get("/calibration", headers=HTML).text
    assert "Waiting for your answers" in listing and f'href="/calibration/{sid}"' in listing
    form = client.get(f"/calibration/{sid}", headers=HTML).text
    assert form.count('type="checkbox"') == 3 * 26 and "Sharing the feeling" in form
    assert "empathy score" not in form and "Warmline engine" not in form
    saved = _answer(client, csrf, sid, "save", **{"label-1": ["apology", "solution"], "score-1": "80"})
    assert saved.status_code == 303  # type: ignore[attr-defined]
    draft = client.get(f"/calibration/{sid}?saved=draft", headers=HTML).text
    assert "Your draft was saved" in draft
    assert re.search(r'value="apology" checked', draft) and 'value="80"' in draft
    bad = _answer(client, csrf, sid, "submit", **{"label-3": ["blame"], "score-1": "80", "score-3": "lots", "score-5": "60"})
    assert bad.status_code == 422 and "turn 4: score &#39;lots&#39;" in bad.text  # type: ignore[attr-defined]
    assert re.search(r'value="blame" checked', bad.text)  # type: ignore[attr-defined]
    done = _answer(client, csrf, sid, "submit", **{"label-3": ["blame"], "score-1": "80", "score-3": "10", "score-5": "60"})
    assert done.status_code == 303  # type: ignore[attr-defined]
    after = client.get(f"/calibration/{sid}?saved=submitted", headers=HTML).text
    assert "your answers are in" in after and "disabled" in after
    # the owner, who has not answered yet, sees none of agent 2's marks
    log_in(client, "coach_a")
    owner = client.get(f"/calibration/{sid}", headers=HTML).text
    assert " checked" not in owner and "1 of 2" in owner and "Close and show results" in owner
    assert "Invite more people" in owner and f'value="{ACCOUNTS["admin"].email}"' in owner
    csrf = re.search(r'name="csrf" value="([^"]+)"', owner).group(1)  # type: ignore[union-attr]
    invited = client.post(f"/calibration/{sid}/reviewers", data={"csrf": csrf, "reviewers": [ACCOUNTS["admin"].email]}, headers=HTML, follow_redirects=False)
    assert invited.status_code == 303
    assert "1 of 3" in client.get(f"/calibration/{sid}?saved=invited", headers=HTML).text


def test_closing_shows_the_results_to_the_team(client: TestClient) -> None:
    _seed(client)
    csrf = log_in(client, "coach_a")
    sid = _open(client, csrf)
    marks = {"label-1": ["apology", "solution"], "label-3": ["dismissive"], "score-1": "80", "score-3": "20", "score-5": "70"}
    assert _answer(client, csrf, sid, "submit", **marks).status_code == 303  # type: ignore[attr-defined]
    csrf2 = log_in(client, "agent_2")
    other = {**marks, "label-5": ["ownership"], "score-5": "40"}
    assert _answer(client, csrf2, sid, "submit", **other).status_code == 303  # type: ignore[attr-defined]
    assert client.post(f"/calibration/{sid}/close", data={"csrf": csrf2}, headers=HTML).status_code == 403
    csrf = log_in(client, "coach_a")
    closed = client.post(f"/calibration/{sid}/close", data={"csrf": csrf}, headers=HTML, follow_redirects=False)
    assert closed.status_code == 303
    page = client.get(f"/calibration/{sid}", headers=HTML).text
    assert "Agreement per behaviour" in page and "Where reviewers disagreed most" in page
    assert "Turn 6</a>: <strong>Ownership</strong>" in page
    assert "Krippendorff" in page and "Engine" in page
    log_in(client, "agent_1")  # not invited, not a coach: the session does not exist for them
    assert client.get(f"/calibration/{sid}", headers=HTML).status_code == 404


def test_the_rubric_page_publishes_a_version_and_conversations_say_theirs(client: TestClient) -> None:
    _seed(client)
    log_in(client, "coach_a")
    assert client.get("/admin/rubric", headers=HTML).status_code == 403
    csrf = log_in(client, "admin")
    page = client.get("/admin/rubric", headers=HTML).text
    assert "Active: version 1" in page and "Publish as version 2" in page and "action:" in page
    bad = client.post("/admin/rubric", data={"csrf": csrf, "weights": "base: 50\naction: {solution: lots}\n"}, headers=HTML)
    assert bad.status_code == 422 and "<code>action.solution</code>" in bad.text and "solution: lots" in bad.text
    text = yaml.safe_dump({**load_weights(), "base": 30})
    made = client.post("/admin/rubric", data={"csrf": csrf, "weights": text, "note": "lower start"}, headers=HTML, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/admin/rubric?published=2"
    after = client.get("/admin/rubric?published=2", headers=HTML).text
    assert "Version 2 is published" in after and "lower start" in after
    assert "1 conversation was scored with an older version" in after and "Re-score with v2" in after
    conv = client.get("/conversations/c1", headers=HTML).text
    assert "Scored with rubric v1; the active rubric is v2" in conv
    done = client.post("/admin/rubric/rescore", data={"csrf": csrf}, headers=HTML)
    assert done.status_code == 200 and "Re-scored 1 conversation with version 2." in done.text
    assert "Re-score with" not in done.text
    assert "Scored with rubric v2" in client.get("/conversations/c1", headers=HTML).text
