"""The draft checker page: the plain form POST, the live JSON check, and clear context errors."""

from __future__ import annotations

import re
from html import escape

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ACCOUNTS, PASSWORD
from warmline.web.assist_page import ContextError, parse_context

HTML = {"Accept": "text/html"}
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CONTEXT = "Customer: This is the third time I'm writing. My order still hasn't arrived and I'm furious.\n"
GOOD = "Dana, I'm so sorry, that's really frustrating. I've reshipped it today by express and I'll email you the tracking by 5pm."
RUDE = "You should have read the email. Delivery times are estimates."


def _login(client: TestClient, who: str) -> str:
    resp = client.post("/login", data={"email": ACCOUNTS[who].email, "password": PASSWORD}, follow_redirects=False)
    assert resp.status_code == 303
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/assist", headers=HTML).text)
    assert match
    return match.group(1)


def test_form_post_renders_the_result_without_javascript(client: TestClient) -> None:
    csrf = _login(client, "agent_1")
    page = client.get("/assist", headers=HTML).text
    assert 'data-check-url="/assist/check"' in page and 'name="draft"' in page
    resp = client.post("/assist", data={"csrf": csrf, "context": CONTEXT, "customer_name": "Dana", "draft": GOOD}, headers=HTML)
    assert resp.status_code == 200
    assert "draft score" in resp.text and "Behaviours found" in resp.text
    assert '<mark class="ann good' in resp.text and "Apology" in resp.text
    rude = client.post("/assist", data={"csrf": csrf, "context": CONTEXT, "draft": RUDE}, headers=HTML).text
    assert "Warnings" in rude and "Blame" in rude and "Missing" in rude and "Suggested rewrite" in rude
    assert RUDE in rude  # the draft stays in the form


@sqlite_only
def test_live_check_returns_json_and_html(client: TestClient) -> None:
    csrf = _login(client, "coach_a")
    resp = client.post("/assist/check", json={"context": CONTEXT, "customer_name": "Dana", "draft": GOOD}, headers={"X-CSRF-Token": csrf})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert 0 <= body["result"]["score"] <= 100
    assert {b["id"] for b in body["result"]["behaviours"]} >= {"apology"}
    assert "draft score" in body["html"] and "<mark" in body["html"]
    assert client.post("/assist/check", json={"draft": GOOD}).status_code == 403  # no CSRF header
    hostile = client.post("/assist/check", json={"draft": "<img src=x onerror=alert(1)> I'm sorry"}, headers={"X-CSRF-Token": csrf})
    assert "<img" not in hostile.json()["html"] and "&lt;img" in hostile.json()["html"]


@sqlite_only
def test_context_errors_name_the_line(client: TestClient) -> None:
    csrf = _login(client, "agent_1")
    context = "Customer: hello\nAgent: hi, how can I help?\nDana: my card was charged twice"
    resp = client.post("/assist/check", json={"context": context, "draft": GOOD}, headers={"X-CSRF-Token": csrf})
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["line"] == 3 and "line 3" in error["message"] and "Dana" in error["message"]
    resp = client.post("/assist/check", json={"context": "my order is late\nCustomer: hi", "draft": GOOD}, headers={"X-CSRF-Token": csrf})
    assert resp.status_code == 422 and resp.json()["error"]["line"] == 1
    page = client.post("/assist", data={"csrf": csrf, "context": context, "draft": GOOD}, headers=HTML)
    assert page.status_code == 422 and "Conversation so far, line 3" in page.text and escape(GOOD).replace("&#x27;", "&#39;") in page.text
    assert "write &#39;Customer:&#39; or &#39;Agent:&#39;" in page.text
    empty = client.post("/assist", data={"csrf": csrf, "context": CONTEXT, "draft": "   "}, headers=HTML)
    assert empty.status_code == 422 and "type the reply" in empty.text


@sqlite_only
def test_the_composer_needs_a_login(client: TestClient) -> None:
    resp = client.get("/assist", headers=HTML, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/login?next=/assist"


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        ("", []),
        ("Customer: hi\nAgent: hello\n  and welcome\nCustomer: thanks", ["customer", "agent", "customer"]),
        ("\n\n[10:02] Caller: my card\nRep: on it", ["customer", "agent"]),
    ],
)
def test_parse_context_reads_pasted_lines(text: str, speakers: list[str]) -> None:
    assert [t.speaker.value for t in parse_context(text)] == speakers


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("hello there\nCustomer: hi", 1, "who is speaking"),
        ("\nCustomer: hi\nPriya: hello", 3, "unknown speaker 'Priya'"),
    ],
)
def test_parse_context_names_the_bad_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ContextError) as caught:
        parse_context(text)
    assert caught.value.line == line and f"line {line}: " in str(caught.value) and words in str(caught.value)
