"""The conversation pages: the scoped, filtered list and one conversation with its evidence and reviews."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import conversation, log_in, token
from warmline.web import conversations_pages

HTML = {"Accept": "text/html"}
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _seed(client: TestClient, *records: dict[str, Any]) -> None:
    resp = client.post("/api/v1/conversations", json=list(records), headers=token(client, "admin"))
    assert resp.status_code == 201, resp.text


def _rude(cid: str, agent_id: str) -> dict[str, Any]:
    record = conversation(cid, agent_id)
    record["turns"][1]["text"] = "You should have read the email. Delivery times are estimates. Nothing I can do."
    record["turns"][1]["timestamp"] = "2026-11-01T10:01:00Z"
    record["turns"][0]["timestamp"] = "2026-11-01T10:00:00Z"
    return record


def test_each_role_lists_only_its_conversations(client: TestClient) -> None:
    _seed(client, conversation("c-own", "agent-1"), conversation("c-mate", "agent-2"), conversation("c-other", "agent-3"))
    seen = {}
    for who in ("agent_1", "coach_a", "coach_b", "admin"):
        log_in(client, who)
        text = client.get("/conversations", headers=HTML).text
        seen[who] = {cid for cid in ("c-own", "c-mate", "c-other") if f"/conversations/{cid}" in text}
    assert seen == {
        "agent_1": {"c-own"},
        "coach_a": {"c-own", "c-mate"},
        "coach_b": {"c-other"},
        "admin": {"c-own", "c-mate", "c-other"},
    }
    page = client.get("/conversations", headers=HTML).text
    for column in ("When (UTC)", "Agent", "Channel", "Customer", "Score", "Lowest turn", "Customer mood"):
        assert f">{column}</th>" in page
    assert "Dana Reyes" in page and "Showing 1–3 of 3" in page


@sqlite_only
def test_filters_order_and_pages(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(client, conversation("good", "agent-1"), _rude("rude", "agent-2"), conversation("b", "agent-3", angry=False))
    log_in(client, "admin")
    lowest = client.get("/conversations?order=lowest", headers=HTML).text
    assert lowest.index("/conversations/rude") < lowest.index("/conversations/good")
    only = client.get("/conversations?agent=agent-2", headers=HTML).text
    assert "/conversations/rude" in only and "/conversations/good" not in only
    dated = client.get("/conversations?since=2026-11-02&until=2026-11-02", headers=HTML).text
    assert "/conversations/good" in dated and "/conversations/rude" not in dated
    assert "No conversations match" in client.get("/conversations?channel=phone", headers=HTML).text
    monkeypatch.setattr(conversations_pages, "PAGE_SIZE", 2)
    first = client.get("/conversations?order=lowest", headers=HTML).text
    assert "Page 1 of 2" in first and "Showing 1–2 of 3" in first
    second = client.get("/conversations?order=lowest&page=2", headers=HTML).text
    assert "Showing 3–3 of 3" in second and 'rel="prev"' in second


@sqlite_only
def test_bad_filters_are_422_pages(client: TestClient) -> None:
    log_in(client, "coach_a")
    for query, message in (("since=yesterday", "YYYY-MM-DD"), ("order=best", "recent or lowest"), ("page=0", "whole number"), ("page=99999999999999999999", "whole number")):
        resp = client.get(f"/conversations?{query}", headers=HTML)
        assert resp.status_code == 422 and message in resp.text and "<html" in resp.text


@sqlite_only
def test_pages_need_a_login(client: TestClient) -> None:
    resp = client.get("/conversations/x", headers=HTML, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/login?next=/conversations/x"


def test_conversation_page_shows_highlights_emotions_trajectory_and_evidence(client: TestClient) -> None:
    _seed(client, conversation("c1", "agent-1"), _rude("c2", "agent-1"))
    log_in(client, "agent_1")
    page = client.get("/conversations/c1", headers=HTML).text
    marks = re.findall(r'<mark class="ann (good|anti)([^"]*)"[^>]*title="([^"]+)"', page)
    assert marks and any("b-apology" in classes for _, classes, _ in marks)
    assert all("probability" in title for _, _, title in marks)
    assert '<span class="tag good">Apology</span>' in page
    assert "Frustration" in page and "intensity" in page  # the customer's emotions
    assert '<svg class="chart"' in page and "Emotional trajectory" in page
    assert "Score breakdown" in page and '<a href="#turn-1">Turn 2</a>' in page
    assert "Agree" not in page  # agents see reviews but cannot add them
    assert "turn 1 · 2026-11-02 10:00" in page
    rude = client.get("/conversations/c2", headers=HTML).text
    assert '<mark class="ann anti' in rude and 'class="tag anti">Blame<' in rude
    assert "Suggested rewrite" in rude and "Tip" in rude and "Missed here" in rude


@sqlite_only
def test_foreign_and_unknown_conversations(client: TestClient) -> None:
    _seed(client, conversation("theirs", "agent-3"))
    log_in(client, "agent_1")
    forbidden = client.get("/conversations/theirs", headers=HTML)
    assert forbidden.status_code == 403 and "Not allowed" in forbidden.text
    missing = client.get("/conversations/nope", headers=HTML)
    assert missing.status_code == 404 and "Not found" in missing.text


def _annotation_form(page: str, label: str) -> dict[str, str]:
    form = re.search(rf'<form method="post" action="/conversations/c1/reviews" class="review-form" aria-label="Review {label}.*?</form>', page, re.S)
    assert form, f"no review form for {label}"
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))


def test_coach_reviews_an_annotation_and_the_analysis_is_unchanged(client: TestClient) -> None:
    _seed(client, conversation("c1", "agent-1"))
    before = client.get("/api/v1/conversations/c1", headers=token(client, "admin")).json()
    log_in(client, "coach_a")
    page = client.get("/conversations/c1", headers=HTML).text
    fields = _annotation_form(page, "Apology")
    resp = client.post("/conversations/c1/reviews", data={**fields, "verdict": "agree", "comment": "Warm and early"}, headers=HTML, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/conversations/c1?reviewed=agree#turn-1")
    after_page = client.get("/conversations/c1?reviewed=agree", headers=HTML).text
    assert "Your review was saved" in after_page and "Warm and early" in after_page
    assert re.search(r'class="verdict agree small"[^>]*>[^<]*: agree', after_page)
    emotion = _annotation_form(after_page, "Frustration")
    assert client.post("/conversations/c1/reviews", data={**emotion, "verdict": "disagree"}, headers=HTML, follow_redirects=False).status_code == 303
    after = client.get("/api/v1/conversations/c1", headers=token(client, "admin")).json()
    assert {k: v for k, v in after.items() if k != "reviews"} == {k: v for k, v in before.items() if k != "reviews"}
    assert [(r["label"], r["verdict"]) for r in after["reviews"]] == [("apology", "agree"), ("frustration", "disagree")]


@sqlite_only
def test_bad_reviews_and_role_boundaries(client: TestClient) -> None:
    _seed(client, conversation("c1", "agent-1"))
    csrf = log_in(client, "coach_a")
    bad = {"csrf": csrf, "turn": "1", "label": "telepathy", "start": "0", "end": "3", "verdict": "agree"}
    resp = client.post("/conversations/c1/reviews", data=bad, headers=HTML)
    assert resp.status_code == 422 and "has no annotation &#39;telepathy&#39;" in resp.text
    resp = client.post("/conversations/c1/reviews", data={"csrf": csrf, "turn": "one", "comment": "x"}, headers=HTML)
    assert resp.status_code == 422 and "expected a whole number" in resp.text
    resp = client.post("/conversations/c1/reviews", data={"csrf": csrf, "comment": "  "}, headers=HTML)
    assert resp.status_code == 422 and "verdict" in resp.text
    resp = client.post("/conversations/c1/reviews", data={"turn": "1", "comment": "no token"}, headers=HTML)
    assert resp.status_code == 403 and "CSRF" in resp.text
    ok = client.post("/conversations/c1/reviews", data={"csrf": csrf, "comment": "Good call overall"}, headers=HTML, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].endswith("#reviews")
    agent_csrf = log_in(client, "agent_1")
    resp = client.post("/conversations/c1/reviews", data={"csrf": agent_csrf, "comment": "me too"}, headers=HTML)
    assert resp.status_code == 403
    assert "Good call overall" in client.get("/conversations/c1", headers=HTML).text
    coach_b = log_in(client, "coach_b")
    resp = client.post("/conversations/c1/reviews", data={"csrf": coach_b, "comment": "not my team"}, headers=HTML)
    assert resp.status_code == 403


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        ([], [("Sorry, Dana.", (), ())]),
        ([{"id": "apology", "start": 0, "end": 5, "score": 0.7}], [("Sorry", ("apology",), ("apology",)), (", Dana.", (), ())]),
        (  # overlapping spans: every run knows all the annotations covering it, innermost first
            [{"id": "apology", "start": 0, "end": 12, "score": 0.7}, {"id": "personalization", "start": 7, "end": 11, "score": 0.6}],
            [("Sorry, ", ("apology",), ("apology",)), ("Dana", ("personalization", "apology"), ("personalization",)), (".", ("apology",), ())],
        ),
        (  # the same span twice is shown once; spans past the text are clipped
            [{"id": "blame", "start": 7, "end": 99, "score": 0.8}, {"id": "blame", "start": 7, "end": 99, "score": 0.8}],
            [("Sorry, ", (), ()), ("Dana.", ("blame",), ("blame",))],
        ),
    ],
)
def test_highlight_cuts_text_at_every_span_boundary(annotations: list[dict[str, Any]], expected: list[tuple[str, tuple[str, ...], tuple[str, ...]]]) -> None:
    segments = conversations_pages.highlight("Sorry, Dana.", annotations)
    assert [(s.text, tuple(x.label for x in s.spans), tuple(x.label for x in s.opens)) for s in segments] == expected
    assert "".join(s.text for s in segments) == "Sorry, Dana."
