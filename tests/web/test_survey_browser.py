"""The feedback loop in a real Chromium against a real server holding the Northwind demo team:
a coach makes a survey link, a customer with no login answers it on a phone-sized screen, and
the agent sees the answer on their dashboard and their follow-ups (which the demo data makes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from tests.support.browser import log_in, screenshot
from tests.support.server import serve_app
from warmline.admin import install_demo, upgrade_database
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.store.db import Database
from warmline.store.feedback_tables import FollowUp
from warmline.web import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PHONE = {"width": 390, "height": 844}



@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_customer_answers_a_survey_and_the_agent_sees_it(
    database_url: str, tmp_path: Path, analyzer: Analyzer, browser_page: Page, chromium_browser: Browser
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    upgrade_database(settings)
    install_demo(settings, analyzer=analyzer)
    db = Database(settings.resolved_database_url())
    with db.session() as s:  # the demo data gives every new user some follow-ups to look at
        per_agent = dict(s.execute(select(FollowUp.agent_id, func.count()).group_by(FollowUp.agent_id)).all())
    db.dispose()
    assert per_agent.get("agent-amara", 0) >= 3 and len(per_agent) >= 6
    page = browser_page
    with serve_app(create_app(settings, analyzer=analyzer)) as base:
        log_in(page, base, "coach@northwind.example", "warmline-coach")
        page.goto(f"{base}/conversations/nw-0002")
        with page.expect_navigation(timeout=60_000):
            page.click("text=Create survey link")
        url = page.locator("input.survey-url").input_value()
        screenshot(page, "survey_link")
        assert url.startswith(f"{base}/s/")

        customer = chromium_browser.new_context(viewport=PHONE)  # no cookies: not logged in
        try:
            phone = customer.new_page()
            phone.goto(url)
            assert phone.locator("h1").inner_text() == "Thanks for talking with us"
            assert phone.locator("legend").first.inner_text().startswith("How did we do?")
            assert phone.locator("input[name=csat]").count() == 5
            two = phone.locator("label.choice:has(input[name=csat][value='2'])")
            assert two.inner_text().split() == ["2", "Unhappy"]
            two.click()  # the whole box is the target, not the hidden radio
            assert phone.locator("input[name=csat][value='2']").is_checked()
            phone.click("label.choice:has(input[name=solved][value=no])")
            phone.fill("textarea[name=comment]", "Amara was kind, but I'm still worried the second charge will come back.")
            screenshot(phone, "survey")
            with phone.expect_navigation(timeout=60_000):
                phone.click("button[type=submit]")
            assert phone.locator("h1").inner_text() == "Thank you!"
            screenshot(phone, "survey_thanks")
            phone.goto(url)
            assert "Already answered" in phone.locator("h1").inner_text()
        finally:
            customer.close()

        page.context.clear_cookies()
        log_in(page, base, "amara@northwind.example", "warmline-agent")
        said = page.locator(".customers-said")
        assert "still worried the second charge" in said.inner_text()
        assert said.locator(".csat-pill").first.inner_text() == "2"
        assert "Reads as anxiety" in said.inner_text()
        said.scroll_into_view_if_needed()
        screenshot(page, "survey_said")
        page.goto(f"{base}/conversations/nw-0002")
        panel = page.locator(".survey-panel")
        assert "CSAT 2" in panel.inner_text() and "Create survey link" not in panel.inner_text()
        panel.scroll_into_view_if_needed()
        screenshot(page, "survey_panel")
        page.goto(f"{base}/followups")
        assert page.locator(".followup-list:not(.closed) > li").count() == per_agent["agent-amara"]
        assert "Started very" in page.locator(".reason").first.inner_text()
        screenshot(page, "followups")
        first = page.locator(".followup-list:not(.closed) > li").first
        first.locator("input[name=note]").fill("Refund arrived; she was pleased")
        with page.expect_navigation(timeout=60_000):
            first.locator("button:has-text('Done')").click()
        assert "Marked done" in page.locator(".notice").inner_text()
        assert "Refund arrived; she was pleased" in page.locator(".followup-list.closed").inner_text()
