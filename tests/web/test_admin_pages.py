"""The admin users page: list, add with CSRF, clear errors, admins only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import ACCOUNTS, log_in


def test_admin_lists_and_adds_users(client: TestClient) -> None:
    csrf = log_in(client, "admin")
    page = client.get("/admin/users", headers={"Accept": "text/html"})
    assert page.status_code == 200 and ACCOUNTS["agent_3"].email in page.text and "Team B" in page.text
    form = {"csrf": csrf, "email": "new@example.com", "password": "long enough", "role": "agent", "team": "Team C", "agent_id": "agent-9"}
    resp = client.post("/admin/users", data=form, headers={"Accept": "text/html"}, follow_redirects=False)
    assert resp.status_code == 303
    listing = client.get(resp.headers["location"], headers={"Accept": "text/html"}).text
    assert "Created new@example.com" in listing and "agent-9" in listing
    assert client.post("/api/v1/token", data={"username": "new@example.com", "password": "long enough"}).status_code == 200


def test_bad_fields_show_the_message_and_create_nothing(client: TestClient) -> None:
    csrf = log_in(client, "admin")
    form = {"csrf": csrf, "email": ACCOUNTS["coach_a"].email, "password": "long enough", "role": "coach"}
    resp = client.post("/admin/users", data=form, headers={"Accept": "text/html"})
    assert resp.status_code == 422 and "already exists" in resp.text
    form = {"csrf": csrf, "email": "x@example.com", "password": "short", "role": "admin"}
    resp = client.post("/admin/users", data=form, headers={"Accept": "text/html"})
    assert resp.status_code == 422 and "at least 8" in resp.text
    assert "x@example.com" not in client.get("/admin/users", headers={"Accept": "text/html"}).text.split("<section")[1]


def test_missing_csrf_is_refused(client: TestClient) -> None:
    log_in(client, "admin")
    form = {"email": "y@example.com", "password": "long enough", "role": "admin"}
    resp = client.post("/admin/users", data=form, headers={"Accept": "text/html"})
    assert resp.status_code == 403 and "CSRF" in resp.text


def test_only_admins(client: TestClient) -> None:
    log_in(client, "coach_a")
    assert client.get("/admin/users", headers={"Accept": "text/html"}).status_code == 403
