"""The survey pages on a real app: the public page (no login) with its guards, and the staff
side — the link made from a conversation page and the answer on the agent's dashboard."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import ACCOUNTS, PASSWORD, log_in, token
from tests.web.test_feedback_api import turned_around
from warmline.web.throttle import SURVEY_REQUESTS

HTML = {"Accept": "text/html"}
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _link(client: TestClient, cid: str = "c-1") -> str:
    resp = client.post(f"/api/v1/conversations/{cid}/survey", headers=token(client, "admin"))
    assert resp.status_code == 201, resp.text
    return str(resp.json()["url"]).split("testserver", 1)[1]


def _seed(client: TestClient) -> None:
    resp = client.post("/api/v1/conversations", json=[turned_around("c-1", "agent-1")], headers=token(client, "admin"))
    assert resp.status_code == 201


def _nonce(html: str) -> str:
    match = re.search(r'name="nonce" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_the_public_page_asks_in_words_and_takes_one_answer(client: TestClient) -> None:
    _seed(client)
    path = _link(client)
    client.cookies.clear()  # the customer has no login
    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    for words in ("How did we do?", "Very unhappy", "Very happy", "Was your problem solved?", 'type="radio"', "<textarea"):
        assert words in page.text
    assert 'name="viewport"' in page.text and "/static/feedback.css" in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    missing = client.post(path, data={"nonce": _nonce(page.text), "comment": "hello"}, headers=HTML)
    assert missing.status_code == 422 and "please choose an answer" in missing.text
    assert ">hello</textarea>" in missing.text  # what they typed is kept
    done = client.post(path, data={"nonce": _nonce(page.text), "csat": "2", "solved": "no", "comment": "Slow."}, headers=HTML)
    assert done.status_code == 200 and "Thank you!" in done.text
    again = client.post(path, data={"nonce": _nonce(page.text), "csat": "5"}, headers=HTML)
    assert again.status_code == 200 and "Already answered, thank you" in again.text
    assert "Already answered" in client.get(path, headers=HTML).text


def test_unknown_links_reveal_nothing_and_forged_posts_are_refused(client: TestClient) -> None:
    _seed(client)
    path = _link(client)
    gone = client.get("/s/not-a-real-token", headers=HTML)
    assert gone.status_code == 404 and "Nothing to answer here" in gone.text
    assert "c-1" not in gone.text and "agent" not in gone.text.lower()
    nonce = _nonce(client.get(path, headers=HTML).text)
    forged = client.post(path, data={"nonce": "0" * 64, "csat": "1"}, headers=HTML)
    assert forged.status_code == 403
    cross = client.post(path, data={"nonce": nonce, "csat": "1"}, headers={**HTML, "Origin": "https://evil.example"})
    assert cross.status_code == 403
    ok = client.post(path, data={"nonce": nonce, "csat": "4"}, headers={**HTML, "Origin": "https://testserver"})
    assert ok.status_code == 200 and "Thank you!" in ok.text


@sqlite_only
def test_the_public_page_is_rate_limited_per_address(client: TestClient) -> None:
    for _ in range(SURVEY_REQUESTS):
        assert client.get("/s/guess", headers=HTML).status_code == 404
    slow = client.get("/s/guess", headers=HTML)
    assert slow.status_code == 429 and int(slow.headers["Retry-After"]) > 0
    assert "try again in a few minutes" in slow.text


def test_a_coach_makes_a_link_on_the_conversation_page_and_sees_it_once(client: TestClient) -> None:
    _seed(client)
    csrf = log_in(client, "coach_a")
    conv = client.get("/conversations/c-1", headers=HTML).text
    assert "Customer survey" in conv and "Create survey link" in conv
    made = client.post("/conversations/c-1/survey", data={"csrf": csrf}, headers=HTML)
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    url = re.search(r'class="survey-url" readonly value="([^"]+)"', made.text)
    assert url and "/s/" in url.group(1) and "shown only now" in made.text
    after = client.get("/conversations/c-1", headers=HTML).text
    assert url.group(1) not in after and "<strong>open</strong>" in after and "Make a new survey link" in after
    assert client.post("/conversations/c-1/survey", data={}, headers=HTML).status_code == 403  # no CSRF token
    log_in(client, "agent_1")
    mine = client.get("/conversations/c-1", headers=HTML).text
    assert "Customer survey" in mine and "Create survey link" not in mine


@sqlite_only
def test_the_answer_reaches_the_agent_dashboard_and_the_conversation(client: TestClient, app: FastAPI) -> None:
    _seed(client)
    path = _link(client)
    nonce = _nonce(client.get(path, headers=HTML).text)
    client.post(path, data={"nonce": nonce, "csat": "2", "comment": "Nobody called me back. Really disappointed."})
    log_in(client, "agent_1")
    dash = client.get("/dashboard/agent", headers=HTML).text
    assert "What customers said" in dash and "Nobody called me back" in dash
    assert "Reads as disappointment" in dash and 'href="/conversations/c-1"' in dash
    conv = client.get("/conversations/c-1", headers=HTML).text
    assert "CSAT 2" in conv and "Unhappy" in conv
    log_in(client, "coach_a")
    team = client.get("/dashboard/team", headers=HTML).text
    assert re.search(r'<span class="value">2\.0</span><span class="name">survey CSAT \(1–5\) · 1 answer<', team)
    log_in(client, "coach_b")
    assert "survey CSAT" not in client.get("/dashboard/team", headers=HTML).text  # not their team


@sqlite_only
def test_an_admin_adds_a_template_on_its_page_and_a_coach_picks_it(client: TestClient) -> None:
    _seed(client)
    client.cookies.clear()
    client.post("/login", data={"email": ACCOUNTS["admin"].email, "password": PASSWORD}, follow_redirects=False)
    page = client.get("/surveys/templates", headers=HTML).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf and "Quick check-in" in page and "New template" in page
    bad = client.post("/surveys/templates", data={"csrf": csrf.group(1), "name": "Refunds", "questions": "- key: x\n  kind: stars\n  text: Hm"}, headers=HTML)
    assert bad.status_code == 422 and "questions[0].kind: expected one of scale, yes_no, text" in bad.text
    assert "kind: stars" in bad.text  # what was typed is kept
    questions = "- key: csat\n  kind: scale\n  feeds: csat\n  text: How did it go?\n- key: back\n  kind: yes_no\n  feeds: fcr\n  text: Did the money arrive?\n"
    ok = client.post("/surveys/templates", data={"csrf": csrf.group(1), "name": "Refunds", "questions": questions}, headers=HTML, follow_redirects=False)
    assert ok.status_code == 303
    csrf_coach = log_in(client, "coach_a")
    assert "New template" not in client.get("/surveys/templates", headers=HTML).text  # admins add
    conv = client.get("/conversations/c-1", headers=HTML).text
    option = re.search(r'<option value="(\d+)">Refunds</option>', conv)
    assert option
    made = client.post("/conversations/c-1/survey", data={"csrf": csrf_coach, "template": option.group(1)}, headers=HTML)
    assert "Questions: Refunds" in made.text
    url = re.search(r'class="survey-url" readonly value="http://testserver([^"]+)"', made.text)
    assert url and "Did the money arrive?" in client.get(url.group(1), headers=HTML).text
