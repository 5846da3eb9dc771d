"""The review responder page: a form post drafts a reply, edits are re-checked (form or JSON),
bad input is a clear 422 on the page, and nothing is stored."""

from __future__ import annotations

import re
from html import escape

from fastapi.testclient import TestClient

from tests.web.conftest import log_in

HTML = {"Accept": "text/html"}
REVIEW = (
    "The table arrived with a cracked leg and nobody answers the phone. "
    "Really disappointed after waiting so long."
)


def test_the_form_drafts_a_reply_with_emotions_issues_and_its_check(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    page = client.get("/reply", headers=HTML).text
    assert 'data-check-url="/reply/check"' in page and 'name="draft"' in page
    resp = client.post(
        "/reply",
        data={"csrf": csrf, "context": REVIEW, "stars": "2", "business": "Northwind",
              "customer_name": "Dana Reyes", "action": "draft"},
        headers=HTML,
    )  # fmt: skip
    assert resp.status_code == 200
    text = resp.text
    assert "Damaged or wrong item" in text and "<q>cracked</q>" in text
    assert "Not being able to reach anyone" in text
    assert 'class="tag emo"' in text and "Disappointment" in text
    draft = re.search(r'<textarea name="draft"[^>]*>([^<]*)</textarea>', text)
    assert draft and draft.group(1).startswith("Hi Dana,") and "Reyes" not in draft.group(1)
    assert escape("The table arrived with a cracked leg") in draft.group(1)
    assert 'class="score-badge good"' in text  # the draft scores 75 or more
    assert "Warnings" not in text


def test_edits_are_rechecked_by_form_and_by_json(client: TestClient) -> None:
    csrf = log_in(client, "coach_a")
    rude = "Calm down, these things happen. As I said, check the tracking."
    resp = client.post(
        "/reply",
        data={"csrf": csrf, "context": REVIEW, "draft": rude, "action": "check"},
        headers=HTML,
    )
    assert resp.status_code == 200 and "Warnings" in resp.text and "Dismissive" in resp.text
    assert escape(rude) in resp.text  # the edit is kept, not replaced by a fresh draft
    live = client.post("/reply/check", json={"context": REVIEW, "customer_name": "", "draft": rude},
                       headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert live.status_code == 200
    body = live.json()
    assert {w["id"] for w in body["result"]["warnings"]} >= {"dismissive"}
    assert "draft-result" in body["html"]
    assert (
        client.post("/reply/check", json={"context": REVIEW, "draft": rude}).status_code == 403
    )  # no CSRF


def test_bad_input_is_a_clear_422(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    resp = client.post("/reply", data={"csrf": csrf, "context": "   "}, headers=HTML)
    assert resp.status_code == 422 and "paste the review text first" in resp.text
    resp = client.post("/reply", data={"csrf": csrf, "context": REVIEW, "stars": "9"}, headers=HTML)
    assert resp.status_code == 422 and "1 to 5 stars" in resp.text
    live = client.post(
        "/reply/check", json={"context": "", "draft": "Hi"}, headers={"X-CSRF-Token": csrf}
    )
    assert live.status_code == 422 and live.json()["error"]["message"].startswith("review:")


def test_the_page_needs_a_login(client: TestClient) -> None:
    resp = client.get("/reply", headers=HTML, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
