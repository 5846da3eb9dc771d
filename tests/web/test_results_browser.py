"""The results page and the review responder in a real Chromium against a real server holding
the Northwind demo team (with its synthetic demo KPIs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.browser import log_in, screenshot
from tests.support.server import serve_app
from warmline.admin import install_demo, upgrade_database
from warmline.demo_kpis import DEMO_TRAINING_DAY
from warmline.engine.pipeline import Analyzer
from warmline.settings import Settings
from warmline.web import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Page



@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_results_for_a_coach_and_an_agent_and_a_review_reply(
    database_url: str, tmp_path: Path, analyzer: Analyzer, browser_page: Page
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    upgrade_database(settings)
    install_demo(settings, analyzer=analyzer)
    page = browser_page
    with serve_app(create_app(settings, analyzer=analyzer)) as base:
        log_in(page, base, "coach@northwind.example", "warmline-coach")
        page.click("nav >> text=Results")
        page.wait_for_url(f"{base}/results")
        assert page.locator("h1").inner_text() == "Results"
        assert "Pick the day of a training event" in page.locator(".before-after").inner_text()
        # The correlation and trends show without an event.
        assert page.locator("svg.chart.scatter .pt").count() > 100
        assert page.locator(".correlation .verdict").first.inner_text().startswith("higher goes")
        assert page.locator(".trends svg.chart").count() == 2

        page.fill("input[name=event]", DEMO_TRAINING_DAY.isoformat())
        with page.expect_navigation(timeout=60_000):
            page.click("text=Show results")
        assert f"event={DEMO_TRAINING_DAY.isoformat()}" in page.url
        first = page.locator("details.group").first
        assert "Northwind Care" in first.locator("summary").inner_text()
        rows = first.locator("svg.chart.intervals .irow")
        assert rows.count() == 6  # empathy, CSAT, FCR, repeat contact, NPS, engagement
        assert first.locator("svg .ci").count() >= 12  # a whisker (and caps) per row
        assert "Gary Pruitt" in page.locator(".before-after").inner_text()
        assert "Hannah Weiss" not in page.locator(".before-after").inner_text()  # Billing
        verdicts = first.locator(".ba-table .verdict").all_inner_texts()
        assert verdicts and all(
            v in {"no clear change", "improved", "worsened", "too little data to conclude"}
            for v in verdicts
        )
        assert page.locator(".correlation svg.chart.intervals").count() == 1
        assert "Correlation is not causation" in page.locator("#meaning").inner_text()
        export = page.locator("a.export").first.get_attribute("href") or ""
        assert export.startswith("/export/scores.csv?level=conversation") and "team=" in export
        screenshot(page, "results")

        page.context.clear_cookies()
        log_in(page, base, "amara@northwind.example", "warmline-agent")
        page.goto(f"{base}/results?event={DEMO_TRAINING_DAY.isoformat()}")
        groups = page.locator("details.group summary").all_inner_texts()
        assert len(groups) == 1 and "Amara Okafor" in groups[0]
        assert page.locator("select[name=team]").count() == 0
        assert page.locator("#kpi-upload").count() == 0
        screenshot(page, "results_agent")

        page.click("nav >> text=Review replies")
        page.wait_for_url(f"{base}/reply")
        page.fill(
            "textarea[name=context]",
            "Ordered a sofa three weeks ago and it still hasn't arrived. Nobody answers the "
            "phone and my emails are ignored. Absolutely furious. Never again!",
        )
        page.select_option("select[name=stars]", "1")
        page.fill("input[name=business]", "Northwind Home")
        page.fill("input[name=customer_name]", "Karen Miles")
        with page.expect_navigation(timeout=60_000):
            page.click("button[value=draft]")
        assert "Late delivery" in page.locator(".issues").inner_text()
        draft = page.locator("textarea[name=draft]").input_value()
        assert draft.startswith("Hi Karen,") and "still hasn't arrived" in draft
        assert page.locator("#reply-result .score-badge").count() == 1
        # Editing the draft re-checks it as you type (the draft checker's live mechanism).
        page.locator("textarea[name=draft]").fill("Calm down, these things happen.")
        page.wait_for_selector("#reply-result .tag.anti", timeout=30_000)
        assert "Dismissive" in page.locator("#reply-result").inner_text()
        page.locator("textarea[name=draft]").fill(draft)
        page.wait_for_function(
            "() => !document.querySelector('#reply-result .tag.anti')", timeout=30_000
        )
        screenshot(page, "review_reply")
