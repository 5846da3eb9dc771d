"""Learn pages: modules and lessons, graded exercises, assessments, the team view, roles, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.web.conftest import ACCOUNTS, log_in, token
from warmline.practice.curriculum import assessment_items, get_module
from warmline.web.learn_markup import highlight, render_markdown

HTML = {"Accept": "text/html"}
MODULE = "introduction"
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _post_exercise(client: TestClient, csrf: str, exercise: str, **fields: str | list[str]) -> str:
    resp = client.post(
        f"/learn/{MODULE}/exercises/{exercise}", data={"csrf": csrf, **fields}, headers=HTML
    )
    assert resp.status_code == 200, resp.text
    return resp.text


def test_an_agent_reads_a_module_and_passes_an_exercise(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    listing = client.get("/learn", headers=HTML).text
    assert 'href="/learn"' in listing  # nav link
    for m in ("Introduction to empathy", "Active listening", "Pre-assessment", "Not taken yet"):
        assert m in listing, m
    module = client.get(f"/learn/{MODULE}", headers=HTML).text
    assert "What empathy is (and what it is not)" in module and "Key points" in module
    assert "<em>this</em>" in module  # the lesson markdown is rendered
    assert "not tried yet" in module
    ex = get_module(MODULE).exercises[3]  # acknowledge-then-act
    task = client.get(f"/learn/{MODULE}/exercises/{ex.id}", headers=HTML).text
    assert (
        "Your reply to Omar" in task and str(escape(ex.model_answer)) not in task
    )  # no answer given away
    poor = _post_exercise(client, csrf, ex.id, answer=ex.poor_example)
    assert (
        "Not yet" in poor
        and "What to try" in poor
        and "A model answer" in poor
        and str(escape(ex.model_answer)) in poor
    )
    good = _post_exercise(client, csrf, ex.id, answer=ex.model_answer)
    assert "Passed" in good and "What worked" in good and '<mark class="evidence good"' in good
    back = client.get(f"/learn/{MODULE}/exercises/{ex.id}", headers=HTML).text
    assert "Your last attempt" in back and "Passed" in back and str(escape(ex.model_answer)) in back
    module = client.get(f"/learn/{MODULE}", headers=HTML).text
    assert "2 attempts" in module and "passed" in module
    listing = client.get("/learn", headers=HTML).text
    assert "1/5" in listing


def test_choice_exercises_are_checkboxes_and_radios(client: TestClient) -> None:
    csrf = log_in(client, "agent_2")
    page = client.get(f"/learn/{MODULE}/exercises/spot-the-brush-off", headers=HTML).text
    assert page.count('type="checkbox" name="answer"') == 5  # four sentences and "none"
    right = _post_exercise(client, csrf, "spot-the-brush-off", answer=["4", "2"])
    assert "Passed" in right and 'score <span class="score-value">100</span>' in right
    partly = _post_exercise(client, csrf, "spot-the-brush-off", answer=["2"])
    assert "Not yet" in partly and 'value="2" checked' in partly
    page = client.get(f"/learn/{MODULE}/exercises/name-the-feeling-hold", headers=HTML).text
    assert 'type="radio" name="answer.choice" value="frustration"' in page
    picked = _post_exercise(
        client, csrf, "name-the-feeling-hold", **{"answer.choice": "frustration"}
    )
    assert "Passed" in picked and '<mark class="evidence emo"' in picked
    typed = _post_exercise(
        client, csrf, "name-the-feeling-hold", **{"answer": "happy", "answer.choice": "frustration"}
    )
    assert "Not yet" in typed  # words typed win over the radio


@sqlite_only
def test_bad_input_unknown_ids_and_csrf(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    empty = client.post(
        f"/learn/{MODULE}/exercises/acknowledge-then-act",
        data={"csrf": csrf, "answer": "  "},
        headers=HTML,
    )
    assert empty.status_code == 422 and "write your answer" in empty.text
    nothing = client.post(
        f"/learn/{MODULE}/exercises/spot-the-brush-off", data={"csrf": csrf}, headers=HTML
    )
    assert nothing.status_code == 422
    no_csrf = client.post(
        f"/learn/{MODULE}/exercises/acknowledge-then-act", data={"answer": "Hello"}, headers=HTML
    )
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
    for path in (
        "/learn/no-such-module",
        f"/learn/{MODULE}/exercises/nope",
        f"/learn/{MODULE}/exercises/pre-name-emotion",
        "/learn/assessment/middle",
    ):
        resp = client.get(path, headers=HTML)
        assert resp.status_code == 404 and "<html" in resp.text, path
    assert (
        client.post(
            f"/learn/{MODULE}/exercises/nope", data={"csrf": csrf, "answer": "x"}, headers=HTML
        ).status_code
        == 404
    )
    blank = client.post("/learn/assessment/pre", data={"csrf": csrf}, headers=HTML)
    assert blank.status_code == 422 and "at least one" in blank.text
    assert client.get("/learn/team", headers=HTML).status_code == 403
    due = (date.today() + timedelta(days=5)).isoformat()
    forged = client.post(
        "/learn/team/assign",
        data={
            "csrf": csrf,
            "agent_email": ACCOUNTS["agent_1"].email,
            "module_id": MODULE,
            "due": due,
        },
        headers=HTML,
    )
    assert forged.status_code == 403
    client.cookies.clear()
    assert client.get("/learn", headers=HTML, follow_redirects=False).status_code == 303


def test_pre_and_post_assessment_compare(client: TestClient) -> None:
    csrf = log_in(client, "agent_3")
    pre = assessment_items("pre")
    form = client.get("/learn/assessment/pre", headers=HTML).text
    assert form.count('class="card assessment-item"') == len(pre)
    for _, e in pre:
        assert str(escape(e.model_answer)) not in form or e.kind in ("name_emotion", "spot_bias"), (
            e.id
        )
    first = pre[0][1]
    fields = {
        "csrf": csrf,
        f"item-{first.id}.choice": "happy" if first.kind == "name_emotion" else "",
    }
    fields[f"item-{first.id}"] = first.model_answer
    done = client.post("/learn/assessment/pre", data=fields, headers=HTML)
    assert done.status_code == 200 and "Your result" in done.text
    assert f"{round(100 / len(pre))}%" in done.text and "Skipped" in done.text
    answers: dict[str, str | list[str]] = {"csrf": csrf}
    for _, e in assessment_items("post"):
        if e.kind == "spot_bias":
            answers[f"item-{e.id}"] = [str(n) for n in e.biased] or ["none"]
        else:
            answers[f"item-{e.id}"] = e.model_answer
    post = client.post("/learn/assessment/post", data=answers, headers=HTML)
    assert (
        post.status_code == 200 and "100%" in post.text and "Since the pre-assessment" in post.text
    )
    assert f"{100 - round(100 / len(pre)):+d} points" in post.text
    listing = client.get("/learn", headers=HTML).text
    assert f"{100 - round(100 / len(pre)):+d} points" in listing and "Change" in listing


def test_coaches_assign_modules_and_follow_their_teams(client: TestClient) -> None:
    csrf = log_in(client, "agent_1")
    ex = get_module(MODULE).exercises[0]
    _post_exercise(client, csrf, ex.id, answer=ex.model_answer)
    csrf = log_in(client, "coach_a")
    team = client.get("/learn/team", headers=HTML)
    assert team.status_code == 200
    assert ACCOUNTS["agent_1"].email in team.text and ACCOUNTS["agent_3"].email not in team.text
    assert "1/5" in team.text
    due = (date.today() + timedelta(days=5)).isoformat()
    data = {
        "csrf": csrf,
        "agent_email": ACCOUNTS["agent_1"].email,
        "module_id": MODULE,
        "due": due,
        "note": "before the review",
    }
    resp = client.post("/learn/team/assign", data=data, headers=HTML, follow_redirects=False)
    assert resp.status_code == 303
    team = client.get("/learn/team", headers=HTML).text
    assert (
        "Not started" in team and "before the review" in team and due in team
    )  # earlier tries don't count
    outside = client.post(
        "/learn/team/assign", data={**data, "agent_email": ACCOUNTS["agent_3"].email}, headers=HTML
    )
    assert outside.status_code == 403
    bad = client.post("/learn/team/assign", data={**data, "due": "next week"}, headers=HTML)
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text and "before the review" in bad.text
    unknown = client.post("/learn/team/assign", data={**data, "module_id": "nope"}, headers=HTML)
    assert unknown.status_code == 422 and "unknown module" in unknown.text
    csrf = log_in(client, "admin")
    admin = client.post(
        "/learn/team/assign",
        data={**data, "csrf": csrf, "agent_email": ACCOUNTS["agent_3"].email},
        headers=HTML,
        follow_redirects=False,
    )
    assert admin.status_code == 303
    csrf = log_in(client, "agent_1")
    _post_exercise(client, csrf, ex.id, answer=ex.model_answer)
    mine = client.get("/learn", headers=HTML).text
    assert "Assigned to you" in mine and "before the review" in mine and "In progress" in mine


def test_the_rest_api_grades_stores_and_reports(client: TestClient) -> None:
    agent = token(client, "agent_1")
    listing = client.get("/api/v1/learn/modules", headers=agent).json()
    assert [m["id"] for m in listing][:2] == [MODULE, "active-listening"]
    module = client.get(f"/api/v1/learn/modules/{MODULE}", headers=agent).json()
    assert module["lessons"][0]["body"] and "model_answer" not in module["exercises"][0]
    ex = get_module(MODULE).exercises[4]  # spot-the-brush-off
    resp = client.post(
        f"/api/v1/learn/modules/{MODULE}/exercises/{ex.id}/attempts",
        json={"answer": "2, 4"},
        headers=agent,
    )
    assert resp.status_code == 201 and resp.json()["passed"] and resp.json()["attempt"] > 0
    bad = client.post(
        f"/api/v1/learn/modules/{MODULE}/exercises/{ex.id}/attempts",
        json={"answer": ""},
        headers=agent,
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    assert (
        client.post(
            f"/api/v1/learn/modules/{MODULE}/exercises/nope/attempts",
            json={"answer": "x"},
            headers=agent,
        ).status_code
        == 404
    )
    items = client.get("/api/v1/learn/assessment/pre", headers=agent).json()
    assert len(items) == len(assessment_items("pre")) and "answer" not in items[0]
    first = assessment_items("pre")[0][1]
    graded = client.post(
        "/api/v1/learn/assessment/pre",
        json={"answers": {first.id: first.model_answer}},
        headers=agent,
    ).json()
    assert graded["passed"] == 1 and graded["unanswered"]
    mine = client.get("/api/v1/learn/progress", headers=agent).json()
    assert mine["agent"] == ACCOUNTS["agent_1"].email and mine["modules"][0]["passed"] == 1
    assert mine["assessment"]["pre"]["passed"] == 1
    assert client.get("/api/v1/learn/team", headers=agent).status_code == 403
    due = (date.today() + timedelta(days=2)).isoformat()
    body = {"agent_email": ACCOUNTS["agent_1"].email, "module_id": MODULE, "due": due}
    assert client.post("/api/v1/learn/assignments", json=body, headers=agent).status_code == 403
    coach = token(client, "coach_b")
    assert client.post("/api/v1/learn/assignments", json=body, headers=coach).status_code == 403
    coach = token(client, "coach_a")
    made = client.post("/api/v1/learn/assignments", json=body, headers=coach)
    assert (
        made.status_code == 201
        and made.json()["status"] == "not_started"
        and made.json()["assigned_by"] == ACCOUNTS["coach_a"].email
    )
    team = client.get("/api/v1/learn/team", headers=coach).json()
    assert [r["agent"] for r in team] == [ACCOUNTS["agent_1"].email, ACCOUNTS["agent_2"].email]
    assert [
        a["module_id"] for a in client.get("/api/v1/learn/assignments", headers=agent).json()
    ] == [MODULE]
    assert (
        "/api/v1/learn/modules/{module_id}/exercises/{exercise_id}/attempts"
        in client.get("/openapi.json").json()["paths"]
    )


def test_lesson_markdown_is_escaped_and_evidence_marked() -> None:
    html = str(
        render_markdown("Say **why** <b>x</b>.\n\n- one *thing*\n- two\n\n1. first\n2. second")
    )
    assert "<strong>why</strong> &lt;b&gt;x&lt;/b&gt;." in html
    assert (
        "<ul><li>one <em>thing</em></li><li>two</li></ul>" in html and "<ol><li>first</li>" in html
    )
    marked = str(
        highlight("I'm <so> sorry", [("apology", "sorry", "good"), ("x", "absent", "bad")])
    )
    assert marked == 'I&#39;m &lt;so&gt; <mark class="evidence good" title="apology">sorry</mark>'
    nested = str(
        highlight("Omar, sorry", [("name", "Omar", "good"), ("blame", "omar, sorry", "bad")])
    )
    assert (
        nested
        == '<mark class="evidence bad" title="name, blame">Omar</mark><mark class="evidence bad" title="blame">, sorry</mark>'
    )
