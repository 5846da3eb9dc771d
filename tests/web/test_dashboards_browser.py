"""The dashboards in a real Chromium against a real server holding the Northwind demo team."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.browser import log_in, screenshot
from tests.support.server import serve_app
from warmline.admin import install_demo, upgrade_database
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.web import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Page



@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_coach_filters_the_team_dashboard_and_an_agent_sees_their_own(
    database_url: str, tmp_path: Path, analyzer: Analyzer, browser_page: Page
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    upgrade_database(settings)
    _, imported = install_demo(settings, analyzer=analyzer)
    assert imported == 240
    page = browser_page
    with serve_app(create_app(settings, analyzer=analyzer)) as base:
        log_in(page, base, "coach@northwind.example", "warmline-coach")
        assert page.url == f"{base}/dashboard/team"
        assert page.locator("h1").inner_text() == "Team dashboard"
        # The default range ends on the newest conversation, whatever today is (times are UTC).
        assert "2026-10-23 to 2026-11-21" in page.locator(".dash-head").inner_text()
        assert page.locator("svg.chart.trend .series").count() == 7  # six agents + everyone
        assert "Amara Okafor" in page.locator(".recognition").inner_text()
        assert page.locator(".review li a").count() == 10
        page.select_option("select[name=channel]", "email")
        with page.expect_navigation(timeout=60_000):
            page.click("text=Apply")
        assert "channel=email" in page.url
        table = page.locator("table.agents").inner_text()
        assert "Gary Pruitt" in table and "Hannah Weiss" not in table  # Billing is not hers
        export = page.locator("a.export").get_attribute("href") or ""
        assert "channel=email" in export and "since=2026-10-23" in export
        page.select_option("select[name=channel]", "")
        with page.expect_navigation(timeout=60_000):
            page.click("text=Apply")
        screenshot(page, "dashboard_team")

        page.context.clear_cookies()
        log_in(page, base, "amara@northwind.example", "warmline-agent")
        assert page.url == f"{base}/dashboard/agent"
        assert page.locator("h1").inner_text() == "My dashboard"
        assert page.locator(".moment").count() == 3
        assert page.locator(".moment mark").count() > 0
        strengths = page.locator(".label-counts.lc-good li").count()
        assert strengths > 0
        screenshot(page, "dashboard_agent")
