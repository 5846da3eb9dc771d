"""Journal privacy: an entry is readable by its author and by the one coach it is shared with.

Every route of the app whose path contains "journal" is listed in CASES with how to call it
on someone else's entry; a new journal route without a case here fails the first test. A coach
(even the author's own), an admin and a team-mate get 403/404 from every route, and nothing
they can reach shows the entry's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from tests.web.conftest import ACCOUNTS, PASSWORD, token

HTML = {"Accept": "text/html"}
SECRET = "I cried in the break room after that call"
SHARED = "Shared with my coach on purpose"
OUTSIDERS = ("coach_a", "coach_b", "admin", "agent_2")
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class Caller:
    """One user, with a browser session (cookie + CSRF) and an API token."""

    def __init__(self, client: TestClient, who: str) -> None:
        self.client, self.who = client, who
        self.auth = token(client, who)

    def page(self, method: str, url: str, **data: Any) -> Response:
        if getattr(self.client, "logged_in_as", None) != self.who:
            self.client.cookies.clear()
            self.client.post(
                "/login", data={"email": ACCOUNTS[self.who].email, "password": PASSWORD}
            )
            found = re.search(
                r'name="csrf" value="([^"]+)"', self.client.get("/journal", headers=HTML).text
            )
            assert found
            self.client.logged_in_as, self.client.csrf = self.who, found.group(1)  # type: ignore[attr-defined]
        if method == "GET":
            return self.client.get(url, headers=HTML)
        return self.client.post(url, data={"csrf": self.client.csrf, **data}, headers=HTML)  # type: ignore[attr-defined]

    def api(self, method: str, url: str, **kw: Any) -> Response:
        return self.client.request(
            method, url, headers=self.auth, **kw
        )  # the token wins over any cookie


Case = Callable[[Caller, int], Response]
#: How to call each journal route on entry *eid*; listing and creating routes return the
#: caller's own data, so for those the check is that the entry's text is absent.
CASES: dict[tuple[str, str], Case] = {
    ("GET", "/journal"): lambda c, eid: c.page("GET", "/journal"),
    ("GET", "/journal/new"): lambda c, eid: c.page("GET", f"/journal/new?conversation={eid}"),
    ("POST", "/journal"): lambda c, eid: c.page("POST", "/journal", felt="my own"),
    ("GET", "/journal/{entry_id}"): lambda c, eid: c.page("GET", f"/journal/{eid}"),
    ("POST", "/journal/{entry_id}/share"): lambda c, eid: c.page(
        "POST", f"/journal/{eid}/share", coach_email=ACCOUNTS["coach_a"].email
    ),
    ("POST", "/journal/{entry_id}/unshare"): lambda c, eid: c.page(
        "POST", f"/journal/{eid}/unshare", coach_email=ACCOUNTS["coach_a"].email
    ),
    ("POST", "/journal/{entry_id}/delete"): lambda c, eid: c.page("POST", f"/journal/{eid}/delete"),
    ("GET", "/api/v1/journal"): lambda c, eid: c.api("GET", "/api/v1/journal"),
    ("POST", "/api/v1/journal"): lambda c, eid: c.api(
        "POST", "/api/v1/journal", json={"felt": "my own"}
    ),
    ("GET", "/api/v1/journal/{entry_id}"): lambda c, eid: c.api("GET", f"/api/v1/journal/{eid}"),
    ("DELETE", "/api/v1/journal/{entry_id}"): lambda c, eid: c.api(
        "DELETE", f"/api/v1/journal/{eid}"
    ),
    ("POST", "/api/v1/journal/{entry_id}/share"): lambda c, eid: c.api(
        "POST", f"/api/v1/journal/{eid}/share", json={"coach_email": ACCOUNTS["coach_a"].email}
    ),
    ("DELETE", "/api/v1/journal/{entry_id}/share"): lambda c, eid: c.api(
        "DELETE", f"/api/v1/journal/{eid}/share", params={"coach_email": ACCOUNTS["coach_a"].email}
    ),
}
#: The routes that list or create the caller's own entries (answer 2xx, never the entry).
OWN = {
    ("GET", "/journal"),
    ("GET", "/journal/new"),
    ("POST", "/journal"),
    ("GET", "/api/v1/journal"),
    ("POST", "/api/v1/journal"),
}


def journal_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) of the app whose path contains "journal"."""
    return {
        (method, route.path)
        for route in _flatten(app.routes)
        if "journal" in getattr(route, "path", "")
        for method in (getattr(route, "methods", None) or set()) - {"HEAD"}
    }


def _flatten(routes: Any) -> list[Any]:
    """The app's routes with included routers expanded (FastAPI ≥ 0.16x includes them lazily)."""
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined]
    except ImportError:  # older FastAPI copies included routes into app.routes
        return list(routes)
    return list(iter_route_contexts(routes))


def test_every_journal_route_has_a_privacy_case(app: FastAPI) -> None:
    assert journal_routes(app) == set(CASES), "add a case to CASES for each new journal route"


def _entries(client: TestClient) -> tuple[int, int]:
    author = token(client, "agent_1")
    private = client.post(
        "/api/v1/journal", json={"felt": SECRET, "feelings": ["sad"]}, headers=author
    ).json()["id"]
    shared = client.post("/api/v1/journal", json={"felt": SHARED}, headers=author).json()["id"]
    resp = client.post(
        f"/api/v1/journal/{shared}/share",
        json={"coach_email": ACCOUNTS["coach_a"].email},
        headers=author,
    )
    assert resp.status_code == 200
    return private, shared


def test_a_private_entry_is_refused_to_everyone_else_on_every_route(client: TestClient) -> None:
    private, _ = _entries(client)
    for who in OUTSIDERS:
        caller = Caller(client, who)
        for key, call in CASES.items():
            resp = call(caller, private)
            assert SECRET not in resp.text, (who, key)
            if key in OWN:
                assert resp.status_code in (200, 201), (who, key, resp.status_code)
            else:
                assert resp.status_code in (403, 404), (who, key, resp.status_code)
    # the author still has it, unshared and undeleted
    mine = client.get(f"/api/v1/journal/{private}", headers=token(client, "agent_1")).json()
    assert mine["felt"] == SECRET and mine["shared_with"] == []


@sqlite_only
def test_a_shared_entry_is_readable_by_that_one_coach_only(client: TestClient) -> None:
    _, shared = _entries(client)
    coach = Caller(client, "coach_a")
    assert SHARED in coach.page("GET", f"/journal/{shared}").text
    assert coach.api("GET", f"/api/v1/journal/{shared}").json()["felt"] == SHARED
    assert SHARED in coach.page("GET", "/journal").text  # "Shared with you"
    for key in (
        ("POST", "/journal/{entry_id}/share"),
        ("POST", "/journal/{entry_id}/unshare"),
        ("POST", "/journal/{entry_id}/delete"),
        ("DELETE", "/api/v1/journal/{entry_id}"),
        ("POST", "/api/v1/journal/{entry_id}/share"),
        ("DELETE", "/api/v1/journal/{entry_id}/share"),
    ):
        assert CASES[key](coach, shared).status_code == 404, key  # read-only
    for who in ("coach_b", "admin", "agent_2"):
        other = Caller(client, who)
        for key, call in CASES.items():
            resp = call(other, shared)
            assert SHARED not in resp.text, (who, key)
            if key not in OWN:
                assert resp.status_code in (403, 404), (who, key)


@sqlite_only
def test_journal_data_stays_out_of_dashboards_exports_and_admin_listings(
    client: TestClient,
) -> None:
    _entries(client)
    admin = Caller(client, "admin")
    for url in (
        "/dashboard/team",
        "/admin/users",
        "/practice/history",
        "/export/conversations.csv",
        "/conversations",
    ):
        resp = admin.page("GET", url)
        assert resp.status_code == 200, url
        assert SECRET not in resp.text and SHARED not in resp.text, url
    coach = Caller(client, "coach_a")
    for url in ("/dashboard/team", "/dashboard/agent?agent_id=agent-1", "/practice/history"):
        assert SECRET not in coach.page("GET", url).text, url


@sqlite_only
def test_journal_routes_need_a_login(client: TestClient) -> None:
    client.cookies.clear()
    client.logged_in_as = None  # type: ignore[attr-defined]
    for (method, path), _call in CASES.items():
        url = path.replace("{entry_id}", "1")
        resp = client.request(
            method,
            url,
            headers=HTML if not path.startswith("/api/") else {},
            follow_redirects=False,
        )
        assert resp.status_code in (303, 401, 403), (method, path, resp.status_code)
