"""Authorisation of every route of the app, for every role, generated from the route table.

RULES names, for each (method, path) the app serves, who may use it and how to call it with a
request that is valid for that route (so a refusal is the role's, not the body's). The first
test fails when the app has a route RULES does not know: a new route cannot ship untested.

Roles: ``anonymous`` (no cookie, no token), ``agent`` (agent_1 of Team A, who owns the sample
conversation, practice session, journal entry and follow-up), ``coach`` (coach_a of Team A)
and ``admin``. A role that may not use a route must get 401 (anonymous, API), a redirect to
/login (anonymous, page), or 403/404 (logged in); a role that may must get neither.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined]
from fastapi.testclient import TestClient
from httpx import Response

from tests.web.conftest import ACCOUNTS, PASSWORD, conversation
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.web import create_app

HTML = {"Accept": "text/html"}
ROLES = ("anonymous", "agent", "coach", "admin")
ACCOUNT = {"agent": "agent_1", "coach": "coach_a", "admin": "admin"}
PUBLIC = frozenset(ROLES)
ANY = frozenset({"agent", "coach", "admin"})
STAFF = frozenset({"coach", "admin"})
ADMIN = frozenset({"admin"})
OWNER = frozenset({"agent"})  # agent_1's own things: their journal, their practice replies


@dataclass
class World:
    """The app, one client per role, and sample objects every route can be called on."""

    app: FastAPI
    clients: dict[str, TestClient]
    csrf: dict[str, str]
    tokens: dict[str, dict[str, str]]
    ids: dict[str, Any] = field(default_factory=dict)

    def page(self, who: str, method: str, url: str, *, files: Any = None, **data: Any) -> Response:
        client = self.clients[who]
        if method == "GET":
            return client.get(url, headers=HTML, follow_redirects=False)
        form = {"csrf": self.csrf.get(who, ""), **data}
        return client.request(method, url, data=form, files=files, headers=HTML, follow_redirects=False)

    def api(self, who: str, method: str, url: str, *, headers: dict[str, str] | None = None, **kw: Any) -> Response:
        client = self.clients[who]
        sent = {**self.tokens.get(who, {}), **(headers or {})}
        return client.request(method, url, headers=sent, follow_redirects=False, **kw)

    def fresh_entry(self) -> int:
        """A new journal entry of agent_1's (for routes that delete or change one)."""
        resp = self.api("agent", "POST", "/api/v1/journal", json={"felt": "a fresh note"})
        assert resp.status_code == 201, resp.text
        return int(resp.json()["id"])

    def fresh_conversation(self) -> str:
        """A new conversation of agent_1's, imported by the admin: the customer starts furious
        and ends calm, so it also gets a follow-up task."""
        self.ids["n"] = self.ids.get("n", 0) + 1
        cid = f"c-fresh-{self.ids['n']}"
        record = conversation(cid, "agent-1", team="Team A")
        record["turns"] = [
            {"speaker": "customer", "text": "This is absolutely unacceptable!!! The third time my order is lost and I am FURIOUS."},
            {"speaker": "agent", "text": "I'm so sorry, that's infuriating. I've reshipped it by express today and refunded the delivery fee."},
            {"speaker": "customer", "text": "Oh thank you so much, that really helps. Great service."},
        ]  # fmt: skip
        resp = self.api("admin", "POST", "/api/v1/conversations", json=record)
        assert resp.status_code == 201, resp.text
        return cid

    def fresh_survey(self) -> str:
        """The token of a new survey link (made by the coach) on a new conversation."""
        resp = self.api("coach", "POST", f"/api/v1/conversations/{self.fresh_conversation()}/survey", json={})
        assert resp.status_code in (200, 201), resp.text
        return str(resp.json()["url"]).rstrip("/").rsplit("/", 1)[-1]

    def fresh_followup(self) -> int:
        """The id of agent_1's follow-up task on a new conversation."""
        cid = self.fresh_conversation()
        tasks = self.api("agent", "GET", "/api/v1/followups", params={"status": "open"}).json()
        found = [t["id"] for t in tasks["open"] if t["conversation_id"] == cid]
        assert found, f"no follow-up was made for {cid}"
        return int(found[0])

    def fresh_calibration(self, *, submitted: bool = False) -> int:
        """A new open session on c-a1, owned by coach_a, reviewed by coach_a and the admin
        (with the coach's answers submitted, when *submitted*: a session closes on answers)."""
        resp = self.api("coach", "POST", "/api/v1/calibration", json={"conversation_id": "c-a1", "reviewers": [COACH_EMAIL, ADMIN_EMAIL]})
        assert resp.status_code == 201, resp.text
        sid = int(resp.json()["id"])
        if submitted:
            answers = {"turns": [{"turn": 1, "labels": ["apology"], "score": 80}], "submit": True}
            assert self.api("coach", "PUT", f"/api/v1/calibration/{sid}/answers", json=answers).status_code == 200
        return sid

    def new_weights(self) -> dict[str, Any]:
        """The shipped rubric with the base score moved, so that each publish is a new version."""
        self.ids["base"] = self.ids.get("base", 50) - 1
        return {**self.ids["weights"], "base": self.ids["base"]}

    def fresh_session(self) -> int:
        """A new practice session of agent_1's."""
        resp = self.api("agent", "POST", "/api/v1/practice/sessions", json={"scenario_id": "late-order-transferred", "seed": 1})
        assert resp.status_code == 201, resp.text
        return int(resp.json()["id"])


Call = Callable[[World, str], Response]


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    call: Call


def _api(method: str, url: str, **kw: Any) -> Call:
    return lambda w, who: w.api(who, method, url.format(**w.ids), **kw)


def _page(method: str, url: str, **data: Any) -> Call:
    return lambda w, who: w.page(who, method, url.format(**w.ids), **data)


def _json_bytes(record: dict[str, Any]) -> bytes:
    return _json_text(record).encode()


def _json_text(record: dict[str, Any]) -> str:
    return json.dumps(record)


AGENT_EMAIL = ACCOUNTS["agent_1"].email
COACH_EMAIL = ACCOUNTS["coach_a"].email
ADMIN_EMAIL = ACCOUNTS["admin"].email
ASSIST = {"turns": [{"speaker": "customer", "text": "My parcel is lost and I'm upset."}], "draft": "I'm so sorry, let me find it now."}
KPI_CSV = "conversation_id,csat\nc-a1,4\n"
REVIEW = "Waited three weeks for a parcel that never came and nobody answers the phone. Furious."

RULES: dict[tuple[str, str], Rule] = {
    # --- public and session --------------------------------------------------------------
    ("GET", "/openapi.json"): Rule(PUBLIC, _api("GET", "/openapi.json")),
    ("GET", "/healthz"): Rule(PUBLIC, _api("GET", "/healthz")),
    ("GET", "/login"): Rule(PUBLIC, _page("GET", "/login")),
    ("POST", "/login"): Rule(PUBLIC, lambda w, who: w.clients["anonymous"].post(
        "/login", data={"email": ACCOUNTS["agent_2"].email, "password": PASSWORD}, follow_redirects=False)),
    ("POST", "/api/v1/token"): Rule(PUBLIC, lambda w, who: w.clients["anonymous"].post(
        "/api/v1/token", data={"username": ACCOUNTS["agent_2"].email, "password": PASSWORD})),
    ("POST", "/logout"): Rule(ANY, lambda w, who: _logout(w, who)),
    ("GET", "/"): Rule(ANY, _page("GET", "/")),
    ("GET", "/api/v1/me"): Rule(ANY, _api("GET", "/api/v1/me")),
    # --- conversations, reviews, import, assist --------------------------------------------
    ("POST", "/api/v1/conversations"): Rule(STAFF, _api("POST", "/api/v1/conversations", json=conversation("c-new", "agent-1"))),
    ("GET", "/api/v1/conversations"): Rule(ANY, _api("GET", "/api/v1/conversations")),
    ("GET", "/api/v1/conversations/{conversation_id}"): Rule(ANY, _api("GET", "/api/v1/conversations/c-a1")),
    ("POST", "/api/v1/conversations/{conversation_id}/reviews"): Rule(STAFF, _api(
        "POST", "/api/v1/conversations/c-a1/reviews", json={"comment": "kind and quick"})),
    ("GET", "/api/v1/conversations/{conversation_id}/reviews"): Rule(ANY, _api("GET", "/api/v1/conversations/c-a1/reviews")),
    ("POST", "/api/v1/assist"): Rule(ANY, _api("POST", "/api/v1/assist", json=ASSIST)),
    ("POST", "/api/v1/imports"): Rule(STAFF, lambda w, who: w.api(
        who, "POST", "/api/v1/imports", files={"file": ("one.json", _json_bytes(conversation("c-up", "agent-1")))})),
    ("GET", "/api/v1/imports/{job_id}"): Rule(STAFF, _api("GET", "/api/v1/imports/{job}")),
    ("GET", "/conversations"): Rule(ANY, _page("GET", "/conversations")),
    ("GET", "/conversations/{conversation_id}"): Rule(ANY, _page("GET", "/conversations/c-a1")),
    ("POST", "/conversations/{conversation_id}/reviews"): Rule(STAFF, _page(
        "POST", "/conversations/c-a1/reviews", comment="a page comment")),
    ("GET", "/import"): Rule(STAFF, _page("GET", "/import")),
    ("POST", "/import"): Rule(STAFF, _page("POST", "/import", records=_json_text(conversation("c-paste", "agent-1")))),
    ("GET", "/import/{job_id}"): Rule(STAFF, _page("GET", "/import/{job}")),
    ("GET", "/assist"): Rule(ANY, _page("GET", "/assist")),
    ("POST", "/assist"): Rule(ANY, _page("POST", "/assist", draft="I'm sorry, I'll fix it today.", context="Customer: it broke")),
    ("POST", "/assist/check"): Rule(ANY, lambda w, who: w.clients[who].post(
        "/assist/check", json={"draft": "I'm sorry, I'll fix it.", "context": "Customer: it broke"},
        headers={"X-CSRF-Token": w.csrf.get(who, "")})),
    # --- dashboards and exports --------------------------------------------------------------
    ("GET", "/dashboard/team"): Rule(STAFF, _page("GET", "/dashboard/team")),
    ("GET", "/dashboard/agent"): Rule(ANY, _page("GET", "/dashboard/agent")),
    ("GET", "/export/conversations.csv"): Rule(ANY, _page("GET", "/export/conversations.csv")),
    # --- practice and journal ----------------------------------------------------------------
    ("GET", "/api/v1/practice/scenarios"): Rule(ANY, _api("GET", "/api/v1/practice/scenarios")),
    ("GET", "/api/v1/practice/sessions"): Rule(ANY, _api("GET", "/api/v1/practice/sessions")),
    ("POST", "/api/v1/practice/sessions"): Rule(ANY, _api("POST", "/api/v1/practice/sessions", json={"scenario_id": "late-order-transferred", "seed": 2})),
    ("GET", "/api/v1/practice/sessions/{session_id}"): Rule(ANY, _api("GET", "/api/v1/practice/sessions/{session}")),
    ("POST", "/api/v1/practice/sessions/{session_id}/replies"): Rule(OWNER, lambda w, who: w.api(
        who, "POST", f"/api/v1/practice/sessions/{w.fresh_session()}/replies", json={"text": "I'm so sorry, I'll sort it now."})),
    ("GET", "/practice"): Rule(ANY, _page("GET", "/practice")),
    ("GET", "/practice/history"): Rule(ANY, _page("GET", "/practice/history")),
    ("GET", "/practice/assign"): Rule(STAFF, _page("GET", "/practice/assign")),
    ("POST", "/practice/assign"): Rule(STAFF, _page("POST", "/practice/assign", agent_email=AGENT_EMAIL, scenario_id="late-order-transferred", due="", note="")),
    ("GET", "/practice/from-conversation/{conversation_id}"): Rule(ANY, _page("GET", "/practice/from-conversation/c-a1")),
    ("POST", "/practice/from-conversation/{conversation_id}"): Rule(ANY, _page("POST", "/practice/from-conversation/c-a1")),
    ("GET", "/practice/{scenario_id}/new"): Rule(ANY, _page("GET", "/practice/late-order-transferred/new")),
    ("POST", "/practice/{scenario_id}/new"): Rule(ANY, _page("POST", "/practice/late-order-transferred/new", seed="3")),
    ("GET", "/practice/sessions/{session_id}"): Rule(ANY, _page("GET", "/practice/sessions/{session}")),
    ("POST", "/practice/sessions/{session_id}/replies"): Rule(OWNER, lambda w, who: w.page(
        who, "POST", f"/practice/sessions/{w.fresh_session()}/replies", text="I'm sorry, I'll fix this.")),
    ("POST", "/practice/sessions/{session_id}/end"): Rule(OWNER, lambda w, who: w.page(
        who, "POST", f"/practice/sessions/{w.fresh_session()}/end")),
    ("GET", "/api/v1/journal"): Rule(ANY, _api("GET", "/api/v1/journal")),
    ("POST", "/api/v1/journal"): Rule(ANY, _api("POST", "/api/v1/journal", json={"felt": "mine"})),
    ("GET", "/api/v1/journal/{entry_id}"): Rule(OWNER, _api("GET", "/api/v1/journal/{entry}")),
    ("DELETE", "/api/v1/journal/{entry_id}"): Rule(OWNER, lambda w, who: w.api(who, "DELETE", f"/api/v1/journal/{w.fresh_entry()}")),
    ("POST", "/api/v1/journal/{entry_id}/share"): Rule(OWNER, lambda w, who: w.api(
        who, "POST", f"/api/v1/journal/{w.fresh_entry()}/share", json={"coach_email": COACH_EMAIL})),
    ("DELETE", "/api/v1/journal/{entry_id}/share"): Rule(OWNER, lambda w, who: w.api(
        who, "DELETE", f"/api/v1/journal/{w.fresh_entry()}/share", params={"coach_email": COACH_EMAIL})),
    ("GET", "/journal"): Rule(ANY, _page("GET", "/journal")),
    ("GET", "/journal/new"): Rule(ANY, _page("GET", "/journal/new")),
    ("POST", "/journal"): Rule(ANY, _page("POST", "/journal", felt="mine")),
    ("GET", "/journal/{entry_id}"): Rule(OWNER, _page("GET", "/journal/{entry}")),
    ("POST", "/journal/{entry_id}/share"): Rule(OWNER, lambda w, who: w.page(who, "POST", f"/journal/{w.fresh_entry()}/share", coach_email=COACH_EMAIL)),
    ("POST", "/journal/{entry_id}/unshare"): Rule(OWNER, lambda w, who: w.page(who, "POST", f"/journal/{w.fresh_entry()}/unshare", coach_email=COACH_EMAIL)),
    ("POST", "/journal/{entry_id}/delete"): Rule(OWNER, lambda w, who: w.page(who, "POST", f"/journal/{w.fresh_entry()}/delete")),
    # --- curriculum --------------------------------------------------------------------------
    ("GET", "/api/v1/learn/modules"): Rule(ANY, _api("GET", "/api/v1/learn/modules")),
    ("GET", "/api/v1/learn/modules/{module_id}"): Rule(ANY, _api("GET", "/api/v1/learn/modules/{module}")),
    ("POST", "/api/v1/learn/modules/{module_id}/exercises/{exercise_id}/attempts"): Rule(ANY, _api(
        "POST", "/api/v1/learn/modules/{module}/exercises/{exercise}/attempts", json={"answer": "That sounds really frustrating."})),
    ("GET", "/api/v1/learn/assessment/{phase}"): Rule(ANY, _api("GET", "/api/v1/learn/assessment/pre")),
    ("POST", "/api/v1/learn/assessment/{phase}"): Rule(ANY, lambda w, who: w.api(
        who, "POST", "/api/v1/learn/assessment/pre", json={"answers": {w.ids["item"]: "That sounds so frustrating."}})),
    ("GET", "/api/v1/learn/progress"): Rule(ANY, _api("GET", "/api/v1/learn/progress")),
    ("GET", "/api/v1/learn/team"): Rule(STAFF, _api("GET", "/api/v1/learn/team")),
    ("GET", "/api/v1/learn/assignments"): Rule(ANY, _api("GET", "/api/v1/learn/assignments")),
    ("POST", "/api/v1/learn/assignments"): Rule(STAFF, _api(
        "POST", "/api/v1/learn/assignments", json={"agent_email": AGENT_EMAIL, "module_id": "active-listening", "due": "2026-12-24"})),
    ("GET", "/learn"): Rule(ANY, _page("GET", "/learn")),
    ("GET", "/learn/team"): Rule(STAFF, _page("GET", "/learn/team")),
    ("POST", "/learn/team/assign"): Rule(STAFF, _page("POST", "/learn/team/assign", agent_email=AGENT_EMAIL, module_id="active-listening", due="2026-12-24", note="")),
    ("GET", "/learn/assessment/{phase}"): Rule(ANY, _page("GET", "/learn/assessment/pre")),
    ("POST", "/learn/assessment/{phase}"): Rule(ANY, lambda w, who: w.page(
        who, "POST", "/learn/assessment/pre", **{f"item-{w.ids['item']}": "That sounds so frustrating."})),
    ("GET", "/learn/{module_id}"): Rule(ANY, _page("GET", "/learn/{module}")),
    ("GET", "/learn/{module_id}/exercises/{exercise_id}"): Rule(ANY, _page("GET", "/learn/{module}/exercises/{exercise}")),
    ("POST", "/learn/{module_id}/exercises/{exercise_id}"): Rule(ANY, _page("POST", "/learn/{module}/exercises/{exercise}", answer="That sounds so frustrating.")),
    # --- business results --------------------------------------------------------------------
    ("POST", "/api/v1/kpis"): Rule(STAFF, _api("POST", "/api/v1/kpis", content=KPI_CSV, headers={"Content-Type": "text/csv"})),
    ("GET", "/api/v1/reports/before-after"): Rule(ANY, lambda w, who: w.api(
        who, "GET", "/api/v1/reports/before-after",
        params={"event": "2026-11-01", **({"agent": "agent-1"} if who == "agent" else {"team": "Team A"})})),
    ("GET", "/api/v1/reports/csat-correlation"): Rule(ANY, _api("GET", "/api/v1/reports/csat-correlation")),
    ("GET", "/results"): Rule(ANY, _page("GET", "/results")),
    ("POST", "/results/kpis"): Rule(STAFF, _page("POST", "/results/kpis", kpis=KPI_CSV)),
    ("GET", "/export/scores.{fmt}"): Rule(ANY, _page("GET", "/export/scores.csv?level=turn")),
    ("GET", "/api/v1/exports/scores.{fmt}"): Rule(ANY, _api("GET", "/api/v1/exports/scores.parquet", params={"level": "behaviour"})),
    ("GET", "/reply"): Rule(ANY, _page("GET", "/reply")),
    ("POST", "/reply"): Rule(ANY, _page("POST", "/reply", context=REVIEW, stars="1")),
    ("POST", "/reply/check"): Rule(ANY, lambda w, who: w.clients[who].post(
        "/reply/check", json={"context": REVIEW, "draft": "I'm so sorry your parcel went missing."},
        headers={"X-CSRF-Token": w.csrf.get(who, "")})),
    ("POST", "/api/v1/review-replies"): Rule(ANY, _api("POST", "/api/v1/review-replies", json={"review": REVIEW, "stars": 1})),
    # --- privacy -----------------------------------------------------------------------------
    ("POST", "/api/v1/retention/purge"): Rule(ADMIN, _api("POST", "/api/v1/retention/purge", json={"days": 3650, "dry_run": True})),
    ("POST", "/api/v1/customers/forget"): Rule(ADMIN, _api("POST", "/api/v1/customers/forget", json={"customer_id": "C-none", "dry_run": True})),
    ("GET", "/api/v1/audit"): Rule(ADMIN, _api("GET", "/api/v1/audit")),
    ("GET", "/api/v1/audit/verify"): Rule(ADMIN, _api("GET", "/api/v1/audit/verify")),
    # --- surveys and follow-ups ---------------------------------------------------------------
    ("POST", "/api/v1/conversations/{conversation_id}/survey"): Rule(STAFF, lambda w, who: w.api(
        who, "POST", f"/api/v1/conversations/{w.fresh_conversation()}/survey", json={})),
    ("POST", "/conversations/{conversation_id}/survey"): Rule(STAFF, lambda w, who: w.page(
        who, "POST", f"/conversations/{w.fresh_conversation()}/survey")),
    ("GET", "/api/v1/surveys"): Rule(ANY, _api("GET", "/api/v1/surveys")),
    ("GET", "/api/v1/survey-templates"): Rule(STAFF, _api("GET", "/api/v1/survey-templates")),
    ("POST", "/api/v1/survey-templates"): Rule(ADMIN, lambda w, who: w.api(who, "POST", "/api/v1/survey-templates", json={
        "name": f"Short {who}", "questions": [{"key": "csat", "kind": "scale", "text": "How did we do?", "feeds": "csat"}]})),
    ("GET", "/surveys/templates"): Rule(STAFF, _page("GET", "/surveys/templates")),
    ("POST", "/surveys/templates"): Rule(ADMIN, lambda w, who: w.page(
        who, "POST", "/surveys/templates", name=f"Page {who}",
        questions="- key: csat\n  kind: scale\n  text: How did we do?\n  feeds: csat\n")),
    ("GET", "/s/{token}"): Rule(PUBLIC, lambda w, who: w.clients[who].get(f"/s/{w.fresh_survey()}", headers=HTML)),
    ("POST", "/s/{token}"): Rule(PUBLIC, lambda w, who: _answer_survey(w, who)),
    ("GET", "/api/v1/followups"): Rule(ANY, _api("GET", "/api/v1/followups")),
    ("POST", "/api/v1/followups/{task_id}/done"): Rule(OWNER, lambda w, who: w.api(
        who, "POST", f"/api/v1/followups/{w.fresh_followup()}/done", json={"note": "called back"})),
    ("POST", "/api/v1/followups/{task_id}/skip"): Rule(OWNER, lambda w, who: w.api(
        who, "POST", f"/api/v1/followups/{w.fresh_followup()}/skip", json={"reason": "customer asked not to"})),
    ("GET", "/followups"): Rule(ANY, _page("GET", "/followups")),
    ("POST", "/followups/{task_id}/done"): Rule(OWNER, lambda w, who: w.page(who, "POST", f"/followups/{w.fresh_followup()}/done", note="done")),
    ("POST", "/followups/{task_id}/skip"): Rule(OWNER, lambda w, who: w.page(who, "POST", f"/followups/{w.fresh_followup()}/skip", reason="not needed")),
    # --- calibration (coach_a opens sessions on c-a1 with the admin as a fellow reviewer; the
    # conversation's own agent may not review it, so agent_1 takes part in none) -------------
    ("GET", "/api/v1/calibration"): Rule(ANY, _api("GET", "/api/v1/calibration")),
    ("POST", "/api/v1/calibration"): Rule(STAFF, _api("POST", "/api/v1/calibration", json={"conversation_id": "c-a1", "reviewers": [COACH_EMAIL, ADMIN_EMAIL]})),
    ("GET", "/api/v1/calibration/candidates"): Rule(STAFF, _api("GET", "/api/v1/calibration/candidates", params={"conversation": "c-a1"})),
    ("GET", "/api/v1/calibration/{session_id}"): Rule(STAFF, _api("GET", "/api/v1/calibration/{calibration}")),
    ("PUT", "/api/v1/calibration/{session_id}/answers"): Rule(STAFF, _api(
        "PUT", "/api/v1/calibration/{calibration}/answers", json={"turns": [{"turn": 1, "labels": ["apology"], "score": 70}]})),
    ("GET", "/api/v1/calibration/{session_id}/results"): Rule(STAFF, _api("GET", "/api/v1/calibration/{closed}/results")),
    ("POST", "/api/v1/calibration/{session_id}/reviewers"): Rule(STAFF, _api(
        "POST", "/api/v1/calibration/{calibration}/reviewers", json={"reviewers": [ACCOUNTS["agent_2"].email]})),
    ("POST", "/api/v1/calibration/{session_id}/close"): Rule(STAFF, lambda w, who: w.api(who, "POST", f"/api/v1/calibration/{w.fresh_calibration(submitted=True)}/close")),
    ("GET", "/calibration"): Rule(ANY, _page("GET", "/calibration")),
    ("GET", "/calibration/new"): Rule(STAFF, _page("GET", "/calibration/new?conversation=c-a1")),
    ("POST", "/calibration"): Rule(STAFF, _page("POST", "/calibration", conversation="c-a1", reviewers=[COACH_EMAIL, ADMIN_EMAIL])),
    ("GET", "/calibration/{session_id}"): Rule(STAFF, _page("GET", "/calibration/{calibration}")),
    ("POST", "/calibration/{session_id}/answers"): Rule(STAFF, _page("POST", "/calibration/{calibration}/answers", **{"label-1": "apology", "score-1": "65"})),
    ("POST", "/calibration/{session_id}/reviewers"): Rule(STAFF, _page("POST", "/calibration/{calibration}/reviewers", reviewers=ACCOUNTS["agent_2"].email)),
    ("POST", "/calibration/{session_id}/close"): Rule(STAFF, lambda w, who: w.page(who, "POST", f"/calibration/{w.fresh_calibration(submitted=True)}/close")),
    # --- rubrics ------------------------------------------------------------------------------
    ("GET", "/api/v1/rubrics"): Rule(ANY, _api("GET", "/api/v1/rubrics")),
    ("GET", "/api/v1/rubrics/active"): Rule(ANY, _api("GET", "/api/v1/rubrics/active")),
    ("GET", "/api/v1/rubrics/{version}"): Rule(ANY, _api("GET", "/api/v1/rubrics/1")),
    ("POST", "/api/v1/rubrics"): Rule(ADMIN, lambda w, who: w.api(
        who, "POST", "/api/v1/rubrics", json={"weights": w.new_weights(), "note": f"by {who}"})),
    ("POST", "/api/v1/rubrics/rescore"): Rule(ADMIN, _api("POST", "/api/v1/rubrics/rescore", params={"limit": 5})),
    ("GET", "/admin/rubric"): Rule(ADMIN, _page("GET", "/admin/rubric")),
    ("POST", "/admin/rubric"): Rule(ADMIN, lambda w, who: w.page(who, "POST", "/admin/rubric", weights=json.dumps(w.new_weights()), note="page")),
    ("POST", "/admin/rubric/rescore"): Rule(ADMIN, _page("POST", "/admin/rubric/rescore")),
    # --- admin -------------------------------------------------------------------------------
    ("GET", "/admin"): Rule(ADMIN, _page("GET", "/admin")),
    ("GET", "/admin/privacy"): Rule(ADMIN, _page("GET", "/admin/privacy")),
    ("POST", "/admin/privacy/purge"): Rule(ADMIN, _page("POST", "/admin/privacy/purge", days="3650")),
    ("POST", "/admin/privacy/forget"): Rule(ADMIN, _page("POST", "/admin/privacy/forget", customer_id="C-none")),
    ("GET", "/admin/users"): Rule(ADMIN, _page("GET", "/admin/users")),
    ("POST", "/admin/users"): Rule(ADMIN, lambda w, who: w.page(
        who, "POST", "/admin/users", email=f"new-{who}@example.com", password="long enough pw", role="agent",
        team="Team A", agent_id=f"agent-new-{who}", display_name="New")),
}  # fmt: skip


def _answer_survey(w: World, who: str) -> Response:
    """Answer a new survey as a customer would: the form's nonce, a CSAT and a comment."""
    token = w.fresh_survey()
    form = w.clients[who].get(f"/s/{token}", headers=HTML).text
    found = re.search(r'name="nonce" value="([^"]+)"', form)
    assert found, form[:500]
    return w.clients[who].post(
        f"/s/{token}", data={"nonce": found.group(1), "csat": "4", "comment": "Quick and kind, thanks."},
        headers=HTML, follow_redirects=False,
    )


def _logout(w: World, who: str) -> Response:
    """Log out a throwaway session of *who* (the shared one stays logged in)."""
    if who == "anonymous":
        return w.clients["anonymous"].post("/logout", headers=HTML, follow_redirects=False)
    other = TestClient(w.app)
    other.post("/login", data={"email": ACCOUNTS[ACCOUNT[who]].email, "password": PASSWORD})
    csrf = _csrf(other)
    return other.post("/logout", data={"csrf": csrf}, headers=HTML, follow_redirects=False)


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/journal/new", headers=HTML).text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, HEAD and the static mount aside."""
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in (getattr(route, "methods", None) or set()) - {"HEAD"}
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, analyzer: Analyzer) -> Iterator[World]:
    from warmline.admin import upgrade_database
    from warmline.store.db import Database
    from warmline.store.users import create_user

    tmp = tmp_path_factory.mktemp("routes")
    settings = Settings(database_url=f"sqlite:///{tmp / 'w.db'}", data_dir=tmp / "data", max_upload_mb=2)
    upgrade_database(settings)
    db = Database(settings.resolved_database_url())
    with db.session() as session:
        for acc in ACCOUNTS.values():
            create_user(session, email=acc.email, password=PASSWORD, role=acc.role,
                        teams=[acc.team] if acc.team else [], agent_id=acc.agent_id)  # fmt: skip
    db.dispose()
    app = create_app(settings, analyzer=analyzer)
    clients = {role: TestClient(app) for role in ROLES}
    for client in clients.values():
        client.__enter__()
    tokens: dict[str, dict[str, str]] = {}
    csrf: dict[str, str] = {}
    for role, who in ACCOUNT.items():
        client = clients[role]
        resp = client.post("/api/v1/token", data={"username": ACCOUNTS[who].email, "password": PASSWORD})
        tokens[role] = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        client.post("/login", data={"email": ACCOUNTS[who].email, "password": PASSWORD})
        csrf[role] = _csrf(client)
    w = World(app, clients, csrf, tokens)
    _seed(w)
    yield w
    for client in clients.values():
        client.__exit__(None, None, None)


def _seed(w: World) -> None:
    """The sample objects: agent_1's conversation c-a1 in Team A, an import job, a practice
    session and a journal entry of agent_1's, a curriculum module and exercise."""
    assert w.api("admin", "POST", "/api/v1/conversations", json=conversation("c-a1", "agent-1", team="Team A")).status_code == 201
    job = w.api("coach", "POST", "/api/v1/imports", files={"file": ("seed.json", _json_bytes(conversation("c-job", "agent-1")))})
    assert job.status_code == 202, job.text
    w.ids["job"] = job.json()["id"]
    w.ids["session"] = w.fresh_session()
    w.ids["entry"] = w.fresh_entry()
    w.ids["calibration"] = w.fresh_calibration()
    closed = w.fresh_calibration(submitted=True)
    assert w.api("coach", "POST", f"/api/v1/calibration/{closed}/close").status_code == 200
    w.ids["closed"] = closed
    w.ids["weights"] = w.api("admin", "GET", "/api/v1/rubrics/active").json()["weights"]
    w.ids["item"] = w.api("agent", "GET", "/api/v1/learn/assessment/pre").json()[0]["id"]
    for module in w.api("agent", "GET", "/api/v1/learn/modules").json():
        detail = w.api("agent", "GET", f"/api/v1/learn/modules/{module['id']}").json()
        if detail["exercises"]:
            w.ids["module"], w.ids["exercise"] = module["id"], detail["exercises"][0]["id"]
            return
    raise AssertionError("no module has an exercise")


def test_every_route_has_a_rule(world: World) -> None:
    routes = app_routes(world.app) - {("GET", "/static")}
    missing = sorted(routes - set(RULES))
    stale = sorted(set(RULES) - routes)
    assert not missing, f"add a rule to RULES for each new route: {missing}"
    assert not stale, f"these rules name routes the app no longer has: {stale}"


def _denied(resp: Response, who: str, path: str) -> bool:
    if who == "anonymous":
        if resp.status_code in (303, 307) and "/login" in resp.headers.get("location", ""):
            return True
        # a form post without a session fails its CSRF check (403) before anything else
        return resp.status_code in (401, 403)
    return resp.status_code in (403, 404)


@pytest.mark.parametrize("route", sorted(RULES), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_role_is_allowed_or_refused_as_the_rule_says(world: World, route: tuple[str, str]) -> None:
    rule = RULES[route]
    # Refused roles first, so that an allowed call cannot change what they would see.
    for who in sorted(ROLES, key=lambda r: r in rule.allowed):
        resp = rule.call(world, who)
        assert resp.status_code < 500, (who, resp.status_code, resp.text[:300])
        if who in rule.allowed:
            assert not _denied(resp, who, route[1]), f"{who} was refused: {resp.status_code} {resp.text[:300]}"
            assert resp.status_code < 400, f"{who}: {resp.status_code} {resp.text[:300]}"
        else:
            assert _denied(resp, who, route[1]), f"{who} was let in: {resp.status_code} {resp.text[:300]}"
