"""The pages in a real headless Chromium against a real server: a coach imports a file and waits
for it, reads a conversation's highlights and trajectory, agrees with an annotation, and uses the
draft checker as they type. Screenshots go to tests/screenshots/ for a person to look at."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI

from tests.support.browser import log_in, screenshot
from tests.support.server import serve_app
from tests.web.conftest import ACCOUNTS, PASSWORD
from warmline.web import imports_pages

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _demo_file(folder: Path, count: int) -> Path:
    lines = resources.files("warmline").joinpath("examples/demo.jsonl").read_text().splitlines()
    path = folder / "northwind-week.jsonl"
    path.write_text("\n".join(lines[:count]) + "\n")
    return path


def test_coach_imports_reviews_and_checks_a_draft(
    app: FastAPI, browser_page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setattr(imports_pages, "IMMEDIATE_BYTES", 1024)  # so this file goes to the background
    page = browser_page
    page.set_default_timeout(20_000)
    with serve_app(app) as base:
        log_in(page, base, ACCOUNTS["coach_a"].email, PASSWORD, target="/import")
        page.set_input_files('input[name="file"]', str(_demo_file(tmp_path, 8)))
        page.click("form.import-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/import/\d+$"))
        expect(page.locator(".job-done")).to_be_visible()
        expect(page.locator('[data-field="status"]')).to_have_text("Done")
        expect(page.locator('[data-field="counts"]')).to_contain_text("8 of 8")
        screenshot(page, "import_progress")

        page.goto(f"{base}/import")
        huge = tmp_path / "huge.jsonl"
        huge.write_bytes(b" " * (3 * 1024 * 1024))  # the test settings allow 2 MB
        page.set_input_files('input[name="file"]', str(huge))
        page.click("form.import-form button[type=submit]")
        expect(page.locator('[data-field="too-big"]')).to_contain_text("over the upload limit of 2 MB")
        assert page.url == f"{base}/import"
        bad = tmp_path / "broken.jsonl"
        bad.write_text('{"id": "x1", "turns": [{"speaker": "martian", "text": "hi"}]}\n{oops\n')
        page.set_input_files('input[name="file"]', str(bad))
        page.click("form.import-form button[type=submit]")
        expect(page.locator(".import-errors tbody tr")).to_have_count(2)
        expect(page.locator(".import-errors")).to_contain_text("nothing was imported")
        screenshot(page, "import_errors")

        page.goto(f"{base}/import/1")
        page.click("text=Open the conversations")
        expect(page.locator("table.conversations tbody tr")).to_have_count(8)
        screenshot(page, "conversations_list")

        page.goto(f"{base}/conversations/demo-02-late-delivery-handled-badly")
        marks = page.locator(".turn mark.ann")
        expect(marks.first).to_be_visible()
        expect(page.locator(".turn mark.ann.anti .tag.anti").first).to_be_visible()
        assert page.locator(".turn mark.ann .tag").count() >= 3
        assert "probability" in (marks.first.get_attribute("title") or "")
        expect(page.locator(".trajectory svg.chart")).to_be_visible()
        expect(page.locator(".trajectory svg.chart circle").first).to_be_visible()
        screenshot(page, "conversation")

        form = page.locator(".turn.staff form.review-form").first
        form.locator('input[name="comment"]').fill("Spot on")
        form.locator("button.agree").click()
        expect(page.locator("p.notice")).to_contain_text("Your review was saved (agree)")
        expect(page.locator("#reviews")).to_contain_text("Spot on")
        expect(page.locator(".annotation .verdict.agree").first).to_be_visible()
        screenshot(page, "conversation_reviewed")

        page.goto(f"{base}/assist")
        page.fill('textarea[name="context"]', "Customer: My parcel is a week late and nobody answers. I'm fed up.")
        page.fill('input[name="customer_name"]', "Sam")
        page.locator('textarea[name="draft"]').press_sequentially("Sam, I'm sorry, that's really frustrating. I've reshipped it by express today.", delay=5)
        result = page.locator("#assist-result .draft-result")
        expect(result).to_be_visible()
        expect(result.locator(".score-badge")).to_have_text(re.compile(r"^\d+$"))
        expect(result).to_contain_text("Behaviours found")
        expect(page.locator('[data-field="status"]')).to_have_text("Checked as you type.")
        screenshot(page, "assist")

        page.locator('textarea[name="draft"]').fill("You should have read the email.")
        expect(result.locator(".warnings")).to_contain_text("Blame")
        page.fill('textarea[name="context"]', "Customer: hi\nDana: where is my parcel")
        expect(page.locator("#assist-result .error")).to_contain_text("line 2: unknown speaker")
        screenshot(page, "assist_error")
