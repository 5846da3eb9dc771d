"""Shared fixtures: one Analyzer for the whole session (patterns compiled once), and the real
components of tests/support: a PostgreSQL server, fresh databases, a headless Chromium page.

When CI=true, PostgreSQL and Chromium are required: a missing one fails the tests that need it
with an install hint. Elsewhere those tests skip, saying what is missing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from tests.support import browser as browser_support
from tests.support.postgres import INSTALL_HINT as POSTGRES_HINT
from tests.support.postgres import PostgresServer, PostgresUnavailable
from warmline.engine.pipeline import Analyzer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


# -- real components (tests/support) ----------------------------------------------------------


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _unavailable(reason: str, hint: str) -> NoReturn:
    """Skip locally; fail under CI, where the component is part of the contract."""
    message = reason if hint in reason else f"{reason}; {hint}"
    if _in_ci():
        pytest.fail(f"{message} — CI requires it", pytrace=False)
    pytest.skip(message)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselection reads the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the real components they use, so `-m "not browser"` etc. select them."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "postgres_server" in names:
            item.add_marker(pytest.mark.postgres)
        if names & {"browser_page", "chromium_browser"}:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL cluster on 127.0.0.1, started once per session."""
    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailable as exc:
        _unavailable(str(exc), POSTGRES_HINT)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test: a real SQLite file, then a real PostgreSQL DB."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warmline.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = server.fresh_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright, launched once per session."""
    reason = browser_support.missing_browser()
    if reason is not None:
        _unavailable(reason, browser_support.INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = browser_support.launch_chromium(playwright)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def browser_page(chromium_browser: Browser) -> Iterator[Page]:
    """A new page in its own browser context (fresh cookies and storage), 1280x900."""
    context = chromium_browser.new_context(viewport=browser_support.VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()
