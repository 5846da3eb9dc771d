"""Learn in a real browser on a real server: an agent reads a lesson and passes an exercise
with a good answer; their coach sees it on the team page and assigns them a module."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI

from tests.support.browser import log_in, screenshot
from tests.support.server import serve_app
from tests.web.conftest import ACCOUNTS, PASSWORD
from warmline.practice.curriculum import get_module

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
MODULE = "introduction"


def test_an_agent_passes_an_exercise_and_the_coach_sees_it(
    app: FastAPI, browser_page: Page
) -> None:
    from playwright.sync_api import expect

    exercise = get_module(MODULE).exercises[3]  # acknowledge-then-act: a free reply
    page = browser_page
    page.set_default_timeout(30_000)
    with serve_app(app) as base:
        log_in(page, base, ACCOUNTS["agent_1"].email, PASSWORD, target="/learn")
        expect(page.locator('nav a[href="/learn"]')).to_have_class("active")
        expect(page.locator(".module-list .module-card")).to_have_count(6)
        page.click(f'.module-card h2 a[href="/learn/{MODULE}"]')
        expect(page.locator(".lesson")).to_have_count(3)
        expect(page.locator("#what-empathy-is .lesson-body em")).to_have_text("this")  # markdown
        screenshot(page, "learn_module")
        page.click('.lesson-toc a[href="#feeling-first"]')
        expect(page.locator("#feeling-first .key-points")).to_be_in_viewport()

        page.click(f'.exercise-list a[href="/learn/{MODULE}/exercises/{exercise.id}"]')
        expect(page.locator(".task-context .bubble.customer")).to_contain_text("engineer")
        expect(page.locator(".model-answer")).to_have_count(0)  # no answer before an attempt
        page.fill('textarea[name="answer"]', exercise.model_answer)
        page.click(".answer-form button[type=submit]")
        result = page.locator(".result")
        expect(result).to_have_class(re.compile(r"\bpassed\b"))
        expect(result.locator(".verdict")).to_contain_text("Passed")
        expect(result.locator("mark.evidence").first).to_be_visible()
        expect(result.locator(".model-answer blockquote")).to_contain_text("Omar")
        screenshot(page, "learn_exercise")

        page.goto(f"{base}/learn/assessment/pre")
        page.check('input[name="item-pre-name-emotion.choice"][value="confusion"]')
        page.click(".assessment-form button[type=submit]")
        expect(page.locator("#summary .overall")).to_have_text(re.compile(r"^\d+%$"))
        expect(page.locator("#item-pre-name-emotion .result")).to_have_class(
            re.compile(r"\bpassed\b")
        )
        screenshot(page, "learn_assessment")

        page.context.clear_cookies()
        log_in(page, base, ACCOUNTS["coach_a"].email, PASSWORD, target="/learn/team")
        row = page.locator("table.team-progress tbody tr", has_text=ACCOUNTS["agent_1"].email)
        expect(row.locator("td.cell").first).to_contain_text("1/5")
        expect(page.locator("table.team-progress")).not_to_contain_text(ACCOUNTS["agent_3"].email)
        page.select_option('select[name="agent_email"]', ACCOUNTS["agent_1"].email)
        page.select_option('select[name="module_id"]', "active-listening")
        page.fill('input[name="due"]', "2099-01-31")
        page.fill('input[name="note"]', "Before our one-to-one")
        page.click(".assign-form button[type=submit]")
        expect(page.locator("p.notice")).to_contain_text("Assigned to")
        assignments = page.locator("#assignments table.assignments tbody tr")
        expect(assignments).to_have_count(1)
        expect(assignments.first).to_contain_text("Not started")
        screenshot(page, "learn_team")

        page.context.clear_cookies()
        log_in(page, base, ACCOUNTS["agent_1"].email, PASSWORD, target="/learn")
        expect(page.locator("#assignments")).to_contain_text("Before our one-to-one")
        expect(page.locator(".module-card").first).to_contain_text("1/5")
        screenshot(page, "learn_index")
