"""Calibration in a real Chromium against a real server: a coach opens a session from the
conversation page, two reviewers score it blind (one in a browser of their own), the coach
closes it and reads the agreement; an admin publishes a rubric version."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.calibration_data import calibration_conversation
from tests.support.browser import VIEWPORT, log_in, screenshot
from tests.support.server import serve_app
from tests.web.conftest import ACCOUNTS, PASSWORD
from warmline.engine.pipeline import Analyzer
from warmline.redact import Redactor
from warmline.settings import Settings
from warmline.store.conversations import ImportOptions, import_conversations
from warmline.store.db import Database
from warmline.web import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def _log_in(page: Page, base: str, who: str) -> None:
    log_in(page, base, ACCOUNTS[who].email, PASSWORD)


def _score(page: Page, marks: dict[int, list[str]], scores: dict[int, int]) -> None:
    for turn, labels in marks.items():
        for label in labels:
            page.check(f"input[name='label-{turn}'][value='{label}']")
    for turn, value in scores.items():
        page.fill(f"input[name='score-{turn}']", str(value))


def _submit(page: Page) -> None:
    with page.expect_navigation(timeout=60_000):
        page.click("button[value=submit]")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_coach_calibrates_with_a_colleague_and_reads_the_agreement(
    seeded: Settings, analyzer: Analyzer, chromium_browser: Browser, browser_page: Page
) -> None:
    db = Database(seeded.resolved_database_url())
    with db.session() as s:
        import_conversations(
            s, [calibration_conversation("c1", "agent-1", team="Team A")], analyzer=analyzer,
            options=ImportOptions(redactor=Redactor()),
        )  # fmt: skip
    db.dispose()
    coach = browser_page
    with serve_app(create_app(seeded, analyzer=analyzer)) as base:
        _log_in(coach, base, "coach_a")
        coach.goto(f"{base}/conversations/c1")
        assert "Scored with rubric v1" in coach.locator(".conv-score").inner_text()
        with coach.expect_navigation(timeout=60_000):
            coach.click("a.calibrate")
        coach.check(f"input[value='{ACCOUNTS['agent_2'].email}']")
        coach.fill("input[name=note]", "Late-order calibration")
        with coach.expect_navigation(timeout=60_000):
            coach.click("text=Open the session")
        session_url = coach.url
        assert "0 of 2" in coach.locator(".progress-box").inner_text()
        _score(coach, {1: ["apology", "acknowledge_emotion", "solution"], 3: ["dismissive"], 5: ["follow_up", "check_resolution"]}, {1: 85, 3: 15, 5: 80})
        _submit(coach)
        assert "your answers are in" in coach.content()

        # The second reviewer, in a browser of their own.
        context = chromium_browser.new_context(viewport=VIEWPORT)
        try:
            agent = context.new_page()
            _log_in(agent, base, "agent_2")
            agent.goto(f"{base}/calibration")
            with agent.expect_navigation(timeout=60_000):
                agent.click("text=Score it")
            assert agent.url == session_url
            assert agent.locator("input[type=checkbox]:checked").count() == 0  # blind: nothing of the coach's
            assert agent.locator(".score-badge").count() == 0  # nor the engine's score
            _score(agent, {1: ["apology", "solution", "ownership"], 3: ["dismissive", "blame"], 5: ["follow_up"]}, {1: 75, 3: 20, 5: 70})
            with agent.expect_navigation(timeout=60_000):
                agent.click("button[value=save]")
            assert "Your draft was saved" in agent.locator(".notice").inner_text()
            assert agent.locator("input[type=checkbox]:checked").count() == 6
            screenshot(agent, "calibration_review")
            # A fresh load after the full-page screenshot, which leaves the page mid-resize.
            agent.goto(session_url)
            _submit(agent)
        finally:
            context.close()

        coach.goto(session_url)
        assert "2 of 2" in coach.locator(".progress-box").inner_text()
        with coach.expect_navigation(timeout=60_000):
            coach.click("button.close-session")
        assert coach.locator("h1").inner_text().startswith("Calibration results")
        table = coach.locator("table.agreement").inner_text()
        assert "Apology" in table and "Ownership" in table and "Blame" in table
        assert coach.locator(".disagreements li").count() >= 3
        assert "1.000" in coach.locator(".cal-summary").first.inner_text() or "0." in coach.locator(".cal-summary").first.inner_text()
        screenshot(coach, "calibration_results")

        coach.context.clear_cookies()
        _log_in(coach, base, "admin")
        coach.goto(f"{base}/admin/rubric")
        text = coach.locator("textarea[name=weights]").input_value()
        coach.fill("textarea[name=weights]", text.replace("blame: 25", "blame: 30"))
        coach.fill("input[name=note]", "Blame costs more after the late-order calibration")
        with coach.expect_navigation(timeout=60_000):
            coach.click("text=Publish as version 2")
        assert "Version 2 is published" in coach.locator(".notice").inner_text()
        screenshot(coach, "rubric")
        coach.goto(f"{base}/conversations/c1")
        assert "the active rubric is v2" in coach.locator(".conv-score").inner_text()
