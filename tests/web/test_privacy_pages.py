"""The admin's data-protection page: count first, then delete; the audit log and its check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.browser import screenshot
from tests.support.server import serve_app
from tests.web.conftest import ACCOUNTS, PASSWORD, conversation, log_in, token

if TYPE_CHECKING:
    from playwright.sync_api import Page

HTML = {"Accept": "text/html"}


def _seed(client: TestClient) -> None:
    admin = token(client, "admin")
    for cid, customer, when in (("old", "C-1", "2020-01-02T09:00:00Z"), ("new", "C-1", "2099-01-02T09:00:00Z"), ("other", "C-2", "2099-01-03T09:00:00Z")):
        record = conversation(cid, "agent-1")
        record["metadata"] = {"customer_id": customer}
        record["turns"][0]["timestamp"] = when
        assert client.post("/api/v1/conversations", json=record, headers=admin).status_code == 201


def _ids(client: TestClient) -> set[str]:
    return {c["id"] for c in client.get("/api/v1/conversations", headers=token(client, "admin")).json()["items"]}


def test_counting_deletes_nothing_and_confirming_deletes_and_audits(client: TestClient) -> None:
    _seed(client)
    csrf = log_in(client, "admin")
    page = client.post("/admin/privacy/forget", data={"csrf": csrf, "customer_id": "C-1"}, headers=HTML)
    assert page.status_code == 200 and "2 conversations of this customer would be deleted" in page.text
    assert _ids(client) == {"old", "new", "other"}
    done = client.post("/admin/privacy/forget", data={"csrf": csrf, "customer_id": "C-1", "confirm": "yes"}, headers=HTML)
    assert "Deleted 2 conversations" in done.text and _ids(client) == {"other"}
    purge = client.post("/admin/privacy/purge", data={"csrf": csrf, "days": "30"}, headers=HTML)
    assert "0 conversations" in purge.text and "Delete them now" not in purge.text
    log = client.get("/admin/privacy", headers=HTML).text
    assert "customer.forget" in log and "Intact: the one event checks" in log
    assert "C-1" not in log.split("Audit log")[1]  # the log shows no customer identifier


def test_bad_input_is_named_and_changes_nothing(client: TestClient) -> None:
    _seed(client)
    csrf = log_in(client, "admin")
    bad = client.post("/admin/privacy/purge", data={"csrf": csrf, "days": "soon", "confirm": "yes"}, headers=HTML)
    assert bad.status_code == 422 and "days: expected a whole number" in bad.text
    both = client.post("/admin/privacy/forget", data={"csrf": csrf, "customer_id": "C-1", "customer_name": "Dana", "confirm": "yes"}, headers=HTML)
    assert both.status_code == 422 and "exactly one" in both.text
    assert _ids(client) == {"old", "new", "other"}


@pytest.mark.parametrize("who", ["coach_a", "agent_1"])
def test_only_admins_see_the_page(client: TestClient, who: str) -> None:
    log_in(client, who)
    assert client.get("/admin/privacy", headers=HTML).status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_admin_deletes_a_customer_in_the_browser(app: FastAPI, browser_page: Page) -> None:
    with TestClient(app) as client:
        _seed(client)
    page = browser_page
    with serve_app(app) as base:
        page.goto(f"{base}/login")
        page.fill("input[name=email]", ACCOUNTS["admin"].email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.goto(f"{base}/admin/privacy")
        page.fill("input[name=customer_id]", "C-1")
        with page.expect_navigation():
            page.click("text=Find their conversations")
        assert "2 conversations of this customer would be deleted" in page.inner_text("main")
        with page.expect_navigation():
            page.click("text=Delete them now")
        assert "Deleted 2 conversations" in page.inner_text("main")
        screenshot(page, "admin_privacy")
